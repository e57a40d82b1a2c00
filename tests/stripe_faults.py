"""The kinds of Stripe failure every model method is tested against, and how to cause them."""

from __future__ import annotations

import pytest
import stripe

# (fault, exception raised): what each kind of failure raises.
FAILURES = [
    pytest.param(404, stripe.InvalidRequestError, id="not-found"),
    pytest.param(429, stripe.RateLimitError, id="rate-limited"),
    pytest.param("timeout", stripe.APIConnectionError, id="network"),
]
# Where a payment is made or a card checked, a decline too.
PAYMENT_FAILURES = [pytest.param(402, stripe.CardError, id="card-declined"), *FAILURES]


def fail(fake, method: str, path: str, fault, **error) -> None:
    """Make the fake Stripe answer ``method path`` with ``fault`` (a status, or "timeout")."""
    if fault == "timeout":
        fake.fail(method, path, timeout=True)
    else:
        fake.fail(method, path, status=fault, error=error or None)


def row(model, stripe_id: str) -> dict | None:
    """The stored row as a dict, to show that a failure changed nothing."""
    return model.objects.filter(stripe_id=stripe_id).values().first()


def mirror(*models) -> dict[str, list[dict]]:
    """Every row of these models, as stored: what a failed call must leave as it was."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
