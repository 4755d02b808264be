from decimal import Decimal

import pytest

from books import services
from books.errors import BooksError

D = Decimal


def test_budget_set_and_clear(freelancer):
    services.budget_set(user=freelancer, category="internet", monthly_pkr=D("5000"))
    assert freelancer.budgets.get().monthly_pkr == D("5000.00")
    services.budget_set(user=freelancer, category="internet", monthly_pkr=D("0"))
    assert not freelancer.budgets.exists()
    with pytest.raises(BooksError):
        services.budget_set(user=freelancer, category="internet", monthly_pkr=D("-1"))
