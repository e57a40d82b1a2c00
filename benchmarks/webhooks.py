"""Webhook throughput: signed mixed events replayed through the test client.

    DJSTRIPE_TEST_DB=postgres python benchmarks/webhooks.py [--customers 100]

For each validation mode (verify_signature, retrieve_event) and sync mode (refetch,
payload) it replays the same stream of events — customers, cards,
subscriptions, invoices, charges and refunds being created, updated and
deleted — into an empty database and prints events/s, SQL statements per
event and Stripe requests per event. Each is run with Django's default
connection (no prepared statements) and with ``prepare_threshold`` set in the
database OPTIONS, which lets PostgreSQL keep the plans of djstripe's
statements.

The events are replayed one after the other by one process, and, as a web
server with several workers receives Stripe's concurrent deliveries, by
``--workers`` processes at once, each with its own connection and the events
of every n-th customer, in order (concurrent deliveries mostly concern
different objects; the tests cover those that arrive out of order). Every run
must end with the mirror equal to Stripe's final state.

For scale, the script times requests to a bare view that only checks the
signature and parses the JSON, through the same test client (between every 50
events of a single-process run; before and after a run with workers): how
fast the machine is at those moments (shared machines vary, by 2x or more
within minutes). The last column scales events/s to a machine on which that
bare view handles 3,300 requests/s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time

import stripe
from common import (
    count_statements,
    database_options,
    fake_stripe,
    fixture_copy,
    print_table,
    test_database,
)
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.test import Client, override_settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from djstripe import stripe_api
from djstripe.fields import MISSING, lookup_path
from djstripe.models import Product, model_for_stripe_object
from djstripe.models.base import mapping_for
from tests.fake_stripe import load_fixture
from tests.webhook_client import SECRET, post_webhook

START = 1_540_000_000
REFERENCE_BARE_RATE = 3_300  # requests/s of the bare view on the reference machine


def event(n: int, event_type: str, obj: dict) -> dict:
    return {
        "id": f"evt_bench{n:07d}",
        "object": "event",
        "api_version": "2018-05-21",
        "created": START + n,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_{n}", "idempotency_key": None},
        "type": event_type,
    }


def customer_story(n: int) -> tuple[list[tuple[str, dict]], list[dict]]:
    """One customer's life as (type, object) pairs, and Stripe's final state of it."""
    no_lists = {"object": "list", "data": [], "has_more": False, "url": ""}
    customer = fixture_copy(
        "customer", n, sources=no_lists, subscriptions=no_lists, default_source=None
    )
    card = fixture_copy("card", n)
    subscription = fixture_copy("subscription", n)
    invoice = fixture_copy("invoice", n, charge=None, paid=False)
    charge = fixture_copy("charge", n, amount_refunded=0, refunds={**no_lists})
    refunded = fixture_copy("charge", n, amount_refunded=2000, refunded=True)
    paid_invoice = fixture_copy("invoice", n)
    updated_customer = fixture_copy("customer", n, email=f"customer{n}@example.com")
    updated_subscription = fixture_copy("subscription", n, quantity=2)
    canceled = fixture_copy(
        "subscription", n, quantity=2, status="canceled", canceled_at=START, ended_at=START
    )
    story = [
        ("customer.created", customer),
        ("customer.source.created", card),
        ("customer.subscription.created", subscription),
        ("invoice.created", invoice),
        ("charge.succeeded", charge),
        ("invoice.payment_succeeded", paid_invoice),
        ("charge.refunded", refunded),
        ("customer.updated", updated_customer),
        ("customer.subscription.updated", updated_subscription),
        ("customer.subscription.deleted", canceled),
    ]
    final_customer = fixture_copy(
        "customer", n, email=f"customer{n}@example.com", subscriptions={**no_lists}
    )
    return story, [final_customer, card, canceled, paid_invoice, refunded]


def build_stream(customers: int) -> tuple[list[list[dict]], list[dict]]:
    """The events of each customer, in order, and Stripe's final state of every object."""
    stories, stripe_now, count = [], [], 0
    for n in range(customers):
        story, final = customer_story(n)
        stripe_now += final
        stories.append(
            [event(count + i, event_type, obj) for i, (event_type, obj) in enumerate(story)]
        )
        count += len(story)
    return stories, stripe_now


def flatten(stories: list[list[dict]]) -> list[dict]:
    return [event for story in stories for event in story]


@csrf_exempt
def bare_view(request) -> HttpResponse:
    """The least a webhook view does: check the signature and parse the JSON."""
    try:
        stripe.WebhookSignature.verify_header(
            request.body.decode(), request.headers.get("Stripe-Signature", ""), SECRET, 300
        )
    except stripe.SignatureVerificationError:
        return HttpResponseBadRequest()
    json.loads(request.body)
    return HttpResponse()


BARE_URL = "/bare/webhook/"
urlpatterns = [path(BARE_URL.strip("/") + "/", bare_view), path("", include("tests.urls"))]
BARE_EVERY, BARE_SAMPLE = 50, 20  # after every 50 events, 20 requests to the bare view


