import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import ClientProfile, FreelancerProfile, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), FreelancerProfile.objects.count(), ClientProfile.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), FreelancerProfile.objects.count(), ClientProfile.objects.count()) == counts
    assert "kamai-demo-2026" in first and "ayesha@demo.kamai.pk" in first

    cities = set(FreelancerProfile.objects.values_list("city", flat=True))
    assert {"lahore", "karachi", "islamabad", "peshawar", "faisalabad", "multan"} <= cities
    assert {"US", "GB", "AE", "DE"} <= set(ClientProfile.objects.values_list("country", flat=True))
    assert User.objects.filter(is_staff=True).exists()
    assert not EmailAddress.objects.filter(verified=False).exists()  # demo logins work at once


def test_demo_freelancer_can_log_in(client):
    call_command("seed_demo")
    response = client.post("/accounts/login/", {"login": "ayesha@demo.kamai.pk", "password": "kamai-demo-2026"})
    assert response.status_code == 302
    assert "Ayesha Siddiqui" in client.get("/dashboard/").content.decode()


def test_seed_demo_fills_the_marketplace():
    from marketplace.models import ContractOffer, Job, Proposal, Review

    call_command("seed_demo")
    assert {"open", "draft", "closed", "filled"} <= set(Job.objects.values_list("state", flat=True))
    assert {"submitted", "shortlisted", "declined", "hired"} <= set(Proposal.objects.values_list("state", flat=True))
    assert {"offered", "accepted", "ended"} <= set(ContractOffer.objects.values_list("state", flat=True))
    assert Review.objects.filter(revealed_at__isnull=False).count() >= 3
    from contracts.models import Contract
    from messaging.models import Conversation

    assert Conversation.objects.count() >= 3
    assert {"proposed", "active", "completed"} <= set(Contract.objects.values_list("state", flat=True))
    counts = (Job.objects.count(), Proposal.objects.count(), Review.objects.count())
    call_command("seed_demo")
    assert (Job.objects.count(), Proposal.objects.count(), Review.objects.count()) == counts
