"""The main flows against a real fake Stripe server over HTTP (localstripe).

localstripe speaks a looser dialect than Stripe 2018-05-21. Where one of
djstripe's calls is something it cannot serve, the test says so and checks
what localstripe does instead, rather than bending djstripe to it:

- ``Customer.send_invoice()`` (``charge_immediately=True``): localstripe
  answers one-off invoices without a subscription with 404, so the flows
  subscribe with ``charge_immediately=False``; localstripe invoices the
  subscription itself, as Stripe does.
- Events always say ``api_version: "2017-08-15"``, so webhooks from it are
  handled in refetch mode whatever ``DJSTRIPE_WEBHOOK_SYNC_MODE`` says.
- ``refund.reason``, ``invoice.paid``/``closed``/``forgiven``, charge
  ``source`` and ``outcome``, subscription ``start`` are not in its objects:
  those columns stay null or False.
"""

from __future__ import annotations

import json
import urllib.request
from decimal import Decimal

import pytest
import stripe
from django.db import connection
from django.test import override_settings

from djstripe import stripe_api
from djstripe.models import (
    Card,
    Charge,
    Customer,
    Invoice,
    Plan,
    Subscription,
    WebhookEventTrigger,
)
from tests.localstripe_server import running_localstripe, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(scope="session")
def localstripe_url():
    with running_localstripe() as url:
        yield url


@pytest.fixture
def localstripe(localstripe_url):
    """djstripe pointed at an empty localstripe, with stripe-python's real HTTP client."""
    urllib.request.urlopen(
        urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    )
    saved = stripe.default_http_client
    stripe.default_http_client = None
    try:
        with override_settings(
            STRIPE_API_HOST=localstripe_url,
            STRIPE_TEST_SECRET_KEY="sk_test_localstripe",
            STRIPE_LIVE_MODE=False,
        ):
            yield localstripe_url
    finally:
        stripe.default_http_client = saved


@pytest.fixture
def customer(localstripe, django_user_model):
    user = django_user_model.objects.create_user("jenny", email="jenny@example.com")
    customer, created = Customer.get_or_create(subscriber=user)
    assert created
    return customer


@pytest.fixture
def card(customer):
    token = Card.create_token("4242424242424242", 12, 2030, "123")
    return customer.add_card(token["id"])


@pytest.fixture
def plan(localstripe):
    plan, _created = Plan.get_or_create(
        id="integration-gold",
        amount=Decimal("10.00"),
        currency="usd",
        interval="month",
        name="Gold",
    )
    return plan


def test_get_or_create_makes_one_customer(customer):
    again, created = Customer.get_or_create(subscriber=customer.subscriber)
    assert not created and again.pk == customer.pk
    assert customer.stripe_id.startswith("cus_")
    assert customer.email == "jenny@example.com"
    assert customer.api_retrieve()["email"] == "jenny@example.com"


def test_add_card_makes_it_the_default_source(customer, card):
    customer.refresh_from_db()
    assert isinstance(card, Card)
    assert card.last4 == "4242"
    assert card.customer_id == customer.stripe_id
    assert customer.default_source_id == card.stripe_id
    assert customer.has_valid_source()


def test_subscribe_then_upcoming_invoice(customer, card, plan):
    subscription = customer.subscribe(plan, charge_immediately=False)
    assert isinstance(subscription, Subscription)
    assert subscription.plan_id == "integration-gold"
    assert subscription.customer_id == customer.stripe_id
    assert customer.has_active_subscription(plan)

    upcoming = customer.upcoming_invoice()
    assert upcoming is not None and upcoming.pk is None
    assert upcoming.total == Decimal("10.00")
    assert len(upcoming.invoiceitems) >= 1


def test_charge_then_refund_partly(customer, card):
    charge = customer.charge(Decimal("15.00"), currency="usd")
    assert isinstance(charge, Charge)
    assert charge.amount == Decimal("15.00") and charge.paid
    # localstripe's charges carry no ``source``: Stripe's would point at the card.

    charge = charge.refund(Decimal("5.00"))
    assert charge.amount_refunded == Decimal("5.00")
    assert not charge.refunded
    charge = charge.refund(Decimal("10.00"))
    assert charge.amount_refunded == Decimal("15.00")
    assert charge.refunded
    assert charge.refunds.count() == 2
    with pytest.raises(ValueError):
        charge.refund(Decimal("1.00"))  # nothing remains: refused before any request


def test_charge_then_refund_fully(customer, card):
    # A refund without an amount refunds what remains. (localstripe refunds the
    # whole charge again each time, so only a first full refund is checked.)
    charge = customer.charge(Decimal("12.50"), currency="usd").refund()
    assert charge.amount_refunded == Decimal("12.50")
    assert charge.refunded
    assert charge.refunds.get().amount == Decimal("12.50")


def test_cancel_at_period_end_reactivate_then_cancel_at_once(customer, card, plan):
    subscription = customer.subscribe(plan, charge_immediately=False)

    subscription = subscription.cancel(at_period_end=True)
    assert subscription.cancel_at_period_end
    assert subscription.is_status_temporarily_current()

    subscription = subscription.reactivate()
    assert not subscription.cancel_at_period_end

    subscription = subscription.cancel(at_period_end=False)
    assert subscription.status == "canceled"
    assert not customer.has_any_active_subscription()
    assert Subscription.objects.get(stripe_id=subscription.stripe_id).status == "canceled"