def run(
    validation: str, mode: str, workers: int, stories: list[list[dict]], stripe_now: list[dict]
) -> list:
    call_command("flush", interactive=False, verbosity=0)
    settings = {
        "DJSTRIPE_WEBHOOK_SYNC_MODE": mode,
        "DJSTRIPE_MAX_NETWORK_RETRIES": 0,
        "ROOT_URLCONF": __name__,
    }
    if validation == "retrieve_event":
        settings.update(DJSTRIPE_WEBHOOK_VALIDATION="retrieve_event", DJSTRIPE_WEBHOOK_SECRET="")
    events = flatten(stories)
    with fake_stripe() as fake, override_settings(**settings):
        fake.store(stripe_now + events + [load_fixture("product")])
        Product.sync_from_stripe_data(load_fixture("product"))  # plans' product, known
        if workers == 1:
            elapsed, bare, statements, requests = replay_in_one_process(events)
        else:
            elapsed, bare, statements, requests = replay_in_processes(stories, workers)
        assert_mirrored(stripe_now)
    count = len(events)
    rate = count / elapsed
    return [
        validation,
        mode,
        workers,
        count,
        f"{rate:.0f}",
        f"{statements / count:.2f}",
        f"{requests / count:.2f}",
        f"{bare:.0f}",
        f"{rate * REFERENCE_BARE_RATE / bare:.0f}",
    ]


def replay_in_one_process(events: list[dict]) -> tuple[float, float, int, int]:
    """Seconds for the events, bare view requests/s, SQL statements, Stripe requests."""
    client = Client()
    elapsed = bare_elapsed = 0.0
    bare_count = 0
    with stripe_api.count_requests() as requests, count_statements() as sql:
        for start in range(0, len(events), BARE_EVERY):
            started = time.perf_counter()
            for body in events[start : start + BARE_EVERY]:
                assert post_webhook(client, body).status_code == 200
            elapsed += time.perf_counter() - started
            sample = events[start : start + BARE_SAMPLE]
            bare_elapsed += time_bare_view(client, sample)
            bare_count += len(sample)
    return elapsed, bare_count / bare_elapsed, sql.count, requests.count


def replay_in_processes(stories: list[list[dict]], workers: int) -> tuple[float, float, int, int]:
    """:func:`replay_in_one_process` with ``workers`` processes at once, each taking the
    events of every n-th customer in order; the bare view is timed before and after."""
    sample = flatten(stories)[: BARE_SAMPLE * 5]
    bare_elapsed = time_bare_view(Client(), sample)
    connection.close()  # each process opens its own
    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(workers + 1), context.Queue()
    processes = [
        context.Process(target=replay_share, args=(flatten(stories[k::workers]), ready, results))
        for k in range(workers)
    ]
    for process in processes:
        process.start()
    ready.wait()
    started = time.perf_counter()
    outcomes = [results.get() for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    bare_elapsed += time_bare_view(Client(), sample)
    assert all(outcome is not None for outcome in outcomes), "a worker failed"
    statements = sum(outcome[0] for outcome in outcomes)
    requests = sum(outcome[1] for outcome in outcomes)
    return elapsed, 2 * len(sample) / bare_elapsed, statements, requests


def replay_share(events: list[dict], ready, results) -> None:
    """One worker process: post its events once all workers are ready."""
    outcome = None
    try:
        client = Client()
        connection.ensure_connection()
        with stripe_api.count_requests() as requests, count_statements() as sql:
            ready.wait()
            for body in events:
                assert post_webhook(client, body).status_code == 200
        outcome = (sql.count, requests.count)
    finally:
        results.put(outcome)
        connection.close()


def assert_mirrored(stripe_now: list[dict]) -> None:
    """The mirror holds Stripe's final state of every object of the stream."""
    for data in stripe_now:
        mapping = mapping_for(model_for_stripe_object(data["object"]))
        expected = mapping.unsaved_row(data)
        row = mapping.model.objects.get(stripe_id=data["id"])
        for field in mapping.stripe_fields:
            if lookup_path(data, field.stripe_path) is MISSING:
                continue  # not Stripe's to say (a card's livemode comes from the key)
            mirrored, wanted = getattr(row, field.attname), getattr(expected, field.attname)
            assert mirrored == wanted, (data["id"], field.name, mirrored, wanted)


def time_bare_view(client: Client, bodies: list[dict]) -> float:
    """Seconds for the bare view to answer these bodies, signed, through the test client."""
    started = time.perf_counter()
    for body in bodies:
        assert post_webhook(client, body, url=BARE_URL).status_code == 200
    return time.perf_counter() - started


def database_variants() -> list[tuple[str, dict]]:
    """Django's default connection, and on PostgreSQL one allowing prepared statements."""
    variants = [("no", {})]
    if connection.vendor == "postgresql":
        variants.append(("yes", {"prepare_threshold": 5}))
    return variants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100, help="10 events per customer")
    parser.add_argument(
        "--workers", type=int, default=2, help="processes of the concurrent runs (1: none)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per mode; the median run is shown"
    )
    args = parser.parse_args()
    stories, stripe_now = build_stream(args.customers)
    rows = []
    with test_database():
        for prepared, options in database_variants():
            with database_options(**options):
                for validation in ("verify_signature", "retrieve_event"):
                    for mode in ("payload", "refetch"):
                        for workers in sorted({1, args.workers}):
                            runs = [
                                [prepared, *run(validation, mode, workers, stories, stripe_now)]
                                for _ in range(args.repeat)
                            ]
                            runs.sort(key=lambda row: float(row[5]))
                            rows.append(runs[len(runs) // 2])
    print_table(
        f"Webhooks on {connection.vendor}: {len(flatten(stories))} signed events "
        f"(median of {args.repeat} runs)",
        [
            "prepared statements",
            "validation",
            "sync mode",
            "workers",
            "events",
            "events/s",
            "SQL/event",
            "Stripe requests/event",
            "bare view req/s",
            f"events/s at {REFERENCE_BARE_RATE:,} bare",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
