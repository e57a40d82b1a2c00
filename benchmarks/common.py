"""What the benchmarks share: a throwaway database, the fake Stripe, renamed fixtures."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("DJSTRIPE_TEST_DB", "postgres")

import django  # noqa: E402

django.setup()

import stripe  # noqa: E402
from django.db import connection  # noqa: E402

from tests.fake_stripe import FIXTURES_DIR, FakeStripe  # noqa: E402

# The ids the fixtures use, and the prefix each gets per copy.
FIXTURE_IDS = {
    "cus_Cox9sWuLoPAaA8": "cus_b",
    "card_1CPJFDF5yC65fO41pVKlqPJO": "card_b",
    "sub_CpJxjJHucuaF7o": "sub_b",
    "si_CpJxEBgGb9Oeyz": "si_b",
    "in_1CPfJYF5yC65fO41BRDG97XG": "in_b",
    "ii_1CPfJYF5yC65fO41OvzfhxVu": "ii_b",
    "ch_1CPfJXF5yC65fO414nRpaepi": "ch_b",
    "re_1CPfJXF5yC65fO41oOoVHNp6": "re_b",
}


@cache
def fixture_text(name: str) -> str:
    return (FIXTURES_DIR / f"{name}.json").read_text()


def fixture_copy(name: str, n: int, **overrides) -> dict:
    """A fixture with every id of the fixtures' account renamed for copy ``n``."""
    text = fixture_text(name)
    for old, prefix in FIXTURE_IDS.items():
        text = text.replace(old, f"{prefix}{n:06d}")
    data = json.loads(text)
    data.update(overrides)
    return data


@contextmanager
def test_database():
    """A fresh test database for the run, dropped afterwards."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


@contextmanager
def database_options(**options):
    """Reconnect with these connection OPTIONS (``prepare_threshold``, say) meanwhile."""
    saved = connection.settings_dict["OPTIONS"]
    connection.close()
    connection.settings_dict["OPTIONS"] = {**saved, **options}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"] = saved


@contextmanager
def fake_stripe():
    """The tests' spec-checking fake Stripe as stripe-python's HTTP client."""
    fake = FakeStripe()
    saved = stripe.default_http_client
    stripe.default_http_client = fake
    try:
        yield fake
    finally:
        stripe.default_http_client = saved


class StatementCounter:
    """Counts SQL statements sent to the database (no cap, unlike the query log)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def count_statements():
    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        yield counter


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print(" | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
