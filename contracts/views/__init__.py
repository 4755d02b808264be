"""Contract pages. Thin: check who is asking (a stranger gets 404), parse the form, call one service.

One module an area (contract, milestones, hourly, disputes, staff) over _common; contracts.urls reaches
every page through this package."""

from contracts.views.contract import (
    contract_accept,
    contract_action,
    contract_detail,
    contract_invite,
    contract_list,
    contract_new,
    terms_accept,
    terms_change,
)
from contracts.views.disputes import delivery_file, dispute_decide, dispute_detail, evidence_file
from contracts.views.hourly import time_add, week_approve, week_detail, week_dispute, week_submit, week_time
from contracts.views.milestones import milestone_action, milestone_fund, milestone_submit, payin_detail, retainer_fund
from contracts.views.staff import payin_confirm, staff_queue

__all__ = [
    "contract_accept",
    "contract_action",
    "contract_detail",
    "contract_invite",
    "contract_list",
    "contract_new",
    "delivery_file",
    "dispute_decide",
    "dispute_detail",
    "evidence_file",
    "milestone_action",
    "milestone_fund",
    "milestone_submit",
    "payin_confirm",
    "payin_detail",
    "retainer_fund",
    "staff_queue",
    "terms_accept",
    "terms_change",
    "time_add",
    "week_approve",
    "week_detail",
    "week_dispute",
    "week_submit",
    "week_time",
]
