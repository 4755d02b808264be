from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.services import freelancer_profile_ensure
from accounts.tests.factories import UserFactory
from invoicing import services
from invoicing.calculations import LineInput, TaxInput
from invoicing.models import Client


def make_freelancer(**kwargs):
    user = UserFactory(**kwargs)
    freelancer_profile_ensure(user=user)
    return user


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    freelancer = factory.LazyFunction(make_freelancer)
    name = factory.Sequence(lambda n: f"Client {n}")
    company = "Acme Ltd"
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    default_currency = "USD"
    payment_terms_days = 15


def make_invoice(
    *,
    client=None,
    freelancer=None,
    lines=(("Website build", "1", "500.00"),),
    taxes=(),
    currency="USD",
    issue=True,
    issue_date=None,
    days=15,
    **kwargs,
):
    client = client or ClientFactory(**({"freelancer": freelancer} if freelancer else {}))
    issue_date = issue_date or timezone.localdate()
    invoice = services.invoice_save_draft(
        freelancer=client.freelancer,
        client=client,
        currency=currency,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=days),
        lines=[LineInput(d, Decimal(q), Decimal(p)) for d, q, p in lines],
        taxes=[TaxInput(n, Decimal(r)) for n, r in taxes],
        **kwargs,
    )
    if issue:
        invoice = services.invoice_issue(invoice=invoice, freelancer=client.freelancer)
    return invoice
