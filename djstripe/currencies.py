"""Currency facts that the models need.

Stripe expresses amounts in the currency's smallest unit; for the currencies
below that unit is the whole currency (there is no minor unit), so an amount is
not divided by 100. List from Stripe's "Supported currencies" documentation
(zero-decimal currencies).
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "bif",  # Burundian Franc
        "clp",  # Chilean Peso
        "djf",  # Djiboutian Franc
        "gnf",  # Guinean Franc
        "jpy",  # Japanese Yen
        "kmf",  # Comorian Franc
        "krw",  # South Korean Won
        "mga",  # Malagasy Ariary
        "pyg",  # Paraguayan Guaraní
        "rwf",  # Rwandan Franc
        "ugx",  # Ugandan Shilling
        "vnd",  # Vietnamese Đồng
        "vuv",  # Vanuatu Vatu
        "xaf",  # Central African CFA Franc
        "xof",  # West African CFA Franc
        "xpf",  # CFP Franc
    }
)


def _decimal_places(currency: str) -> int:
    return 0 if currency.lower() in ZERO_DECIMAL_CURRENCIES else 2


def convert_from_stripe_amount(amount: int, currency: str) -> Decimal:
    """Stripe's integer minor units to a Decimal in the major unit (2000 usd -> 20.00)."""
    places = _decimal_places(currency)
    return (Decimal(amount) / (10**places)).quantize(Decimal(1).scaleb(-places))


def convert_to_stripe_amount(amount: Decimal | int | str, currency: str) -> int:
    """A Decimal in the major unit to Stripe's integer minor units (20.00 usd -> 2000).

    Precision beyond the currency's minor unit is rounded half up, as a
    cashier would.
    """
    places = _decimal_places(currency)
    scaled = Decimal(str(amount)).scaleb(places)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))
