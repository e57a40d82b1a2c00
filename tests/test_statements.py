"""The hand-written SQL statements of djstripe.models.statements, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from djstripe.models import Customer, Event, WebhookEventTrigger
from djstripe.models.base import SyncedVersion, existing_ids, version_claim
from djstripe.models.statements import (
    Link,
    cursor_for,
    database,
    insert,
    insert_unless_present,
    update,
)
from tests.fake_stripe import load_fixture

pytestmark = pytest.mark.django_db

OUTCOME = ["processed", "exception"]


def new_trigger() -> WebhookEventTrigger:
    trigger = WebhookEventTrigger(remote_ip="127.0.0.1", headers={}, body="{}")
    insert(trigger)
    return trigger


def new_event(stripe_id: str = "evt_1") -> Event:
    return Event(stripe_id=stripe_id, type="customer.created", livemode=False, data={})


def test_insert_sets_the_primary_key_and_the_timestamps():
    trigger = new_trigger()
    stored = WebhookEventTrigger.objects.get(pk=trigger.pk)
    assert stored.created == trigger.created and stored.updated == trigger.updated
    assert stored.djstripe_version == trigger.djstripe_version != ""


def test_update_writes_only_the_fields_named():
    trigger = new_trigger()
    WebhookEventTrigger.objects.filter(pk=trigger.pk).update(body="changed elsewhere")
    trigger.processed, trigger.exception = True, "boom"
    update(trigger, OUTCOME)
    stored = WebhookEventTrigger.objects.get(pk=trigger.pk)
    assert (stored.processed, stored.exception, stored.body) == (True, "boom", "changed elsewhere")


def test_update_refuses_an_unsaved_row():
    with pytest.raises(ValueError, match="never saved"):
        update(WebhookEventTrigger(remote_ip="127.0.0.1", headers={}), OUTCOME)


def test_a_new_row_is_linked_and_the_linking_row_saved_in_one_statement():
    trigger = new_trigger()
    trigger.processed = True
    event = new_event()
    with CaptureQueriesContext(connection) as queries:
        assert insert_unless_present(event, "stripe_id", link=Link(trigger, "event_id", OUTCOME))
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    stored = WebhookEventTrigger.objects.get(pk=trigger.pk)
    assert stored.event_id == event.pk == trigger.event_id
    assert stored.processed


def test_nothing_is_linked_when_the_row_exists():
    assert insert_unless_present(new_event(), "stripe_id")
    trigger = new_trigger()
    trigger.processed = True
    event = new_event()
    assert not insert_unless_present(event, "stripe_id", link=Link(trigger, "event_id", OUTCOME))
    assert event.pk is None and trigger.event_id is None
    stored = WebhookEventTrigger.objects.get(pk=trigger.pk)
    assert stored.event_id is None and not stored.processed
    assert Event.objects.count() == 1


def versions() -> dict[str, int]:
    return dict(SyncedVersion.objects.values_list("key", "version"))


def test_a_version_claim_rides_along_with_the_id_lookup(fake_stripe):
    Customer.sync_from_stripe_data(load_fixture("customer", sources=None, subscriptions=None))
    wanted = {Customer: ["cus_Cox9sWuLoPAaA8", "cus_unknown"]}
    with CaptureQueriesContext(connection) as queries:
        found = existing_ids(wanted, version_claim("customer", "cus_1", 20))
    assert found == {Customer: {"cus_Cox9sWuLoPAaA8"}}
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert versions() == {"customer:cus_1": 20}

    # The same version again is let through; an older one is not, and changes nothing.
    assert existing_ids(wanted, version_claim("customer", "cus_1", 20)) is not None
    assert existing_ids(wanted, version_claim("customer", "cus_1", 19)) is None
    assert versions() == {"customer:cus_1": 20}


def test_a_version_claim_without_ids_to_look_up_is_a_query_of_its_own():
    with CaptureQueriesContext(connection) as queries:
        assert existing_ids({Customer: []}, version_claim("customer", "cus_1", 5)) == {
            Customer: set()
        }
    assert len(queries) == 1
    assert existing_ids({}, version_claim("customer", "cus_1", 4)) is None
    assert versions() == {"customer:cus_1": 5}


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side binding is PostgreSQL's"
)


@postgresql_only
def test_statements_bind_their_values_on_the_server():
    import psycopg

    with cursor_for(database()) as cursor:
        assert not isinstance(cursor.cursor, psycopg.ClientCursor)
        cursor.execute("SELECT %s::integer + 1", [1])
        assert cursor.fetchone() == (2,)


@postgresql_only
def test_statements_are_prepared_when_the_connection_allows_it():
    connection.ensure_connection()
    raw = connection.connection
    saved = raw.prepare_threshold
    raw.prepare_threshold = 0  # what OPTIONS={"prepare_threshold": 0} gives
    try:
        assert insert_unless_present(new_event("evt_prepared"), "stripe_id")
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
    finally:
        raw.prepare_threshold = saved
    assert any('INSERT INTO "djstripe_event"' in statement for statement in prepared)