# -- objects made in the server directly, as the dashboard or another service would --

SERVER_KEY = "sk_test_localstripe"


def server_customer_with_card(email: str) -> dict:
    customer = stripe_api.create("/v1/customers", api_key=SERVER_KEY, email=email)
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    token = stripe_api.create("/v1/tokens", api_key=SERVER_KEY, card=card)
    path = f"/v1/customers/{customer['id']}/sources"
    stripe_api.create(path, api_key=SERVER_KEY, source=token["id"])
    return customer


def server_plan(plan_id: str, amount: int) -> dict:
    product = stripe_api.create("/v1/products", api_key=SERVER_KEY, name=plan_id, type="service")
    return stripe_api.create(
        "/v1/plans",
        api_key=SERVER_KEY,
        id=plan_id,
        amount=amount,
        currency="usd",
        interval="month",
        product=product["id"],
    )


def server_subscription(customer: dict, plan: dict) -> dict:
    return stripe_api.create(
        "/v1/subscriptions",
        api_key=SERVER_KEY,
        customer=customer["id"],
        items=[{"plan": plan["id"]}],
    )


# -- the mirror kept by webhooks alone ----------------------------------------------

WEBHOOK_SECRET = "whsec_localstripe"


@pytest.fixture
def webhooks_to_live_server(localstripe, live_server):
    """localstripe posts its events, signed, to the live server's webhook URL."""
    configure_hook(localstripe, url=f"{live_server.url}/stripe/webhook/", secret=WEBHOOK_SECRET)
    with override_settings(DJSTRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET):
        yield
    # localstripe cannot delete a hook: an empty list of events mutes it.
    configure_hook(localstripe, url=live_server.url, secret=WEBHOOK_SECRET, events=[])


def configure_hook(localstripe_url: str, **config) -> None:
    request = urllib.request.Request(
        f"{localstripe_url}/_config/webhooks/djstripe",
        data=json.dumps(config).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="localstripe delivers webhooks concurrently: the live server needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_the_mirror_follows_stripe_through_webhooks_alone(webhooks_to_live_server):
    api_key = SERVER_KEY
    customer = server_customer_with_card("webhook@example.com")
    plan = server_plan("webhook-silver", 500)
    subscription = server_subscription(customer, plan)

    def mirrored():
        """the customer, its card, the plan, the subscription and its invoice mirrored"""
        return (
            Customer.objects.filter(stripe_id=customer["id"]).exists()
            and Card.objects.filter(customer_id=customer["id"]).exists()
            and Plan.objects.filter(stripe_id=plan["id"]).exists()
            and Subscription.objects.filter(stripe_id=subscription["id"]).exists()
            and Invoice.objects.filter(subscription_id=subscription["id"]).exists()
        )

    wait_for(mirrored)
    assert Customer.objects.get(stripe_id=customer["id"]).email == "webhook@example.com"
    assert WebhookEventTrigger.objects.filter(valid=True, processed=True).exists()
    assert not WebhookEventTrigger.objects.exclude(exception="").exists()

    stripe_api.delete(f"/v1/subscriptions/{subscription['id']}", api_key=api_key)

    def canceled():
        """the subscription's cancellation mirrored"""
        return Subscription.objects.filter(
            stripe_id=subscription["id"], status="canceled"
        ).exists()

    wait_for(canceled)


# -- djstripe_sync_models reproduces what the server holds ----------------------------


def test_sync_models_reproduces_the_servers_objects(localstripe):
    from django.core.management import call_command

    api_key = SERVER_KEY
    plan = server_plan("sync-plan", 700)
    for n in range(3):
        customer = server_customer_with_card(f"sync{n}@example.com")
        server_subscription(customer, plan)
        stripe_api.create(
            "/v1/charges",
            api_key=api_key,
            customer=customer["id"],
            amount=1000 + n,
            currency="usd",
        )

    call_command(
        "djstripe_sync_models",
        "Product",
        "Plan",
        "Customer",
        "Subscription",
        "Invoice",
        "Charge",
        verbosity=0,
    )

    def server(path, **params):
        return {o["id"]: o for o in stripe_api.list_all(path, api_key=api_key, **params)}

    customers = server("/v1/customers")
    assert {c.stripe_id: c.email for c in Customer.objects.all()} == {
        i: o["email"] for i, o in customers.items()
    }
    subscriptions = server("/v1/subscriptions", status="all")
    assert {
        s.stripe_id: (s.customer_id, s.plan_id, s.status) for s in Subscription.objects.all()
    } == {i: (o["customer"], o["plan"]["id"], o["status"]) for i, o in subscriptions.items()}
    invoices = server("/v1/invoices")
    assert {i.stripe_id: (i.customer_id, i.total) for i in Invoice.objects.all()} == {
        i: (o["customer"], Decimal(o["total"]) / 100) for i, o in invoices.items()
    }
    charges = server("/v1/charges")
    assert {c.stripe_id: (c.customer_id, c.amount, c.status) for c in Charge.objects.all()} == {
        i: (o["customer"], Decimal(o["amount"]) / 100, o["status"]) for i, o in charges.items()
    }
    assert len(charges) >= 3 and len(subscriptions) == 3 and len(invoices) >= 3
    assert Card.objects.count() == 3
