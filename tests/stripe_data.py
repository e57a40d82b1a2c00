"""Stripe API objects the tests hand to the fake Stripe or to ``sync_from_stripe_data``."""

from __future__ import annotations

from tests.fake_stripe import load_fixture


def empty_list(url: str) -> dict:
    """A Stripe list object with nothing in it."""
    return {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": url}


def account_data(**overrides) -> dict:
    """The account, without its logo (a file that would cost a request of its own)."""
    return load_fixture("account", business_logo=None, **overrides)
