"""The steps of ``manage.py demo``: database, admin user, plans, webhooks."""

from __future__ import annotations

import io
import json
import urllib.request
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command

from djstripe.models import Plan

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"

# (id, name, price per month in dollars)
DEMO_PLANS = (
    ("demo-basic", "Basic", Decimal("5.00")),
    ("demo-pro", "Pro", Decimal("15.00")),
    ("demo-team", "Team", Decimal("50.00")),
)


def prepare_database(empty: bool) -> None:
    """Apply the migrations; with ``empty``, delete every row (the fake Stripe starts empty)."""
    call_command("migrate", interactive=False, verbosity=0)
    if empty:
        call_command("flush", interactive=False, verbosity=0)


def create_admin() -> bool:
    """Create the superuser admin/admin unless it exists; return whether it was created."""
    users = get_user_model().objects
    if users.filter(username=ADMIN_USERNAME).exists():
        return False
    users.create_superuser(ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD)
    return True


def create_plans() -> None:
    """Create the demo's plans (and their products) in Stripe, unless they exist."""
    for plan_id, name, amount in DEMO_PLANS:
        Plan.get_or_create(id=plan_id, amount=amount, currency="usd", interval="month", name=name)


def sync_plans() -> str:
    """Mirror every plan of the Stripe account (djstripe's command); return what it said."""
    output = io.StringIO()
    call_command("djstripe_sync_plans_from_stripe", stdout=output)
    return output.getvalue().strip()


def register_webhooks(api_host: str, url: str, secret: str) -> None:
    """Have localstripe sign every event with ``secret`` and post it to ``url``.

    This is localstripe's own configuration route (Stripe's is the dashboard,
    or ``stripe listen`` from the Stripe CLI).
    """
    request = urllib.request.Request(
        f"{api_host}/_config/webhooks/djstripe-demo",
        data=json.dumps({"url": url, "secret": secret}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
