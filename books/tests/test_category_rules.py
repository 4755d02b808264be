"""The freelancer's category rules: applied on import, kept on the Categories page."""

import pytest
from django.urls import reverse

from books.category_rules import category_rule_add, category_rules_load
from books.errors import BooksError
from books.models import CategoryRule, Entry
from books.tests.test_import_layouts import imported


def test_an_import_uses_the_freelancers_rule_before_the_built_in(freelancer, other, rates):
    category_rule_add(user=freelancer, pattern="PTCL  Broadband", category="coworking")
    category_rule_add(user=freelancer, pattern="atm cash", category="other")
    imported(freelancer, "bank_pk.csv")
    imported(other, "bank_pk.csv")
    mine = dict(Entry.objects.filter(user=freelancer, kind="expense").values_list("description", "category"))
    assert mine["PTCL BROADBAND 021-1234567"] == "coworking"
    assert mine["K-ELECTRIC BILL 0400012345"] == "electricity"  # built-in
    assert mine["ATM CASH WITHDRAWAL FEE"] == "other"
    theirs = dict(Entry.objects.filter(user=other, kind="expense").values_list("description", "category"))
    assert theirs["PTCL BROADBAND 021-1234567"] == "internet"  # another freelancer's rule is not theirs


def test_rules_are_loaded_once_per_import(freelancer, rates, django_assert_max_num_queries):
    category_rule_add(user=freelancer, pattern="ptcl", category="coworking")
    with django_assert_max_num_queries(2):
        rules = category_rules_load(user=freelancer)
    assert rules == (("ptcl", "coworking"),)


@pytest.mark.parametrize(
    ("pattern", "category", "message"),
    [
        ("   ", "internet", "Enter the words"),
        ("x" * 101, "internet", "100 characters"),
        ("nayatel", "groceries", "Choose a category"),
    ],
)
def test_bad_rules_are_refused(freelancer, pattern, category, message):
    with pytest.raises(BooksError, match=message):
        category_rule_add(user=freelancer, pattern=pattern, category=category)
    assert not CategoryRule.objects.exists()


def test_the_page_needs_login_and_writes_nothing_on_get(client, freelancer):
    url = reverse("books:category_rules")
    assert client.get(url).status_code == 302
    assert client.post(url, {"pattern": "nayatel", "category": "internet"}).status_code == 302
    client.force_login(freelancer)
    page = client.get(url, {"pattern": "nayatel", "category": "internet"})
    assert page.status_code == 200 and "k-electric" in page.content.decode()
    assert (
        reverse("books:category_rules") in client.get(reverse("books:books_home")).content.decode()
    )  # in the books menu
    assert not CategoryRule.objects.exists()


def test_add_refuse_duplicate_and_delete_on_the_page(client, freelancer, other):
    client.force_login(freelancer)
    url = reverse("books:category_rules")
    response = client.post(url, {"pattern": " Daftarkhwan  Lahore ", "category": "coworking"}, follow=True)
    assert "daftarkhwan lahore" in response.content.decode()
    rule = CategoryRule.objects.get(user=freelancer)
    assert (rule.pattern, rule.category, rule.origin) == ("daftarkhwan lahore", "coworking", "user")

    duplicate = client.post(url, {"pattern": "DAFTARKHWAN lahore", "category": "other"})
    assert duplicate.status_code == 400
    assert "already have a rule for &#x27;daftarkhwan lahore&#x27;" in duplicate.content.decode()
    for bad in ({"pattern": "", "category": "other"}, {"pattern": "x", "category": "groceries"}):
        assert client.post(url, bad).status_code == 400
    assert CategoryRule.objects.count() == 1 and CategoryRule.objects.get().category == "coworking"

    delete = reverse("books:category_rule_delete", args=[rule.pk])
    assert client.get(delete).status_code == 405  # no writes on GET
    client.force_login(other)
    assert client.post(delete).status_code == 404  # a stranger's rule
    assert CategoryRule.objects.filter(pk=rule.pk).exists()
    client.force_login(freelancer)
    assert client.post(delete).status_code == 302
    assert not CategoryRule.objects.exists()


def test_the_delete_button_needs_the_csrf_token(freelancer):
    from django.test import Client

    rule = category_rule_add(user=freelancer, pattern="nayatel", category="other")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(freelancer)
    assert strict.post(reverse("books:category_rule_delete", args=[rule.pk])).status_code == 403
    assert CategoryRule.objects.filter(pk=rule.pk).exists()
