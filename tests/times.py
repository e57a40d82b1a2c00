"""Datetimes and Unix timestamps as the tests write them."""

from __future__ import annotations

import datetime

from django.utils import timezone


def utc(*args) -> datetime.datetime:
    """``datetime.datetime(*args)`` in UTC."""
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


def epoch(value: datetime.datetime) -> str:
    """A datetime as Stripe receives it in a form parameter: Unix seconds, as a string."""
    return str(int(value.timestamp()))


def in_future(days: int = 30) -> int:
    """Unix seconds ``days`` from now."""
    return int((timezone.now() + datetime.timedelta(days=days)).timestamp())
