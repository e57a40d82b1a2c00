"""The admin in a real browser: headless Chromium, driven by Selenium, against the live server.

Pages are mirrored from the fixtures through the fake Stripe (the live server runs in a
thread of this process, so the admin's Stripe requests reach the fake too). Each page must
load without a server error, without a failed request (a missing CSS or JS file included)
and without a JavaScript error; a full-page screenshot of each is saved to
``$DJSTRIPE_ARTIFACTS_DIR`` (default: ``artifacts/screenshots/``).

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); skipped
without them. Selenium uses the system chromedriver: Selenium Manager never runs.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.utils import quote
from django.core.signals import got_request_exception
from django.urls import reverse

from djstripe.models import Customer, Invoice, Subscription, WebhookEventTrigger
from tests.fake_stripe import load_fixture, store_fixture_account
from tests.webhook_client import post_webhook

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
]
REPO = Path(__file__).resolve().parent.parent
PAGE_TIMEOUT = 30  # seconds

_missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(
        bool(_missing),
        reason=f"{' and '.join(_missing)} missing: apt-get install chromium chromium-driver",
    ),
]

CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
CUSTOMER_EMAIL = load_fixture("customer")["email"]
EVENT_ID = load_fixture("event_customer_created")["id"]


def artifacts_dir() -> Path:
    env = os.environ.get("DJSTRIPE_ARTIFACTS_DIR")
    path = Path(env) if env else REPO / "artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def server(django_db_setup, live_server):
    """The live server, started after the test database exists.

    Started first, pytest-django's session-wide server would see SQLite's ":memory:" name,
    and its request threads would then share the test's own connection, at once.
    """
    shared = live_server.thread.connections_override
    assert not shared, f"the live server shares the test's connections {list(shared)}"
    return live_server


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """Exceptions raised while handling a request (the live server answers them with a 500)."""
    errors: list[str] = []

    def record(sender, request=None, **kwargs):
        errors.append(f"{getattr(request, 'method', '?')} {getattr(request, 'path', '?')}")

    got_request_exception.connect(record, weak=False)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(record)


@pytest.fixture
def browser() -> Iterator[Browser]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="djstripe-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # The console (JavaScript errors, failed loads) and the network (every response's status).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path: Selenium Manager (which would download one) is never run.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Browser:
    """A Chrome WebDriver with the checks each page must pass."""

    def __init__(self, driver) -> None:
        self.driver = driver

    def open(self, url: str) -> None:
        self.driver.get(url)

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, css: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, PAGE_TIMEOUT).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def text(self) -> str:
        return self.find("body").text

    def check_page(self, heading: str | re.Pattern | None, *, shows: tuple[str, ...] = ()) -> None:
        """No server error, no failed request, no console error; the <h1> and texts shown.

        ``heading`` None: the page has no <h1> (the login page), only the site's name.
        """
        title = self.driver.title
        assert "Server Error" not in title, f"{self.driver.current_url}: {title}"
        h1 = [e.text for e in self.find_all("h1")]
        assert not any("Server Error" in t for t in h1), f"{self.driver.current_url}: {h1}"
        failed = self.failed_responses()
        assert not failed, f"{self.driver.current_url}: failed requests: {failed}"
        errors = self.console_errors()
        assert not errors, f"{self.driver.current_url}: console errors: {errors}"
        # Django's stylesheet applied: the header bar has the admin's colours, not the default.
        header = self.find("#header")
        assert header.value_of_css_property("background-color") not in (
            "rgba(0, 0, 0, 0)",
            "transparent",
        ), "the admin's CSS did not load"
        assert self.find("#site-name").text == "Django administration"
        if heading is not None:
            wanted = heading if isinstance(heading, re.Pattern) else re.compile(re.escape(heading))
            assert any(wanted.fullmatch(t) for t in h1), f"{self.driver.current_url}: h1 {h1}"
        body = self.text()
        for text in shows:
            assert text in body, f"{self.driver.current_url}: {text!r} not on the page"

    def console_errors(self) -> list[str]:
        """SEVERE console entries since the last call (JavaScript errors, failed loads)."""
        return [
            e["message"]
            for e in self.driver.get_log("browser")
            if e["level"] == "SEVERE" and not is_favicon(e["message"].split(" ", 1)[0])
        ]

    def failed_responses(self) -> list[str]:
        """Responses with a status of 400 or more since the last call, as 'status url'."""
        failed = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") != "Network.responseReceived":
                continue
            response = message["params"]["response"]
            if response.get("status", 0) >= 400 and not is_favicon(response["url"]):
                failed.append(f"{response['status']} {response['url']}")
        return failed

    def screenshot(self, name: str) -> Path:
        """Save a PNG of the whole page (beyond the window's height), return its path."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            },
        )
        path = artifacts_dir() / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


