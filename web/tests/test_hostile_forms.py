"""Every form a demo user can reach, posted with hostile values in every field, answers without a 5xx and
moves no money (issue 11, item 3). Pages come from the URL conf (every route without parameters) and from
following the links each demo user sees (routes with ids, filled with the demo world's own objects)."""

import os
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.models import User
from accounts.tests.factories import force_login_with_mfa
from ledger.models import Transaction
from web.tests.test_crawl import SKIP, crawl

pytestmark = pytest.mark.django_db

HOSTILE = ["1e30", "1E+400", "NaN", "-1", "1_0", "٣", "9" * 40, "<script>"]
# Free text is the whole point of these forms: any text confirms the transfer or logs the user out.
NOT_PARSING = {"payin_confirm", "account_logout"}


def parameterless_routes(resolver=None, prefix="") -> list[str]:
    """Every path in the URL conf that needs no parameter."""
    paths = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if "<" in route or "(" in route or "^" in route:
            continue
        if isinstance(entry, URLResolver):
            paths += parameterless_routes(entry, route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + route)
    return [path for path in paths if not path.startswith(SKIP)]


class FormParser(HTMLParser):
    """The POST forms on a page: action and fields (name, type, value, first option)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                self._form["fields"].setdefault(a["name"], ("choice", a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"][a["name"]] = (kind, a.get("value", ""))
        elif tag == "textarea":
            self._form["fields"][a["name"]] = ("textarea", "")
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"][a["name"]] = ("choice", "")
        elif tag == "option" and self._select and not self._form["fields"][self._select][1]:
            self._form["fields"][self._select] = ("choice", a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def hostile_posts(client, pages: list[str]) -> dict:
    """Post every hostile value into every typed field of each distinct form; choices keep a valid option so
    the amounts are what gets parsed. Returns {(url name, value): status} for anything 5xx or moving money."""
    problems, done = {}, set()
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = FormParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or page
            if not action.startswith("/") or action.startswith(SKIP):
                continue
            name = resolve(action.split("?")[0]).url_name
            typed = sorted(f for f, (kind, _) in form["fields"].items() if kind not in ("hidden", "choice"))
            if name in NOT_PARSING or not typed or (name, tuple(typed)) in done:
                continue
            done.add((name, tuple(typed)))
            for value in HOSTILE:
                data = {f: (value if f in typed else v) for f, (kind, v) in form["fields"].items()}
                before = Transaction.objects.count()
                status = client.post(action, data).status_code
                if status >= 500 or Transaction.objects.count() != before:
                    problems[(name, value)] = status
    return problems


@pytest.mark.parametrize(
    "email",
    [
        "ayesha@demo.kamai.pk",
        "bilal@demo.kamai.pk",
        "emily@demo-client.example",
        "oliver@demo-client.example",
        "mediator@demo.kamai.pk",
    ],
)
def test_hostile_values_in_every_form_give_no_5xx_and_move_no_money(client, email):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client.raise_request_exception = False
    user = User.objects.get(email=email)
    force_login_with_mfa(client, user)
    pages = sorted(set(crawl(client, ["/dashboard/", *parameterless_routes()], limit=400)))
    problems = hostile_posts(client, pages)
    other = "client" if user.active_hat == "freelancer" else "freelancer"
    client.post("/me/hat/", {"hat": other})
    problems.update(hostile_posts(client, sorted(set(crawl(client, ["/dashboard/"], limit=150)))))
    assert problems == {}


def test_the_url_conf_walk_finds_the_money_forms():
    paths = parameterless_routes()
    for path in ["/jobs/new/", "/withdrawals/new/", "/invoices/new/", "/books/expenses/new/"]:
        assert path in paths
