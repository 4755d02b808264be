"""Public pages kept in the cache for anonymous visitors (common.fragments): served from the cache while
nothing they show changed, rendered afresh as soon as a service changes it, never for signed-in people, and
one copy per language and query."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Skill
from accounts.services import freelancer_profile_update
from marketplace.models import JobState
from marketplace.services import job_transition
from marketplace.tests.factories import make_client, make_freelancer, make_job

pytestmark = pytest.mark.django_db


def _queries(client, path) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_job_search_is_served_from_the_cache_until_a_job_changes(client):
    owner = make_client()
    make_job(owner, title="Django shop for a bakery")
    first_count, first = _queries(client, "/jobs/?q=django")
    again_count, again = _queries(client, "/jobs/?q=django")
    assert "Django shop for a bakery" in first and "Django shop for a bakery" in again
    assert again_count < first_count  # the search itself did not run again
    make_job(owner, title="Django API for a school")
    _count, fresh = _queries(client, "/jobs/?q=django")
    assert "Django API for a school" in fresh
    closed = make_job(owner, title="Django admin for a clinic")
    assert "Django admin for a clinic" in client.get("/jobs/?q=django").content.decode()
    job_transition(job=closed, client=owner, to_state=JobState.CLOSED)
    assert "Django admin for a clinic" not in client.get("/jobs/?q=django").content.decode()


def test_each_query_and_language_has_its_own_copy(client):
    make_job(title="Django shop", description="Online shop.")
    make_job(title="Logo design", description="A bakery logo.", skills=("graphic-design",))
    assert "Django shop" in client.get("/jobs/?q=django").content.decode()
    logo = client.get("/jobs/?q=logo").content.decode()
    assert "Logo design" in logo and "Django shop" not in logo
    english = client.get("/jobs/?q=django").content.decode()
    client.cookies["django_language"] = "ur"
    urdu = client.get("/jobs/?q=django").content.decode()
    assert 'lang="ur"' in urdu and urdu != english
    assert "Find work" in english and "Find work" not in urdu.split("<main", 1)[-1]


def test_a_profile_edit_shows_at_once_in_freelancer_search_and_on_the_home_page(client):
    user = make_freelancer(headline="Django developer", name="Ayesha Khan")
    assert "Ayesha Khan" in client.get("/freelancers/?q=django").content.decode()
    client.get("/")
    freelancer_profile_update(
        profile=user.freelancer_profile,
        display_name="Ayesha Siddiqui",
        headline="Django developer",
        skills=list(Skill.objects.filter(slug="web-development")),
    )
    assert "Ayesha Siddiqui" in client.get("/freelancers/?q=django").content.decode()
    assert "Ayesha Siddiqui" in client.get("/").content.decode()


def test_signed_in_people_always_get_a_fresh_page(client):
    from marketplace.models import Job

    owner = make_client()
    job = make_job(owner, title="Django shop for a bakery")
    anonymous = client.get("/jobs/?q=django").content.decode()
    client.force_login(owner)
    assert "Django shop for a bakery" in client.get("/jobs/?q=django").content.decode()
    # A change no service announced: the anonymous copy may lag (60 s at most), a signed-in reader never does.
    Job.objects.filter(pk=job.pk).update(title="Django shop for a bakery, renamed")
    assert "renamed" in client.get("/jobs/?q=django").content.decode()
    client.logout()
    still = client.get("/jobs/?q=django").content.decode()
    assert "renamed" not in still and "Django shop for a bakery" in still and "renamed" not in anonymous


# --- Personal parts: wallet, statements, books, tax --------------------------------------------------------


def _signed_in(client, user):
    client.force_login(user)
    client.get("/")  # a browser carries the CSRF cookie from its first page on
    assert client.cookies.get("csrftoken")
    return client


def _generation(group: str):
    from django.core.cache import cache

    return cache.get(f"kamai:part:gen:{group}")


def test_a_wallet_shows_a_new_balance_as_soon_as_the_ledger_moves_it(client):
    from ledger import services as ledger
    from ledger.tests.helpers import deposit

    user = make_freelancer()
    wallet = ledger.freelancer_wallet_account(freelancer=user, currency="USD")
    deposit(wallet, "10.00")
    _signed_in(client, user)
    first_count, first = _queries(client, "/wallet/")
    again_count, again = _queries(client, "/wallet/")
    assert "$10.00" in first and "$10.00" in again and again_count < first_count
    deposit(wallet, "5.25")  # no request of theirs: a posting to their account
    _count, fresh = _queries(client, "/wallet/")
    assert "$15.25" in fresh


def test_books_show_an_entry_recorded_outside_the_page(client):
    from datetime import date
    from decimal import Decimal

    from books.services.entries import expense_record

    user = make_freelancer()
    _signed_in(client, user)
    assert "Nayatel bill" not in client.get("/books/").content.decode()
    expense_record(
        user=user, occurred_on=date.today(), amount=Decimal("2500"), currency="PKR", category="internet",
        note="Nayatel bill", idempotency_key="cached-parts:1",
    )  # fmt: skip
    assert "Nayatel bill" in client.get("/books/").content.decode()


def test_each_user_gets_their_own_part(client, django_user_model):
    from django.test import Client

    from ledger import services as ledger
    from ledger.tests.helpers import deposit

    rich, poor = make_freelancer(), make_freelancer()
    deposit(ledger.freelancer_wallet_account(freelancer=rich, currency="USD"), "900.00")
    deposit(ledger.freelancer_wallet_account(freelancer=poor, currency="USD"), "1.00")
    assert "$900.00" in _signed_in(client, rich).get("/wallet/").content.decode()
    other = _signed_in(Client(), poor).get("/wallet/").content.decode()
    assert "$1.00" in other and "$900.00" not in other


def test_a_write_request_renews_the_writers_parts_and_a_staff_write_everyones(client):
    from accounts.tests.factories import UserFactory

    user = make_freelancer()
    _signed_in(client, user)
    before = _generation(f"user:{user.pk}")
    client.post("/books/categories/", {"pattern": "nayatel", "category": "internet"})
    assert _generation(f"user:{user.pk}") != before
    people = _generation("people")
    client.get("/books/")
    assert _generation("people") == people  # reading renews nothing
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    client.post("/i18n/setlang/", {"language": "en"})
    assert _generation("people") != people


def _escrow_card(html: str) -> str:
    return html.split("In escrow", 1)[1].split("</div>", 1)[0]


def test_a_contract_room_shows_what_the_other_party_did(client):
    from django.test import Client

    from contracts import services
    from contracts.tests.helpers import fixed_contract, key

    contract = fixed_contract(amounts=("300",))
    milestone = contract.milestones.get()
    room = f"/contracts/{contract.pk}/"
    freelancer = _signed_in(client, contract.freelancer)
    first_count, first = _queries(freelancer, room)
    again_count, _again = _queries(freelancer, room)
    assert again_count < first_count
    assert "$0.00" in _escrow_card(first)  # nothing in escrow yet
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    funded = freelancer.get(room).content.decode()
    assert "$300.00" in _escrow_card(funded)
    # The client's own room is theirs alone.
    theirs = _signed_in(Client(), contract.client).get(room).content.decode()
    assert 'class="danger">Refund to client' not in theirs and 'class="danger">Refund to client' in funded


def test_a_kept_contract_room_is_never_served_to_a_stranger(client):
    from django.test import Client

    from contracts.tests.helpers import fixed_contract

    contract = fixed_contract(amounts=("300",))
    room = f"/contracts/{contract.pk}/"
    freelancer = _signed_in(client, contract.freelancer)
    freelancer.get(room)
    count, _kept = _queries(freelancer, room)
    assert count <= 2  # the user (and the connection's health check): no contract query for a kept room
    stranger = _signed_in(Client(), make_freelancer())
    assert stranger.get(room).status_code == 404
    assert Client().get(room).status_code == 302  # anonymous: to the login page


def test_a_public_profile_is_cached_for_visitors_until_the_freelancer_edits_it(client):
    user = make_freelancer(headline="Django developer", name="Bilal Ahmed")
    path = f"/f/{user.freelancer_profile.slug}/"
    first_count, first = _queries(client, path)
    again_count, again = _queries(client, path)
    assert "Bilal Ahmed" in first and again_count == 0 < first_count
    assert "<title>Bilal Ahmed" in again
    freelancer_profile_update(profile=user.freelancer_profile, display_name="Bilal Ahmed", headline="Python and Go")
    assert "Python and Go" in client.get(path).content.decode()
    assert client.get("/f/no-such-freelancer/").status_code == 404


def test_a_profile_staff_switch_off_is_gone_after_their_next_write(client):
    from django.test import Client

    from accounts.tests.factories import UserFactory

    user = make_freelancer(name="Sana Mir")
    path = f"/f/{user.freelancer_profile.slug}/"
    assert "Sana Mir" in client.get(path).content.decode()
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    type(user).objects.filter(pk=user.pk).update(is_active=False)  # as the admin's change form saves it ...
    staff.post("/i18n/setlang/", {"language": "en"})  # ... within a staff write request
    assert client.get(path).status_code == 404


# --- Whole pages: the CSRF token, flash messages, the Redis client ----------------------------------------


def _form_token(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_a_kept_page_carries_each_readers_own_csrf_token(client):
    from django.test import Client

    from common.fragments import CSRF_PLACEHOLDER

    make_job(title="Django shop for a bakery")
    first = client.get("/jobs/?q=django").content.decode()
    other = Client(enforce_csrf_checks=True)
    count, kept = _queries(other, "/jobs/?q=django")
    assert count == 0  # served from the kept copy
    assert CSRF_PLACEHOLDER not in first and CSRF_PLACEHOLDER not in kept
    token = _form_token(kept)
    # The other visitor's token works with their own cookie (their language switch goes through) ...
    answer = other.post("/i18n/setlang/", {"language": "ur", "next": "/", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    # ... while the first visitor's token is refused with the other's cookie.
    stranger = other.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": _form_token(first)})
    assert stranger.status_code == 403


def test_text_like_the_placeholder_in_a_profile_stays_text(client):
    from common.fragments import CSRF_PLACEHOLDER

    user = make_freelancer(headline=f"Django {CSRF_PLACEHOLDER} developer", name="Usman Tariq")
    path = f"/f/{user.freelancer_profile.slug}/"
    client.get(path)
    kept = client.get(path).content.decode()
    assert "Django &lt;kamai-csrf-token/&gt; developer" in kept
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', kept)
    assert tokens and all(len(token) == 64 and token.isalnum() for token in tokens)


def test_a_personal_page_is_kept_for_a_new_csrf_cookie_too(client):
    from django.test import Client

    user = make_freelancer()
    _signed_in(client, user)
    first_count, _first = _queries(client, "/wallet/")
    again_count, _again = _queries(client, "/wallet/")
    other_browser = Client()
    other_browser.force_login(user)  # the same person on their phone: another session, another CSRF cookie
    phone_count, phone = _queries(other_browser, "/wallet/")
    assert again_count < first_count and phone_count == again_count
    assert other_browser.cookies.get("csrftoken")  # the served page gave the phone its own cookie
    assert 'name="csrfmiddlewaretoken"' in phone


def test_a_page_with_a_message_to_show_is_neither_kept_nor_served_from_the_cache(client):
    from django.urls import reverse

    user = make_freelancer()
    _signed_in(client, user)
    client.get("/books/")
    data = {"key": "flash-1", "occurred_on": "2025-07-03", "amount": "1500", "currency": "PKR",
            "category": "internet", "place": "cash", "note": "PTCL"}  # fmt: skip
    response = client.post(reverse("books:expense_add"), data, follow=True)
    page = response.content.decode()
    assert 'class="messages"' in page and "PTCL" in page
    later = client.get("/books/").content.decode()
    assert 'class="messages"' not in later and "PTCL" in later  # the message was shown once, not kept


def test_the_redis_cache_reuses_one_client():
    import os

    from kamai.cache import RedisCache

    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis (REDIS_URL)")
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "kamai-test-one-client"})
    cache.set("value", {"n": 1}, 30)
    assert cache.get("value") == {"n": 1} and cache.get_many(["value", "none"]) == {"value": {"n": 1}}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.delete("value")
    assert cache.get("value") is None
