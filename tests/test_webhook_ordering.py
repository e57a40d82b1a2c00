"""Exactly once, in any order: duplicates and shuffled streams leave Stripe's latest state."""

from __future__ import annotations

import random
import threading

import django
import pytest
from django.db import connection
from django.test import Client, override_settings

from djstripe import webhooks
from djstripe.models import Customer, Event, Plan, WebhookEventTrigger
from tests.fake_stripe import load_fixture
from tests.threads import run_concurrently
from tests.webhook_client import post_webhook

CUSTOMERS = ["cus_order1", "cus_order2", "cus_order3"]
PLANS = ["plan_order1", "plan_order2"]


def customer_state(stripe_id: str, version: int) -> dict:
    return load_fixture(
        "customer",
        id=stripe_id,
        email=f"v{version}@example.com",
        sources=None,
        subscriptions=None,
        default_source=None,
    )


def plan_state(stripe_id: str, version: int) -> dict:
    return load_fixture("plan_product_embedded", id=stripe_id, nickname=f"v{version}")


def event(n: int, event_type: str, obj: dict, created: int) -> dict:
    return {
        "id": f"evt_order{n:03d}",
        "object": "event",
        "api_version": "2018-05-21",
        "created": created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def history() -> list[dict]:
    """What happened, in order: each object created, updated twice; some deleted."""
    events, t = [], 1_530_000_000
    for stripe_id in CUSTOMERS:
        for version, verb in enumerate(["created", "updated", "updated"], start=1):
            t += 10
            events.append(
                event(len(events), f"customer.{verb}", customer_state(stripe_id, version), t)
            )
    t += 10
    gone = {"id": CUSTOMERS[2], "object": "customer", "deleted": True}
    events.append(event(len(events), "customer.deleted", customer_state(CUSTOMERS[2], 3), t))
    for stripe_id in PLANS:
        for version, verb in enumerate(["created", "updated"], start=1):
            t += 10
            events.append(event(len(events), f"plan.{verb}", plan_state(stripe_id, version), t))
    t += 10
    events.append(event(len(events), "plan.deleted", plan_state(PLANS[1], 2), t))
    stripe_now = [
        customer_state(CUSTOMERS[0], 3),
        customer_state(CUSTOMERS[1], 3),
        gone,
        plan_state(PLANS[0], 2),
    ]
    return events, stripe_now


def delivery_order(events: list[dict], seed: int) -> list[dict]:
    """Shuffled, with a third of the events delivered twice."""
    rng = random.Random(seed)
    deliveries = events + rng.sample(events, len(events) // 3)
    rng.shuffle(deliveries)
    return deliveries


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["refetch", "payload"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_shuffled_stream_ends_on_the_latest_state(client, fake_stripe, mode, seed):
    events, stripe_now = history()
    fake_stripe.store(stripe_now)
    fake_stripe.store(load_fixture("product"))

    with override_settings(DJSTRIPE_WEBHOOK_SYNC_MODE=mode):
        for delivery in delivery_order(events, seed):
            assert post_webhook(client, delivery).status_code == 200

    assert Event.objects.count() == len(events)
    emails = dict(
        Customer.objects.filter(date_purged__isnull=True).values_list("stripe_id", "email")
    )
    assert emails == {CUSTOMERS[0]: "v3@example.com", CUSTOMERS[1]: "v3@example.com"}
    assert dict(Plan.objects.values_list("stripe_id", "nickname")) == {PLANS[0]: "v2"}
    if mode == "payload":
        assert fake_stripe.requests == []
    else:
        # One retrieve per event processed (duplicates cost nothing).
        assert len(fake_stripe.requests) == len(events)


@pytest.mark.skipif(
    django.VERSION < (5, 1) and connection.vendor == "sqlite",
    reason="SQLite needs Django 5.1's IMMEDIATE transactions for concurrent writers",
)
@pytest.mark.django_db(transaction=True)
@override_settings(DJSTRIPE_WEBHOOK_SYNC_MODE="payload")
def test_ten_concurrent_deliveries_run_the_handlers_once(fake_stripe, monkeypatch):
    calls = []
    lock = threading.Lock()
    monkeypatch.setattr(webhooks, "registrations_global", [])

    @webhooks.handler_all
    def count_calls(event, **kwargs):
        with lock:
            calls.append(event.stripe_id)

    body = event(1, "customer.updated", customer_state("cus_concurrent", 1), 1_530_000_000)
    statuses: list[int] = []
    errors = run_concurrently(
        lambda: statuses.append(post_webhook(Client(), body).status_code), 10
    )

    assert errors == []
    assert statuses == [200] * 10
    assert calls == [body["id"]]
    assert Event.objects.count() == 1
    assert WebhookEventTrigger.objects.count() == 10
    assert WebhookEventTrigger.objects.filter(processed=True).count() == 10
    assert Customer.objects.get().email == "v1@example.com"


@pytest.mark.django_db
@override_settings(DJSTRIPE_WEBHOOK_SYNC_MODE="payload")
def test_an_older_event_does_not_overwrite_the_objects_it_embeds(client, fake_stripe):
    from djstripe.models import Card

    card = load_fixture("card")
    customer = load_fixture("customer", subscriptions=None)  # embeds the card, as it was
    newer_card = {**card, "name": "Renamed later"}
    t = 1_530_000_000

    assert post_webhook(client, event(1, "customer.created", customer, t)).status_code == 200
    assert Card.objects.get().name == card["name"]  # an embedded object the mirror lacked
    assert (
        post_webhook(client, event(2, "customer.source.updated", newer_card, t + 20)).status_code
        == 200
    )
    # Delivered late: the customer as it was before the card changed.
    older = {**customer, "email": "older@example.com"}
    assert post_webhook(client, event(3, "customer.updated", older, t + 10)).status_code == 200

    assert Card.objects.get().name == "Renamed later"
    assert Customer.objects.get().email == "older@example.com"  # its own state is newer
