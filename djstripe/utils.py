"""Small helpers for application code and templates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from .currencies import ZERO_DECIMAL_CURRENCIES

CURRENCY_SYMBOLS = {"usd": "$", "cad": "$", "aud": "$", "eur": "€", "gbp": "£", "jpy": "¥"}


def get_friendly_currency_amount(amount: Decimal | int | None, currency: str) -> str:
    """Format an amount in the currency's major unit: ``$20.00 USD``, ``¥500 JPY``."""
    if amount is None:
        return ""
    currency = currency.lower()
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    return f"{symbol}{Decimal(amount):,.{places}f} {currency.upper()}"


def convert_tstamp(value: int | str | None) -> datetime.datetime | None:
    """Stripe's epoch seconds to an aware UTC datetime (None stays None)."""
    if value is None or value == "":
        return None
    return datetime.datetime.fromtimestamp(int(value), tz=datetime.timezone.utc)
