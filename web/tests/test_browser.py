"""Real browser checks in Debian's Chromium through Playwright. The pages must work with JavaScript off."""

import pytest

from accounts.tests.factories import PASSWORD, ClientProfileFactory, FreelancerProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_edit_profile_and_switch_to_urdu_without_javascript(browser, live_server, tmp_path):
    profile = FreelancerProfileFactory(display_name="Bilal Ahmed", slug="bilal")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", profile.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert "Bilal Ahmed" in page.content()

    page.goto(f"{live_server.url}/me/profile/")
    page.fill("input[name=headline]", "Flutter apps that ship")
    page.fill("input[name=hourly_rate]", "28")
    page.click("text=Save profile")
    assert "Your profile is saved." in page.content()

    page.select_option("#lang-select", "ur")
    page.click("#lang-select ~ button")
    assert page.get_attribute("html", "dir") == "rtl"
    page.goto(f"{live_server.url}/f/bilal/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "Flutter apps that ship" in page.content()
    page.screenshot(path=str(tmp_path / "profile-ur.png"), full_page=True)
    context.close()


def test_sign_up_form_works_in_the_browser(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "browser@example.com")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=hat][value=client]")
    page.click("form[action='/accounts/signup/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/confirm-email/")
    from accounts.models import User

    assert User.objects.get(email="browser@example.com").active_hat == "client"
    context.close()


def test_pages_break_no_content_security_policy_rule(browser, live_server):
    from messaging.services import conversation_start
    from messaging.tests.conftest import make_job, make_proposal

    client_user = ClientProfileFactory(name="Sana Traders").user
    freelancer_user = FreelancerProfileFactory(display_name="Bilal").user
    proposal = make_proposal(make_job(client_user), freelancer_user)
    conversation = conversation_start(starter=client_user, proposal=proposal)
    context = browser.new_context()
    page = context.new_page()
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", client_user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    for path in ["/", "/jobs/", "/freelancers/", f"/messages/{conversation.pk}/"]:
        page.goto(f"{live_server.url}{path}")
    assert violations == []
    context.close()
