"""The webhook endpoint, through the test client with real signed payloads."""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connection
from django.test import override_settings

from djstripe import webhooks
from djstripe.models import Customer, Event, WebhookEventTrigger
from djstripe.signals import WEBHOOK_SIGNALS, webhook_processing_error
from tests.fake_stripe import load_fixture
from tests.webhook_client import WEBHOOK_URL, post_webhook, signature_header

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return load_fixture("event_customer_created")


@pytest.fixture
def stripe_world(fake_stripe):
    """What the refetch mode will retrieve: the customer as Stripe has it now."""
    fake_stripe.store([load_fixture("customer"), load_fixture("product")])
    return fake_stripe


def only_trigger() -> WebhookEventTrigger:
    assert WebhookEventTrigger.objects.count() == 1
    return WebhookEventTrigger.objects.get()


def test_a_signed_event_is_recorded_validated_and_processed(client, event, stripe_world):
    response = post_webhook(client, event, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    trigger = only_trigger()
    assert trigger.valid and trigger.processed
    assert trigger.remote_ip == "203.0.113.9"
    assert json.loads(trigger.body) == event
    assert "Stripe-Signature" in trigger.headers
    assert trigger.djstripe_version
    assert trigger.event.stripe_id == event["id"]
    assert trigger.event.type == "customer.created"
    assert trigger.event.request_id == event["request"]["id"]
    # The built-in handler mirrored the customer (refetched: one request).
    assert Customer.objects.get().stripe_id == "cus_Cox9sWuLoPAaA8"
    assert stripe_world.count("get", "/v1/customers/cus_Cox9sWuLoPAaA8") == 1


@pytest.mark.parametrize(
    ("name", "body", "secret", "timestamp"),
    [
        ("no signature header", "event", None, None),
        ("wrong secret", "event", "whsec_wrong", None),
        ("stale timestamp", "event", "whsec_test_secret", "stale"),
        ("body not JSON", b"{not json", "whsec_test_secret", None),
        ("body not UTF-8", b"\xff\xfe\x00garbage", "whsec_test_secret", None),
        ("JSON without id", json.dumps({"type": "customer.created"}), "whsec_test_secret", None),
        ("a 1 MB body", json.dumps({"padding": "x" * 1_000_000}), "whsec_test_secret", None),
    ],
)
def test_bad_input_is_recorded_and_refused(
    client, event, fake_stripe, name, body, secret, timestamp
):
    if body == "event":
        body = event
    if timestamp == "stale":
        timestamp = int(time.time()) - 301  # just past DJSTRIPE_WEBHOOK_TOLERANCE
    if isinstance(body, bytes) and secret:
        # Sign what was sent, byte for byte, as an attacker with the secret would not.
        response = client.post(
            WEBHOOK_URL,
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature_header(body.decode("latin-1"), secret),
        )
    else:
        response = post_webhook(client, body, secret=secret, timestamp=timestamp)

    assert response.status_code == 400, name
    trigger = only_trigger()
    assert trigger.valid is False
    assert trigger.processed is False
    assert Event.objects.count() == 0
    assert fake_stripe.requests == []


def test_an_unknown_event_type_is_stored_and_acknowledged(client, event, fake_stripe):
    response = post_webhook(client, {**event, "type": "customer.teleported"})
    assert response.status_code == 200
    trigger = only_trigger()
    assert trigger.valid and not trigger.processed and not trigger.exception
    assert Event.objects.count() == 0


def test_a_known_type_for_an_unmirrored_object_is_processed(client, event, fake_stripe):
    review = {
        **event,
        "type": "review.opened",
        "data": {"object": {"id": "prv_1", "object": "review"}},
    }
    assert post_webhook(client, review).status_code == 200
    assert only_trigger().processed
    assert Event.objects.get().type == "review.opened"
    assert fake_stripe.requests == []


def test_the_dashboard_test_event_is_answered_and_not_processed(client, event, fake_stripe):
    response = post_webhook(client, {**event, "id": "evt_00000000000000"})
    assert response.status_code == 200
    assert not only_trigger().processed
    assert Event.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(client, method):
    assert getattr(client, method)(WEBHOOK_URL).status_code == 405
    assert WebhookEventTrigger.objects.count() == 0


def test_csrf_is_not_required(event, stripe_world):
    from django.test import Client

    response = post_webhook(Client(enforce_csrf_checks=True), event)
    assert response.status_code == 200


@override_settings(DJSTRIPE_WEBHOOK_SECRET=["whsec_old", "whsec_new"])
def test_any_configured_secret_is_accepted_during_rotation(client, event, stripe_world):
    assert post_webhook(client, event, secret="whsec_old").status_code == 200
    second = {**event, "id": "evt_second"}
    assert post_webhook(client, second, secret="whsec_new").status_code == 200
    assert (
        post_webhook(client, {**event, "id": "evt_third"}, secret="whsec_other").status_code == 400
    )


def test_a_duplicate_delivery_does_nothing(client, event, stripe_world):
    calls = []
    receiver = lambda sender, event, **kwargs: calls.append(event.stripe_id)  # noqa: E731
    WEBHOOK_SIGNALS["customer.created"].connect(receiver)
    try:
        assert post_webhook(client, event).status_code == 200
        assert post_webhook(client, event).status_code == 200
    finally:
        WEBHOOK_SIGNALS["customer.created"].disconnect(receiver)
    assert Event.objects.count() == 1
    assert WebhookEventTrigger.objects.filter(processed=True).count() == 2
    # Both deliveries point at the one event: the first links it as it records it.
    assert {t.event_id for t in WebhookEventTrigger.objects.all()} == {Event.objects.get().pk}
    assert calls == [event["id"]]
    assert stripe_world.count("get", "/v1/customers/cus_Cox9sWuLoPAaA8") == 1


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 429}, {"timeout": True}])
def test_a_stripe_failure_during_processing_is_kept_and_retried(
    client, event, stripe_world, fault
):
    errors = []
    receiver = lambda sender, exception, trigger, **kwargs: errors.append(exception)  # noqa: E731
    webhook_processing_error.connect(receiver)
    stripe_world.fail("get", "/v1/customers/cus_Cox9sWuLoPAaA8", **fault)
    try:
        response = post_webhook(client, event)
    finally:
        webhook_processing_error.disconnect(receiver)

    assert response.status_code == 500
    failed = only_trigger()
    assert failed.valid and not failed.processed
    assert failed.exception and "Traceback" in failed.traceback
    assert len(errors) == 1
    assert Event.objects.count() == 0  # rolled back with the failed handlers
    assert Customer.objects.count() == 0

    # Stripe delivers again later: this time it works.
    assert post_webhook(client, event).status_code == 200
    assert Event.objects.count() == 1
    assert Customer.objects.get().stripe_id == "cus_Cox9sWuLoPAaA8"
    failed.refresh_from_db()
    assert not failed.processed  # each delivery keeps its own outcome


