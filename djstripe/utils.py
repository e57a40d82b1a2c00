"""Small helpers for application code and templates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from . import settings as djstripe_settings
from .currencies import ZERO_DECIMAL_CURRENCIES

CURRENCY_SYMBOLS = {"usd": "$", "cad": "$", "aud": "$", "eur": "€", "gbp": "£", "jpy": "¥"}


def get_friendly_currency_amount(amount: Decimal | int | None, currency: str | None) -> str:
    """Format an amount in the currency's major unit: ``$20.00 USD``, ``¥500 JPY``.

    Empty when the amount is unknown; without a currency, just the number.
    """
    if amount is None:
        return ""
    currency = (currency or "").lower()
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    return f"{symbol}{Decimal(amount):,.{places}f} {currency.upper()}"


def convert_tstamp(value: int | str | None) -> datetime.datetime | None:
    """Stripe's epoch seconds to an aware UTC datetime (None stays None)."""
    if value is None or value == "":
        return None
    return datetime.datetime.fromtimestamp(int(value), tz=datetime.timezone.utc)


def subscriber_has_active_subscription(subscriber: Any, plan: Any = None) -> bool:
    """Whether the subscriber's customer has an active subscription (to ``plan``, if given).

    The customer is the subscriber's one in the configured mode
    (STRIPE_LIVE_MODE). A subscriber without one (or anonymous) has none; no
    customer is created. ``plan`` is a Plan or a plan id.
    """
    from .models import Customer

    if getattr(subscriber, "pk", None) is None:
        return False
    customer = Customer.of_subscriber(subscriber, djstripe_settings.STRIPE_LIVE_MODE)
    if customer is None:
        return False
    if plan is None:
        return customer.has_any_active_subscription()
    return customer.has_active_subscription(plan)


def clear_expired_idempotency_keys() -> int:
    """Delete the idempotency keys Stripe has forgotten (older than 24 hours); return how many."""
    from django.utils import timezone

    from .models import IdempotencyKey

    cutoff = timezone.now() - IdempotencyKey.LIFETIME
    deleted, _by_model = IdempotencyKey.objects.filter(created__lt=cutoff).delete()
    return deleted
