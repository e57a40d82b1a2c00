"""WebhookEventTrigger: the record of one request to the webhook endpoint."""

import json

import pytest

import djstripe
from djstripe.models import Event
from tests.fake_stripe import load_fixture
from tests.webhook_triggers import make_trigger

pytestmark = pytest.mark.django_db


def test_new_trigger_defaults():
    trigger = make_trigger(body="{}")

    assert trigger.valid is False
    assert trigger.processed is False
    assert trigger.exception == ""
    assert trigger.traceback == ""
    assert trigger.event is None
    assert trigger.djstripe_version == djstripe.__version__
    assert trigger.created is not None
    assert trigger.updated >= trigger.created
    assert isinstance(trigger.id, int)


def test_json_body_parses_the_body():
    data = load_fixture("event_customer_created")

    trigger = make_trigger(body=json.dumps(data))

    assert trigger.json_body == data


@pytest.mark.parametrize("body", ["", "not json", "{"])
def test_json_body_of_an_invalid_body_is_empty(body):
    assert make_trigger(body=body).json_body == {}


def test_is_test_event():
    assert make_trigger(body=json.dumps({"id": "evt_00000000000000"})).is_test_event
    assert not make_trigger(body=json.dumps(load_fixture("event_customer_created"))).is_test_event
    assert not make_trigger(body="not json").is_test_event
    assert not make_trigger(body="[1, 2]").is_test_event


def test_trigger_points_at_its_event(fake_stripe):
    event = Event.sync_from_stripe_data(load_fixture("event_customer_created"))

    trigger = make_trigger(body="{}", event=event, valid=True, processed=True)

    assert list(event.webhook_triggers.all()) == [trigger]
    event.delete()
    trigger.refresh_from_db()
    assert trigger.event is None


def test_trigger_records_remote_ip_headers_and_failure():
    trigger = make_trigger(
        body="{}", remote_ip="2001:db8::1", exception="KeyError", traceback="Traceback..."
    )
    trigger.refresh_from_db()

    assert trigger.remote_ip == "2001:db8::1"
    assert trigger.headers == {"Content-Type": "application/json"}
    assert trigger.exception == "KeyError"
    assert "valid=False" in str(trigger)