def is_favicon(url: str) -> bool:
    """The browser asks for /favicon.ico on its own; the admin has none, and needs none."""
    return urlsplit(url).path == "/favicon.ico"


def admin_url(server, obj_or_model, action: str) -> str:
    meta = obj_or_model._meta
    args = [quote(obj_or_model.pk)] if action == "change" else []
    return server.url + reverse(f"admin:djstripe_{meta.model_name}_{action}", args=args)


def changelist_heading(model: type) -> re.Pattern:
    return re.compile(rf"Select {re.escape(model._meta.verbose_name)} to (change|view)")


def change_heading(model: type) -> re.Pattern:
    return re.compile(rf"(Change|View) {re.escape(model._meta.verbose_name)}")


def test_admin_pages_and_sync_action_in_chromium(
    server, browser, fake_stripe, client, django_user_model, server_errors
):
    # The data: mirrored through the models' own sync, and a webhook as Stripe posts it.
    store_fixture_account(fake_stripe)
    Customer.sync_from_stripe_data(load_fixture("customer"))
    invoice = Invoice.sync_from_stripe_data(load_fixture("invoice_expanded"))
    response = post_webhook(client, load_fixture("event_customer_created"))
    assert response.status_code == 200, response.content
    customer = Customer.objects.get(stripe_id=CUSTOMER_ID)
    subscription = Subscription.objects.get(stripe_id="sub_CpJxjJHucuaF7o")
    trigger = WebhookEventTrigger.objects.get()
    assert trigger.valid and trigger.processed
    django_user_model.objects.create_superuser("admin", "admin@example.com", "password")
    shots = []

    # Log in.
    browser.open(server.url + "/admin/")
    browser.wait_for("#id_username")
    browser.check_page(None, shows=("Username:", "Password:"))
    shots.append(browser.screenshot("admin-login"))
    browser.find("#id_username").send_keys("admin")
    browser.find("#id_password").send_keys("password")
    browser.find("#login-form [type=submit]").click()
    browser.wait_for("#content-main .app-djstripe")
    browser.check_page("Site administration", shows=("Customers", "Webhook event triggers"))
    shots.append(browser.screenshot("admin-index"))

    # A changelist and a change page of each.
    pages = [
        (Customer, customer, (CUSTOMER_ID, CUSTOMER_EMAIL), (CUSTOMER_ID, CUSTOMER_EMAIL)),
        (Subscription, subscription, (subscription.stripe_id,), (subscription.stripe_id,)),
        (Invoice, invoice, (invoice.stripe_id,), (invoice.stripe_id, CUSTOMER_ID)),
        (WebhookEventTrigger, trigger, (EVENT_ID,), (f'"id": "{EVENT_ID}"', EVENT_ID)),
    ]
    for model, obj, on_list, on_page in pages:
        name = model._meta.model_name
        browser.open(admin_url(server, model, "changelist"))
        browser.check_page(changelist_heading(model), shows=on_list)
        assert browser.find_all("#result_list tbody tr"), f"{name}: the changelist is empty"
        shots.append(browser.screenshot(f"admin-{name}-changelist"))

        browser.open(admin_url(server, obj, "change"))
        browser.check_page(change_heading(model), shows=on_page)
        shots.append(browser.screenshot(f"admin-{name}-change"))

    # The "Sync selected customers from Stripe" action, as a person runs it.
    from selenium.webdriver.support.ui import Select

    browser.open(admin_url(server, Customer, "changelist"))
    browser.check_page(changelist_heading(Customer), shows=(CUSTOMER_EMAIL,))
    fake_stripe.reset_requests()
    browser.find(f"#result_list input.action-select[value='{customer.pk}']").click()
    Select(browser.find("select[name=action]")).select_by_value("sync_from_stripe")
    browser.find("#changelist-form button[name=index]").click()
    browser.wait_for("ul.messagelist li")
    messages = [(m.get_attribute("class"), m.text) for m in browser.find_all("ul.messagelist li")]
    assert messages == [("success", "Synced 1 customer from Stripe.")]
    browser.check_page(changelist_heading(Customer), shows=(CUSTOMER_EMAIL,))
    shots.append(browser.screenshot("admin-customer-sync-action"))
    assert ("get", f"/v1/customers/{CUSTOMER_ID}") in [
        (r.method, r.path) for r in fake_stripe.requests
    ]

    assert not server_errors, f"the live server raised on: {server_errors}"
    for path in shots:
        assert path.stat().st_size > 10_000, f"{path}: the screenshot looks blank"
