from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from contracts import services
from contracts.tests.helpers import (
    assert_ledger_clean,
    fixed_contract,
    key,
    wallet,
)
from ledger.models import Transaction

pytestmark = pytest.mark.django_db


def test_auto_release_after_the_review_window_once(django_capture_on_commit_callbacks):
    from django.utils import timezone

    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    now = timezone.now()
    assert services.auto_release_warn(now=now) == 0
    in_13_days = now + timedelta(days=13)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.auto_release_warn(now=in_13_days) == 1
        assert services.auto_release_warn(now=in_13_days) == 0  # told once
    assert len(mail.outbox) == 1 and "2 days" in mail.outbox[0].subject
    assert services.auto_release_due(now=in_13_days) == 0
    later = now + timedelta(days=15)
    assert services.auto_release_due(now=later) == 1
    assert services.auto_release_due(now=later) == 0  # a second run releases nothing twice
    assert wallet(contract.freelancer) == Decimal("95.00")
    assert Transaction.objects.filter(kind="escrow_release").count() == 1
    assert_ledger_clean()
