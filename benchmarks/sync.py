"""Initial sync throughput: djstripe_sync_models into an empty database.

    DJSTRIPE_TEST_DB=postgres python benchmarks/sync.py [--customers 1000 10000]

For each size, the fake Stripe holds that many customers, each with its
card, its subscription, an invoice (two lines), the invoice item, a charge
and its refund, all renamed copies of the test fixtures. The fake's store is
filled before anything is measured; then ``djstripe_sync_models`` copies the
account into an empty database, twice: once timed, once under tracemalloc
(which slows Python down) for the peak of Python allocations during the
sync. Printed: objects written per second (every mirrored row: customers,
cards, subscriptions, invoices, invoice items, charges, refunds...), Stripe
requests and list pages, SQL statements per object, and memory.
"""

from __future__ import annotations

import argparse
import collections
import gc
import io
import resource
import time
import tracemalloc

from common import count_statements, fake_stripe, fixture_copy, print_table, test_database
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from djstripe import stripe_api
from djstripe.models import StripeObject
from tests.fake_stripe import load_fixture


def customer_account(n: int) -> list[dict]:
    """Customer ``n`` and everything it owns, as Stripe lists them."""
    return [
        fixture_copy("customer", n),  # its card and subscription embedded
        fixture_copy("card", n),
        fixture_copy("subscription", n),
        fixture_copy("invoice", n),  # its two lines embedded
        fixture_copy("invoiceitem", n),
        fixture_copy("charge", n),  # its card and refund embedded
        fixture_copy("refund", n),
    ]


def fill(fake, customers: int) -> None:
    fake.store([load_fixture("product"), load_fixture("plan")])
    for n in range(customers):
        fake.store(customer_account(n))


def mirrored_objects() -> int:
    """Rows of every Stripe-backed model."""
    models = [
        model
        for model in apps.get_app_config("djstripe").get_models()
        if issubclass(model, StripeObject)
    ]
    return sum(model._default_manager.count() for model in models)


def run_sync(fake) -> tuple[float, int, int, int]:
    """Sync into an empty database: (seconds, Stripe requests, list pages, SQL statements)."""
    call_command("flush", interactive=False, verbosity=0)
    fake.reset_requests()
    gc.collect()
    with stripe_api.count_requests() as requests, count_statements() as sql:
        started = time.perf_counter()
        call_command("djstripe_sync_models", stdout=io.StringIO(), verbosity=0)
        elapsed = time.perf_counter() - started
    pages = sum(1 for request in fake.requests if "limit" in request.params)
    return elapsed, requests.count, pages, sql.count


def peak_memory(fake) -> tuple[int, int]:
    """Peak of Python allocations during a sync (tracemalloc), and the growth of max RSS."""
    call_command("flush", interactive=False, verbosity=0)
    # The fake logs every request it answers: keep its log from counting as the sync's.
    fake.requests = collections.deque(maxlen=1)
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        call_command("djstripe_sync_models", stdout=io.StringIO(), verbosity=0)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    return peak, rss_growth * 1024  # ru_maxrss is in KiB on Linux


def measure(customers: int) -> list:
    with fake_stripe() as fake:
        fill(fake, customers)
        elapsed, requests, pages, statements = run_sync(fake)
        objects = mirrored_objects()
        peak, rss_growth = peak_memory(fake)
        assert mirrored_objects() == objects
    return [
        customers,
        objects,
        f"{elapsed:.1f}",
        f"{objects / elapsed:.0f}",
        requests,
        pages,
        f"{requests / pages:.2f}",
        statements,
        f"{statements / objects:.3f}",
        f"{peak / 2**20:.1f}",
        f"{rss_growth / 2**20:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    with test_database():
        rows = [measure(count) for count in args.customers]
    print_table(
        f"djstripe_sync_models on {connection.vendor}, into an empty database",
        [
            "customers",
            "objects",
            "seconds",
            "objects/s",
            "requests",
            "list pages",
            "requests/page",
            "SQL",
            "SQL/object",
            "peak MiB (tracemalloc)",
            "max RSS growth MiB",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
