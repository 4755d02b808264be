"""The whole journey in a real browser with JavaScript off: a client posts a job, a freelancer finds it and
proposes, the client hires, the freelancer accepts, the client funds the milestone in escrow, the freelancer
delivers, the client approves, and the freelancer withdraws to a Pakistani bank account that staff pay."""

from datetime import date, timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.test_mfa import totp_now
from marketplace.tests.factories import make_client, make_freelancer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def iban_with_check_digits(bank_and_account: str) -> str:
    """A valid Pakistani IBAN (ISO 13616 mod-97) for the 20-character bank code + account number."""
    digits = "".join(str(int(c, 36)) for c in bank_and_account + "PK00")
    return f"PK{98 - int(digits) % 97:02d}{bank_and_account}"


def page_as(browser, live_server, user, totp_secret: str = ""):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    if totp_secret:  # staff sign in with two factors
        page.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
        page.fill("input[name=code]", totp_now(totp_secret))
        page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    return page


def test_post_hire_fund_deliver_approve_and_withdraw(browser, live_server):
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

    client = page_as(browser, live_server, client_user)
    client.goto(f"{url}/jobs/new/")
    client.fill("input[name=title]", "Booking site for a Lahore salon")
    client.fill("textarea[name=description]", "Django booking site with reminders by SMS.")
    client.check(f"input[name=skills][value='{freelancer.freelancer_profile.skills.first().pk}']")
    client.check("input[name=budget_type][value=fixed]")
    client.fill("input[name=budget_min]", "300")
    client.fill("input[name=budget_max]", "600")
    client.click("button[name=publish]")
    assert "Job published." in client.content()
    job_url = client.url

    worker = page_as(browser, live_server, freelancer)
    worker.goto(f"{url}/jobs/?q=salon+booking")
    worker.click("text=Booking site for a Lahore salon")
    worker.click("text=Send a proposal")
    worker.fill("textarea[name=cover_letter]", "I built three booking sites in Django.")
    worker.fill("input[name=bid]", "500")
    due = (date.today() + timedelta(days=10)).isoformat()
    worker.fill("input[name=m1_title]", "Whole site")
    worker.fill("input[name=m1_amount]", "500")
    worker.fill("input[name=m1_due]", due)
    worker.click("text=Send proposal")
    assert "Proposal sent." in worker.content()

    client.goto(job_url)
    client.click("a.button:has-text('1 proposal')")
    client.click("text=Open")
    client.click("button:has-text('Hire')")
    # The offer is reviewed before it is sent: amounts, total, Kamai's fee, what the freelancer receives.
    review = client.content()
    assert "Review the offer" in review and "$500.00" in review and "$25.00" in review and "$475.00" in review
    client.click("button:has-text('Send the offer')")
    assert "Offer sent." in client.content()

    worker.goto(f"{url}/offers/")
    worker.click("text=Booking site for a Lahore salon")
    worker.click("button:has-text('Accept offer')")
    worker.click("text=Open the contract")
    contract_url = worker.url

    client.goto(contract_url)
    client.check("input[name=provider][value=sandbox]")
    client.click("button:has-text('Fund')")
    assert "Funded (in escrow)" in client.content()

    worker.goto(contract_url)
    worker.click("a.button:has-text('Deliver')")
    worker.fill("textarea[name=message]", "The site is live at the salon's domain.")
    worker.click("button:has-text('Deliver for review')")
    assert "Delivered, in review" in worker.content()

    client.goto(contract_url)
    client.click("button:has-text('Approve and release')")
    confirm = client.content()
    assert "$500.00" in confirm and "$25.00" in confirm and "cannot be undone" in confirm
    client.click("button:has-text('Release $500.00')")
    assert "Approved and released" in client.content()

    worker.goto(f"{url}/wallet/")
    assert "$475.00" in worker.content()  # 500 less the 5% fee
    worker.click("text=Withdraw to your bank")
    worker.click("text=My bank accounts")
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

    office = page_as(browser, live_server, staff, staff_secret)
    office.goto(f"{url}/staff/withdrawals/")
    office.fill(f"#ref-{withdrawal.pk}", "MEEZAN-FT-1")
    office.fill(f"#prc-{withdrawal.pk}", "PRC-2026-1")
    office.click(f"form:has(#ref-{withdrawal.pk}) button[type=submit]")
    withdrawal.refresh_from_db()
    assert withdrawal.state == "settled"
    assert ledger_problems() == []
