"""Model fields that know how to read themselves from a Stripe object.

Each ``Stripe*`` field knows its Stripe key (``stripe_name``: its own name by
default, or a dotted path such as ``"discount.start"`` where the value sits
deeper), whether Stripe must send it (``stripe_required``) and how to convert
Stripe's JSON value to the Python value stored in the column.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .currencies import convert_from_stripe_amount

MISSING = object()


class StripeDataError(ValueError):
    """A Stripe object lacks a value the model needs, or holds one it cannot convert."""


def lookup_path(data: Any, path: str) -> Any:
    """Follow a dotted path through nested dicts; MISSING where a step is absent.

    A step through something that is not a dict (an id where an object was
    expected, or null) gives None: the value is not available at this depth.
    """
    if "." not in path:  # most paths: one step
        return data.get(path, MISSING) if isinstance(data, dict) else None
    value = data
    for step in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step, MISSING)
        if value is MISSING:
            return MISSING
    return value


class StripeFieldMixin:
    """The Stripe side of a field: where its value sits and how it converts."""

    def __init__(
        self,
        *args: Any,
        stripe_name: str | None = None,
        stripe_required: bool = False,
        **kwargs: Any,
    ) -> None:
        self.stripe_name = stripe_name
        self.stripe_required = stripe_required
        if not stripe_required:
            kwargs.setdefault("null", True)
            kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    @property
    def stripe_path(self) -> str:
        return self.stripe_name or self.name

    def stripe_to_db(self, data: dict[str, Any]) -> Any:
        """Return this field's Python value from a Stripe object."""
        value = lookup_path(data, self.stripe_path)
        if value is MISSING:
            if self.stripe_required:
                raise StripeDataError(
                    f"{self.model.__name__}.{self.name}: Stripe object {data.get('id')!r} "
                    f"has no {self.stripe_path!r}"
                )
            return self.get_default()
        if value is None:
            return None
        try:
            return self.convert_stripe_value(value, data)
        except (TypeError, ValueError, ArithmeticError, ValidationError) as exc:
            raise StripeDataError(
                f"{self.model.__name__}.{self.name}: cannot convert {value!r} from Stripe "
                f"object {data.get('id')!r}: {exc}"
            ) from exc

    def convert_stripe_value(self, value: Any, data: dict[str, Any]) -> Any:
        """Convert a non-null Stripe value (override per field type)."""
        return value


class StripeIdField(StripeFieldMixin, models.CharField):
    """A Stripe object id (``cus_...``); an expanded object gives its id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def convert_stripe_value(self, value, data):
        return str(value["id"] if isinstance(value, dict) else value)


class StripeCharField(StripeFieldMixin, models.CharField):
    """A short Stripe string."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def convert_stripe_value(self, value, data):
        return str(value)


class StripeTextField(StripeFieldMixin, models.TextField):
    """A Stripe string of any length."""

    def convert_stripe_value(self, value, data):
        return str(value)


class StripeEnumField(StripeFieldMixin, models.CharField):
    """A Stripe string restricted to the values of an enum from djstripe.enums."""

    def __init__(self, *args: Any, enum: Any = None, **kwargs: Any) -> None:
        if enum is not None:
            self.enum = enum
            kwargs["choices"] = enum.choices
            kwargs.setdefault("max_length", max(len(value) for value, _ in enum.choices))
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def convert_stripe_value(self, value, data):
        # A value newer than our enum is kept (never lose what Stripe says);
        # model validation (full_clean) still reports it.
        return str(value)


def _to_integer(value: Any) -> int:
    if type(value) is int:  # as Stripe sends them
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an integer")
    if isinstance(value, str):
        value = value.strip()
    number = decimal.Decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


class StripeIntegerField(StripeFieldMixin, models.IntegerField):
    """A Stripe integer (strings of digits are accepted)."""

    def convert_stripe_value(self, value, data):
        return _to_integer(value)


class StripePositiveIntegerField(StripeFieldMixin, models.PositiveIntegerField):
    """A Stripe integer that is never negative."""

    def convert_stripe_value(self, value, data):
        number = _to_integer(value)
        if number < 0:
            raise ValueError(f"{number} is negative")
        return number


class StripeCurrencyField(StripeFieldMixin, models.DecimalField):
    """An amount in the currency's major unit, from Stripe's integer minor units.

    2000 usd cents become Decimal("20.00"); zero-decimal currencies such as
    jpy are not divided (500 jpy is Decimal("500")). The currency is read from
    the same Stripe object (its ``currency`` key, or ``currency_stripe_name``).
    """

    def __init__(self, *args: Any, currency_stripe_name: str = "currency", **kwargs: Any) -> None:
        self.currency_stripe_name = currency_stripe_name
        kwargs.setdefault("max_digits", 24)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def convert_stripe_value(self, value, data):
        currency = lookup_path(data, self.currency_stripe_name)
        if not isinstance(currency, str):
            raise ValueError(f"no currency beside the amount ({self.currency_stripe_name!r})")
        return convert_from_stripe_amount(_to_integer(value), currency)


class StripePercentField(StripeFieldMixin, models.DecimalField):
    """A percentage between 1 and 100 with two decimal places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("validators", [MinValueValidator(1), MaxValueValidator(100)])
        super().__init__(*args, **kwargs)

    def convert_stripe_value(self, value, data):
        return decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"{value!r} is not a boolean")


class StripeBooleanField(StripeFieldMixin, models.BooleanField):
    """A Stripe boolean that Stripe always sends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", False)
        kwargs.setdefault("null", False)
        super().__init__(*args, **kwargs)

    def stripe_to_db(self, data):
        value = super().stripe_to_db(data)
        return self.get_default() if value is None else value

    def convert_stripe_value(self, value, data):
        return _to_boolean(value)


class StripeNullBooleanField(StripeFieldMixin, models.BooleanField):
    """A Stripe boolean where null means unknown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["null"] = True
        kwargs.setdefault("default", None)
        super().__init__(*args, **kwargs)

    def convert_stripe_value(self, value, data):
        return _to_boolean(value)


class StripeDateTimeField(StripeFieldMixin, models.DateTimeField):
    """An aware UTC datetime from Stripe's epoch seconds."""

    def convert_stripe_value(self, value, data):
        if isinstance(value, datetime.datetime):
            return value
        return datetime.datetime.fromtimestamp(_to_integer(value), tz=datetime.timezone.utc)


class StripeJSONField(StripeFieldMixin, models.JSONField):
    """Any JSON value Stripe sends, stored as it came."""


class PaymentMethodForeignKey(models.ForeignKey):
    """A pointer to any kind of payment source (card, bank account or source).

    It targets the generic ``PaymentMethod`` row that exists for every payment
    source id; ``.resolve()`` on that row gives the concrete object.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("to", "djstripe.PaymentMethod")
        kwargs.setdefault("on_delete", models.SET_NULL)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("related_name", "+")
        kwargs.setdefault("db_constraint", False)
        super().__init__(**kwargs)