def test_a_handler_error_gives_500_and_keeps_the_traceback(
    client, event, stripe_world, monkeypatch
):
    monkeypatch.setattr(webhooks, "registrations_global", [])

    @webhooks.handler_all
    def broken(event, **kwargs):
        raise RuntimeError("handler broke")

    response = post_webhook(client, event)
    assert response.status_code == 500
    trigger = only_trigger()
    assert trigger.exception == "RuntimeError: handler broke"
    assert "broken" in trigger.traceback
    assert Event.objects.count() == 0
    # The outcome written with the event was undone with it.
    assert trigger.event is None and not trigger.processed


@override_settings(DJSTRIPE_WEBHOOK_VALIDATION="retrieve_event", DJSTRIPE_WEBHOOK_SECRET="")
def test_retrieve_event_validation_asks_stripe_with_the_event_version(client, event, stripe_world):
    old_version = {**event, "api_version": "2017-08-15"}
    stripe_world.store(old_version)
    assert post_webhook(client, old_version, secret=None).status_code == 200
    validation = stripe_world.requests[0]
    assert validation.path == f"/v1/events/{event['id']}"
    assert validation.header("Stripe-Version") == "2017-08-15"
    assert validation.header("Authorization") == "Bearer sk_test_djstripe"
    # The object itself is read at the pinned version.
    assert stripe_world.requests[1].header("Stripe-Version") == "2018-05-21"


@override_settings(DJSTRIPE_WEBHOOK_VALIDATION="retrieve_event", DJSTRIPE_WEBHOOK_SECRET="")
def test_retrieve_event_validation_refuses_forgeries(client, event, stripe_world):
    # Unknown to Stripe.
    assert post_webhook(client, event, secret=None).status_code == 400
    # Known, but the body claims another type.
    stripe_world.store(event)
    forged = {**event, "id": event["id"], "type": "customer.deleted"}
    assert post_webhook(client, forged, secret=None).status_code == 400
    # Known, but the body's livemode is not a boolean.
    assert post_webhook(client, {**event, "livemode": {}}, secret=None).status_code == 400
    assert Event.objects.count() == 0


@override_settings(DJSTRIPE_WEBHOOK_VALIDATION="retrieve_event", DJSTRIPE_WEBHOOK_SECRET="")
def test_retrieve_event_validation_failing_at_stripe_is_a_500(client, event, stripe_world):
    stripe_world.fail("get", f"/v1/events/{event['id']}", status=500)
    response = post_webhook(client, event, secret=None)
    assert response.status_code == 500
    trigger = only_trigger()
    assert not trigger.valid and trigger.exception


