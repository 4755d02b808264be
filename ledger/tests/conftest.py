import pytest

from ledger import services
from ledger.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def wallet(user):
    return services.freelancer_wallet_account(freelancer=user, currency="USD")


@pytest.fixture
def bank(db):
    return services.platform_bank_account(currency="USD")
