"""Real browser checks in Debian's Chromium through Playwright. The pages must work with JavaScript off."""

import os
import shutil

import pytest

from accounts.tests.factories import PASSWORD, FreelancerProfileFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests")
    pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop; Django refuses sync ORM calls from inside one unless told.
    # Scoped to this module so the setting never leaks into other tests (check --deploy refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


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