handed_off = []


def enqueue(trigger):
    handed_off.append(trigger.pk)


@override_settings(DJSTRIPE_WEBHOOK_EVENT_CALLBACK="tests.test_webhooks.enqueue")
def test_the_event_callback_receives_valid_triggers(client, event, fake_stripe):
    handed_off.clear()
    assert post_webhook(client, event).status_code == 200
    trigger = only_trigger()
    assert handed_off == [trigger.pk]
    assert trigger.valid and not trigger.processed
    assert Event.objects.count() == 0
    # A worker processes it later.
    fake_stripe.store([load_fixture("customer"), load_fixture("product")])
    assert trigger.process() is True
    assert Event.objects.get().stripe_id == event["id"]


def enqueue_fails(trigger):
    raise ConnectionError("the queue is down")


@override_settings(DJSTRIPE_WEBHOOK_EVENT_CALLBACK="tests.test_webhooks.enqueue_fails")
def test_a_failing_event_callback_is_kept_on_the_trigger(client, event, fake_stripe):
    assert post_webhook(client, event).status_code == 500
    trigger = only_trigger()
    assert trigger.valid and not trigger.processed
    assert trigger.exception == "ConnectionError: the queue is down"
    assert "enqueue_fails" in trigger.traceback
    assert Event.objects.count() == 0


def test_triggers_are_kept_even_with_atomic_requests(client, event, fake_stripe, settings):
    settings.DATABASES["default"]["ATOMIC_REQUESTS"] = True
    fake_stripe.fail("get", "/v1/customers/cus_Cox9sWuLoPAaA8", status=500)
    try:
        assert post_webhook(client, event).status_code == 500
    finally:
        settings.DATABASES["default"]["ATOMIC_REQUESTS"] = False
    assert only_trigger().exception


@pytest.mark.django_db(transaction=True)  # "committed" must mean committed
def test_the_trigger_is_committed_before_processing_even_with_atomic_requests(
    client, event, stripe_world, settings, monkeypatch
):
    seen_elsewhere = []

    def count_triggers_from_another_connection(event, **kwargs):
        def count():
            seen_elsewhere.append(WebhookEventTrigger.objects.count())
            connection.close()

        thread = threading.Thread(target=count)
        thread.start()
        thread.join()

    monkeypatch.setattr(webhooks, "registrations_global", [])
    webhooks.handler_all(count_triggers_from_another_connection)
    settings.DATABASES["default"]["ATOMIC_REQUESTS"] = True
    try:
        assert post_webhook(client, event).status_code == 200
    finally:
        settings.DATABASES["default"]["ATOMIC_REQUESTS"] = False
    assert seen_elsewhere == [1]


class Deadlock(Exception):
    sqlstate = "40P01"


@pytest.mark.django_db(transaction=True)  # a retry needs a transaction of its own
def test_a_deadlock_is_retried_in_a_fresh_transaction(client, event, stripe_world, monkeypatch):
    from django.db import OperationalError

    monkeypatch.setattr(webhooks, "registrations_global", [])
    calls = []

    @webhooks.handler_all
    def deadlocks_once(event, **kwargs):
        calls.append(event.stripe_id)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from Deadlock()

    assert post_webhook(client, event).status_code == 200
    assert len(calls) == 2
    trigger = only_trigger()
    assert trigger.processed and not trigger.exception
    assert Event.objects.count() == 1


def test_other_database_errors_are_not_retried(client, event, stripe_world, monkeypatch):
    from django.db import OperationalError

    monkeypatch.setattr(webhooks, "registrations_global", [])
    calls = []

    @webhooks.handler_all
    def fails(event, **kwargs):
        calls.append(event.stripe_id)
        raise OperationalError("disk full")

    assert post_webhook(client, event).status_code == 500
    assert len(calls) == 1
    assert only_trigger().exception == "OperationalError: disk full"


def test_the_webhook_url_is_named_and_namespaced():
    from django.urls import reverse

    assert reverse("djstripe:webhook") == WEBHOOK_URL


def test_the_webhook_path_follows_its_setting():
    import importlib

    from django.urls import clear_url_caches

    import djstripe.urls

    try:
        with override_settings(DJSTRIPE_WEBHOOK_URL=r"^hooks/stripe/$"):
            importlib.reload(djstripe.urls)
            pattern = djstripe.urls.urlpatterns[0].pattern.regex.pattern
    finally:
        importlib.reload(djstripe.urls)
        clear_url_caches()
    assert pattern == r"^hooks/stripe/$"
    assert djstripe.urls.urlpatterns[0].pattern.regex.pattern == r"^webhook/$"
