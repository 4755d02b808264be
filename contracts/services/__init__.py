"""Every contract write. Money moves only through ledger.services with deterministic idempotency keys
(`milestone:<id>:release` and so on), under a row lock on the milestone or week, so a double click, a
retry, two mediators or an interrupted scheduled job can never pay twice.

Platform-book recipes (MONEY.md), amount A, fee F:
  pay in            platform:bank +A · client:funds −A
  fund              client:funds +A · contract:escrow −A
  release           contract:escrow +A · freelancer:wallet −(A−F) · platform:fees −F
  refund            contract:escrow +A · client:funds −A
The late-funding penalty is paid into escrow with the milestone and released to the freelancer with it;
the platform fee is taken on the milestone amount only, never on the penalty.

One module an area (creation, terms, funding, fixed_price, scheduled, hourly, disputes), each importing
only _common and the areas before it in that list; callers import from this package.
"""

from contracts.services._common import contract_group
from contracts.services.creation import contract_accept, contract_create, contract_create_from_offer
from contracts.services.disputes import dispute_decide, dispute_open, evidence_add
from contracts.services.fixed_price import (
    contract_cancel,
    contract_end,
    escrow_balance_minor,
    milestone_approve,
    milestone_refund,
    milestone_request_changes,
    milestone_submit,
)
from contracts.services.funding import milestone_fund, payin_confirm, retainer_fund
from contracts.services.hourly import (
    _move_week as _move_week,  # the hourly-review tests drive the week's transition table directly
)
from contracts.services.hourly import (
    hourly_bill_due,
    time_entry_add,
    week_approve,
    week_minutes,
    week_start_of,
    week_submit,
)
from contracts.services.scheduled import auto_release_due, auto_release_warn
from contracts.services.terms import terms_accept, terms_propose

# Pure arithmetic of the terms, kept below services so that selectors can use it too.
from contracts.terms import MilestoneTerms, penalty_due_minor, week_amount_minor

__all__ = [
    "contract_group",
    "MilestoneTerms",
    "auto_release_due",
    "auto_release_warn",
    "contract_accept",
    "contract_cancel",
    "contract_create",
    "contract_create_from_offer",
    "contract_end",
    "dispute_decide",
    "dispute_open",
    "escrow_balance_minor",
    "evidence_add",
    "hourly_bill_due",
    "milestone_approve",
    "milestone_fund",
    "milestone_refund",
    "milestone_request_changes",
    "milestone_submit",
    "payin_confirm",
    "penalty_due_minor",
    "retainer_fund",
    "terms_accept",
    "terms_propose",
    "time_entry_add",
    "week_amount_minor",
    "week_approve",
    "week_minutes",
    "week_start_of",
    "week_submit",
]
