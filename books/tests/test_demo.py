from accounts.tests.factories import FreelancerProfileFactory
from books import demo
from books.models import Entry, Remittance


def test_demo_seed_is_idempotent(db):
    FreelancerProfileFactory(user__email=demo.EMAIL)
    assert "Books" in demo.seed()
    counts = (Entry.objects.count(), Remittance.objects.count())
    assert counts[0] > 30 and counts[1] == 4
    demo.seed()
    assert (Entry.objects.count(), Remittance.objects.count()) == counts
