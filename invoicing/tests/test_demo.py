import pytest
from django.core.management import call_command

from accounts.models import User
from invoicing import demo
from invoicing.models import Invoice, InvoiceState
from invoicing.tests.factories import make_freelancer

pytestmark = pytest.mark.django_db


def test_demo_seed_has_every_state_and_is_idempotent():
    make_freelancer(email=demo.FREELANCER)
    assert "Invoicing demo:" in demo.seed()
    assert demo.seed() == "Invoicing demo already present."
    user = User.objects.get(email=demo.FREELANCER)
    states = set(Invoice.objects.filter(freelancer=user, kind="invoice").values_list("state", flat=True))
    assert states == set(InvoiceState.values)
    overdue = Invoice.objects.get(freelancer=user, state=InvoiceState.OVERDUE)
    assert overdue.late_fee_minor > 0
    assert Invoice.objects.filter(freelancer=user, kind="credit_note").exists()
    assert user.recurring_invoices.exists()
    call_command("ledger_check")
