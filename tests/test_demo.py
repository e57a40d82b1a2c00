"""The demo (``python example/manage.py demo``, what ``tox -e demo`` runs), over HTTP.

The demo runs as a child process, as a developer would run it, with its own
SQLite file in a temporary folder. A small urllib "browser" (cookies, CSRF
tokens, redirects) signs up, subscribes, cancels and logs in to the admin; the
demo's database is read with sqlite3 to see the webhooks localstripe sent.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.localstripe_server import free_port, wait_for

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "example" / "manage.py"
# Left to the demo's defaults: no real Stripe key, no other server, no settings module.
CLEARED_ENVIRONMENT = (
    "DJANGO_SETTINGS_MODULE",
    "STRIPE_TEST_SECRET_KEY",
    "STRIPE_TEST_PUBLIC_KEY",
    "STRIPE_API_HOST",
    "DJSTRIPE_WEBHOOK_SECRET",
)
LOCALSTRIPE_URL = re.compile(r"localstripe\) at (http://127\.0\.0\.1:\d+)")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def demo_environment(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENVIRONMENT}
    env.update(DEMO_DATABASE=str(database), PYTHONUNBUFFERED="1")
    return env


def localstripe_url(log: str) -> str:
    match = LOCALSTRIPE_URL.search(log)
    assert match, f"the demo did not say where localstripe runs:\n{log}"
    return match.group(1)


def refuses_connections(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/v1/customers", timeout=2)
    except urllib.error.HTTPError:
        return False  # it answered
    except OSError:
        return True
    return False


def query(database: Path, sql: str, *params) -> list[tuple]:
    """Read the demo's database while the demo runs (read-only)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql, params).fetchall()


# -- a tiny browser ----------------------------------------------------------------


@dataclass
class Page:
    status: int
    url: str
    text: str

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path

    def csrf_token(self) -> str:
        match = CSRF_TOKEN.search(self.text)
        assert match, f"no form with a CSRF token on {self.url}"
        return match.group(1)


class Browser:
    """Cookies, CSRF tokens and redirects, with urllib only."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)

    def get(self, path: str) -> Page:
        return self.open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: dict[str, str], token_from: Page) -> Page:
        """Submit ``fields`` to ``path`` as a form of the page ``token_from`` would."""
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token_from.csrf_token(), **fields})
        return self.open(urllib.request.Request(self.base_url + path, data=data.encode()))

    def submit(self, path: str, fields: dict[str, str]) -> Page:
        """Open the form at ``path``, then submit it."""
        return self.post(path, fields, token_from=self.get(path))

    def open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode(errors="replace"))


# -- the demo as a child process -----------------------------------------------------


@dataclass
class Demo:
    url: str
    database: Path
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_until_it_answers(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the demo exited early:\n{self.log()}")
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
            except OSError:
                time.sleep(0.2)
            else:
                return
        raise AssertionError(f"the demo did not answer at {self.url}:\n{self.log()}")

    def stop(self) -> int:
        """Stop it as ``kill`` would (SIGTERM); return its exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the demo did not stop on SIGTERM:\n{self.log()}") from None


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    database, log_path = tmp_path / "demo.sqlite3", tmp_path / "demo.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, str(MANAGE), "demo", "--port", str(port)],
            cwd=ROOT,
            env=demo_environment(database),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    demo = Demo(f"http://127.0.0.1:{port}", database, log_path, process)
    try:
        demo.wait_until_it_answers()
        yield demo
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# -- the tests -----------------------------------------------------------------------


