"""Retake the README screenshots from the demo data: `.venv/bin/python docs/screenshots/take.py`.

Builds a throwaway SQLite demo in a temporary folder, serves it with `runserver` on 127.0.0.1:8123, and
photographs pages with Debian's headless Chromium (Playwright) with JavaScript off, phones at 360 x 740.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PORT = 8123
PASSWORD = "kamai-demo-2026"  # the public demo password (web/management/commands/seed_demo.py)
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1100, "height": 900}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/demo.sqlite3", MEDIA_ROOT=f"{tmp}/media", DEBUG="1")
        env.pop("REDIS_URL", None)
        env["HUEY_IMMEDIATE"] = "1"
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "seed_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(f"http://127.0.0.1:{PORT}/")
            _shoot()
        finally:
            server.terminate()
            server.wait()


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 -- our own local server
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def _page(browser, email: str, language: str, viewport: dict):
    base = f"http://127.0.0.1:{PORT}"
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")
    return page, base


def _shoot() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        client, base = _page(browser, "emily@demo-client.example", "ur", PHONE)
        client.goto(f"{base}/contracts/")
        client.click("main table a[href^='/contracts/']")
        client.screenshot(path=OUT / "contract-room-ur-360.png", full_page=True)
        hourly, base = _page(browser, "oliver@demo-client.example", "ur", PHONE)
        hourly.goto(f"{base}/contracts/")
        rooms = {a.get_attribute("href") for a in hourly.locator("main a[href^='/contracts/']").all()}
        for room in sorted(rooms):
            hourly.goto(base + room)
            week = hourly.locator("a[href^='/contracts/weeks/']")
            if week.count():
                hourly.goto(base + week.first.get_attribute("href"))
                hourly.screenshot(path=OUT / "hourly-week-ur-360.png", full_page=True)
                break
        freelancer, base = _page(browser, "ayesha@demo.kamai.pk", "en", DESKTOP)
        freelancer.goto(f"{base}/books/")
        freelancer.screenshot(path=OUT / "books.png", full_page=True)
        freelancer.goto(f"{base}/wallet/")
        statement = freelancer.locator("a[href^='/wallet/accounts/']")
        if statement.count():
            freelancer.goto(base + statement.first.get_attribute("href"))
            freelancer.screenshot(path=OUT / "wallet-statement.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
