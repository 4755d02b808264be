"""The whole journey in a real browser with JavaScript off: a client posts a job, a freelancer finds it and
proposes, the client hires, the freelancer accepts, the client funds the milestone in escrow, the freelancer
delivers, the client approves, and the freelancer withdraws to a Pakistani bank account that staff pay."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Error as PlaywrightError

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.test_mfa import totp_now
from marketplace.tests.factories import make_client, make_freelancer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def iban_with_check_digits(bank_and_account: str) -> str:
    """A valid Pakistani IBAN (ISO 13616 mod-97) for the 20-character bank code + account number."""
    digits = "".join(str(int(c, 36)) for c in bank_and_account + "PK00")
    return f"PK{98 - int(digits) % 97:02d}{bank_and_account}"


class Journey:
    """One language and one screen: opens signed-in pages, translates the words it clicks and checks that
    no page it sees is wider than the screen."""

    def __init__(self, browser, live_server, language: str, viewport: dict):
        self.browser, self.live_server, self.language, self.viewport = browser, live_server, language, viewport
        self.too_wide: dict[str, int] = {}
        self.checked = 0

    def t(self, text: str) -> str:
        from django.utils import translation

        with translation.override(self.language):
            return translation.gettext(text)

    def n(self, singular: str, plural: str, count: int) -> str:
        from django.utils import translation

        with translation.override(self.language):
            return translation.ngettext(singular, plural, count) % {"n": count}

    def money(self, amount: str, currency: str = "USD") -> str:
        from ledger.money import format_money

        return format_money(Decimal(amount), currency, self.language)

    def check_width(self, page) -> None:
        try:
            width = page.evaluate("document.documentElement.scrollWidth")
        except PlaywrightError:  # the test already moved on to the next page (a form posted, a redirect)
            return
        self.checked += 1
        if width > self.viewport["width"]:
            self.too_wide[page.url] = width

    def page_as(self, user, totp_secret: str = ""):
        context = self.browser.new_context(java_script_enabled=False, viewport=self.viewport)
        host = self.live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "django_language", "value": self.language, "domain": host, "path": "/"}])
        page = context.new_page()
        page.on("load", lambda loaded: self.check_width(loaded))
        url = self.live_server.url
        page.goto(f"{url}/accounts/login/")
        assert page.get_attribute("html", "lang") == self.language
        assert page.get_attribute("html", "dir") == ("rtl" if self.language == "ur" else "ltr")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        if totp_secret:  # staff sign in with two factors
            page.wait_for_url(f"{url}/accounts/2fa/authenticate/")
            page.fill("input[name=code]", totp_now(totp_secret))
            page.click("main form button[type=submit]")
        page.wait_for_url(f"{url}/dashboard/")
        return page


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("ur", PHONE)], ids=["en-desktop", "ur-phone"])
def test_post_hire_fund_deliver_approve_and_withdraw(browser, live_server, language, viewport):
    from accounts.models import Skill
    from ledger.checks import ledger_problems
    from payouts.models import Withdrawal

    # Transactional tests flush the tables between tests, taking the migrated skills taxonomy with them.
    Skill.objects.get_or_create(slug="web-development", defaults={"name": "Web development"})
    client_user = make_client()
    freelancer = make_freelancer(skills=["web-development"], headline="Django developer")
    staff = UserFactory(is_staff=True)
    staff_secret = generate_totp_secret()
    TOTP.activate(staff, staff_secret)
    url = live_server.url
    journey = Journey(browser, live_server, language, viewport)
    t, money = journey.t, journey.money

    client = journey.page_as(client_user)
    client.goto(f"{url}/jobs/new/")
    client.fill("input[name=title]", "Booking site for a Lahore salon")
    client.fill("textarea[name=description]", "Django booking site with reminders by SMS.")
    client.check(f"input[name=skills][value='{freelancer.freelancer_profile.skills.first().pk}']")
    client.check("input[name=budget_type][value=fixed]")
    client.fill("input[name=budget_min]", "300")
    client.fill("input[name=budget_max]", "600")
    client.click("button[name=publish]")
    assert t("Job published.") in client.content()
    job_url = client.url

    worker = journey.page_as(freelancer)
    worker.goto(f"{url}/jobs/?q=salon+booking")
    worker.click("text=Booking site for a Lahore salon")
    worker.click(f"text={t('Send a proposal')}")
    worker.fill("textarea[name=cover_letter]", "I built three booking sites in Django.")
    worker.fill("input[name=bid]", "500")
    due = (date.today() + timedelta(days=10)).isoformat()
    worker.fill("input[name=m1_title]", "Whole site")
    worker.fill("input[name=m1_amount]", "500")
    worker.fill("input[name=m1_due]", due)
    worker.click(f'button:has-text("{t("Send proposal")}")')
    assert t("Proposal sent.") in worker.content()

    client.goto(job_url)
    client.click(f'a.button:has-text("{journey.n("%(n)s proposal", "%(n)s proposals", 1)}")')
    client.click("td a[href^='/proposals/']")
    client.click(f'button:has-text("{t("Hire")}")')
    # The offer is reviewed before it is sent: amounts, total, Kamai's fee, what the freelancer receives.
    review = client.content()
    assert t("Review the offer") in review
    assert money("500") in review and money("25") in review and money("475") in review
    client.click(f'button:has-text("{t("Send the offer")}")')
    assert t("Offer sent. The freelancer will accept it to start the contract.") in client.content()

    worker.goto(f"{url}/offers/")
    worker.click("text=Booking site for a Lahore salon")
    worker.click(f'button:has-text("{t("Accept offer")}")')
    worker.click(f"text={t('Open the contract')}")
    contract_url = worker.url

    client.goto(contract_url)
    client.check("input[name=provider][value=sandbox]")
    client.click("form:has(input[name=provider]) button[type=submit]")
    assert t("Funded (in escrow)") in client.content()

    worker.goto(contract_url)
    worker.click("a.button[href*='/submit']")
    worker.fill("textarea[name=message]", "The site is live at the salon's domain.")
    worker.click(f'button:has-text("{t("Deliver for review")}")')
    assert t("Delivered, in review") in worker.content()

    client.goto(contract_url)
    client.click(f'button:has-text("{t("Approve and release")}")')
    confirm = client.content()
    assert money("500") in confirm and money("25") in confirm and t("This cannot be undone.") in confirm
    client.click(f'button:has-text("{t("Release %(amount)s") % {"amount": money("500")}}")')
    assert t("Approved and released to the freelancer.") in client.content()

    worker.goto(f"{url}/wallet/")
    assert money("475") in worker.content()  # 500 less the 5% fee
    worker.click(f"text={t('Withdraw to your bank')}")
    worker.click(f"text={t('My bank accounts')}")
    worker.fill("input[name=title]", freelancer.freelancer_profile.display_name)
    worker.fill("input[name=iban]", iban_with_check_digits("MEZN0002010102345678"))
    worker.check("input[name=kind][value=fcy]")
    worker.select_option("select[name=currency]", "USD")
    worker.fill("input[name=bank_name]", "Meezan Bank")
    worker.click("main form button[type=submit]")
    worker.goto(f"{url}/withdrawals/new/")
    worker.fill("input[name=amount]", "400")
    worker.click("main form button[type=submit]:not([name=preview])")
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.state == "requested"

    office = journey.page_as(staff, staff_secret)
    office.goto(f"{url}/staff/withdrawals/")
    office.fill(f"#ref-{withdrawal.pk}", "MEEZAN-FT-1")
    office.fill(f"#prc-{withdrawal.pk}", "PRC-2026-1")
    office.click(f"form:has(#ref-{withdrawal.pk}) button[type=submit]")
    withdrawal.refresh_from_db()
    assert withdrawal.state == "settled"
    assert ledger_problems() == []
    assert journey.too_wide == {}, journey.too_wide
    assert journey.checked >= 20  # most of the way's pages were measured, not only the last