def test_no_server_sets_everything_up_then_exits(tmp_path):
    database = tmp_path / "demo.sqlite3"
    result = subprocess.run(
        [sys.executable, str(MANAGE), "demo", "--no-server"],
        cwd=ROOT,
        env=demo_environment(database),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "user 'admin', password 'admin'" in result.stdout
    assert "3 mirrored: Basic $5.00 USD/month, Pro $15.00 USD/month, Team $50.00 USD/month" in (
        result.stdout
    )
    assert "/stripe/webhook/" in result.stdout
    plans = query(database, "SELECT stripe_id, name FROM djstripe_plan ORDER BY amount")
    assert plans == [("demo-basic", "Basic"), ("demo-pro", "Pro"), ("demo-team", "Team")]
    assert query(database, "SELECT is_superuser FROM auth_user WHERE username = 'admin'") == [(1,)]
    assert refuses_connections(localstripe_url(result.stdout)), "localstripe outlived the demo"


def test_sign_up_subscribe_cancel_and_watch_the_webhooks(demo):
    browser = Browser(demo.url)
    check_the_public_pages(browser)
    sign_up(browser, "jenny")
    assert browser.get("/members/").path == "/plans/"  # no subscription yet
    subscription_id = subscribe(browser, "demo-pro")
    assert "Members only" in browser.get("/members/").text

    wait_for_webhooks(demo, subscription_id)
    account = browser.get("/account/")
    assert subscription_id in account.text
    assert "$15.00 USD" in account.text  # the invoice, brought by a webhook

    switch_plan(browser, subscription_id, "demo-basic")
    cancel(browser, subscription_id)
    check_the_admin(demo)

    api_host = localstripe_url(demo.log())
    assert demo.stop() == 0, demo.log()
    assert refuses_connections(demo.url)
    assert refuses_connections(api_host), "localstripe outlived the demo"


def check_the_public_pages(browser: Browser) -> None:
    for path, text in [
        ("/", "The mirror right now"),
        ("/plans/", "$15.00 USD/month"),
        ("/signup/", "Sign up"),
        ("/accounts/login/", "Log in"),
        ("/admin/login/", "Django administration"),
    ]:
        page = browser.get(path)
        assert (page.status, page.path) == (200, path), page.text[:2000]
        assert text in page.text
    plans = browser.get("/plans/").text
    for name in ("Basic", "Pro", "Team"):
        assert name in plans
    assert browser.get("/account/").path == "/accounts/login/"  # login required
    assert browser.get("/members/").path == "/accounts/login/"


def sign_up(browser: Browser, username: str) -> None:
    fields = {"username": username, "email": f"{username}@example.com"}
    page = browser.submit("/signup/", {**fields, "password1": "pw", "password2": "pw"})
    assert (page.status, page.path) == (200, "/plans/"), page.text[:2000]
    assert f"Logged in as <strong>{username}</strong>" in page.text


def subscribe(browser: Browser, plan_id: str) -> str:
    """Subscribe with a declined card (an error message), then with 4242...; return the id."""
    path = f"/plans/{plan_id}/subscribe/"
    form = browser.get(path)
    assert 'value="4242424242424242"' in form.text  # prefilled test card
    card = {"exp_month": "12", "exp_year": "2040", "cvc": "123"}

    declined = browser.post(path, {**card, "number": "4000000000000002"}, token_from=form)
    assert (declined.status, declined.path) == (200, path)
    assert "Stripe said no: Your card was declined." in declined.text

    page = browser.post(path, {**card, "number": "4242 4242 4242 4242"}, token_from=declined)
    assert (page.status, page.path) == (200, "/account/"), page.text[:2000]
    match = re.search(r"subscription (sub_\w+) is active", page.text)
    assert match, page.text
    assert "Visa ending in 4242" in page.text
    return match.group(1)


def wait_for_webhooks(demo: Demo, subscription_id: str) -> None:
    def mirrored_by_webhooks():
        """valid, processed webhooks and the subscription's invoice in the demo's database"""
        triggers = query(
            demo.database,
            "SELECT COUNT(*) FROM djstripe_webhookeventtrigger WHERE valid AND processed",
        )
        invoices = query(
            demo.database,
            "SELECT COUNT(*) FROM djstripe_invoice WHERE subscription_id = ?",
            subscription_id,
        )
        return triggers[0][0] and invoices[0][0]

    wait_for(mirrored_by_webhooks)
    failures = query(
        demo.database,
        "SELECT exception, traceback FROM djstripe_webhookeventtrigger WHERE exception != ''",
    )
    assert not failures, failures


def switch_plan(browser: Browser, subscription_id: str, plan_id: str) -> None:
    """With a card on file, the form asks for none; the subscription moves to the plan."""
    path = f"/plans/{plan_id}/subscribe/"
    form = browser.get(path)
    assert "You pay with the card on file: Visa ending in 4242." in form.text
    assert 'name="number"' not in form.text
    page = browser.post(path, {}, token_from=form)
    assert f"You are on the Basic plan ($5.00 USD/month): subscription {subscription_id}" in (
        page.text
    )


def cancel(browser: Browser, subscription_id: str) -> None:
    account = browser.get("/account/")
    path = f"/account/subscriptions/{subscription_id}/cancel/"
    page = browser.post(path, {"when": "period_end"}, token_from=account)
    assert "Your subscription ends on" in page.text
    assert "cancels at the end of the period" in page.text

    page = browser.post(f"/account/subscriptions/{subscription_id}/reactivate/", {}, page)
    assert "Your subscription is active again." in page.text

    page = browser.post(path, {"when": "now"}, token_from=page)
    assert "Your subscription is canceled." in page.text
    assert browser.get("/members/").path == "/plans/"


def check_the_admin(demo: Demo) -> None:
    browser = Browser(demo.url)
    page = browser.submit(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": "admin", "next": "/admin/"},
    )
    assert (page.status, page.path) == (200, "/admin/"), page.text[:2000]
    triggers = browser.get("/admin/djstripe/webhookeventtrigger/")
    assert triggers.status == 200
    assert "customer.subscription.created" in browser.get("/admin/djstripe/event/").text
