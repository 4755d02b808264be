"""Set-up shared by this app's tests."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import ClientProfile, FreelancerProfile
from contracts import services as contract_services
from contracts.models import Milestone
from contracts.tests.helpers import fixed_contract, key
from invoicing import services as invoicing_services
from invoicing.tests.factories import ClientFactory, make_invoice
from marketplace.tests.factories import make_client, make_freelancer


def freelancers(count, *, city="", skills=(), rate="30", currency="USD", pseb=False):
    users = [make_freelancer(skills=skills, rate=rate, currency=currency) for _ in range(count)]
    FreelancerProfile.objects.filter(user__in=users).update(
        city=city, pseb_registration_number="PSEB/123" if pseb else ""
    )
    return users


def clients(count, *, country=""):
    users = [make_client() for _ in range(count)]
    ClientProfile.objects.filter(user__in=users).update(country=country)
    return users


def released_milestone(*, amount="500", automatic=False):
    contract = fixed_contract(amounts=(amount,))
    milestone = contract.milestones.get()
    contract_services.milestone_fund(
        milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key()
    )
    contract_services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="Done")
    if automatic:
        Milestone.objects.filter(pk=milestone.pk).update(review_ends_at=timezone.now() - timedelta(minutes=1))
        contract_services.auto_release_due()
    else:
        contract_services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    return Milestone.objects.get(pk=milestone.pk)


def paid_invoice(*, days_to_pay):
    issued_on = timezone.localdate() - timedelta(days=40)
    invoice = make_invoice(client=ClientFactory(), issue_date=issued_on)
    invoicing_services.payment_record(
        invoice=invoice,
        freelancer=invoice.freelancer,
        amount=invoice.total,
        currency=invoice.currency,
        method="wise",
        received_on=issued_on + timedelta(days=days_to_pay),
        idempotency_key=key(),
    )
    return invoice
