"""The Stripe* fields: where each value sits in a Stripe object and how it converts."""

import datetime
from decimal import Decimal

import pytest

from djstripe import enums
from djstripe.fields import (
    StripeBooleanField,
    StripeCharField,
    StripeCurrencyField,
    StripeDataError,
    StripeDateTimeField,
    StripeEnumField,
    StripeIdField,
    StripeIntegerField,
    StripeJSONField,
    StripeNullBooleanField,
    StripePercentField,
    StripePositiveIntegerField,
    StripeTextField,
)
from djstripe.models import Plan


def bound(field, name="value"):
    """Attach a field to a model the way a model class would, without a new model."""
    field.set_attributes_from_name(name)
    field.model = Plan
    return field


def test_default_stripe_key_is_the_field_name():
    assert bound(StripeCharField()).stripe_to_db({"value": "abc"}) == "abc"


def test_nested_stripe_key():
    field = bound(StripeDateTimeField(stripe_name="discount.start"))
    assert field.stripe_to_db({"discount": {"start": 0}}) == datetime.datetime(
        1970, 1, 1, tzinfo=datetime.timezone.utc
    )
    # The parent is null, or only an id: the value is simply not available.
    assert field.stripe_to_db({"discount": None}) is None
    assert field.stripe_to_db({"discount": "di_1"}) is None
    assert field.stripe_to_db({}) is None


def test_missing_optional_key_gives_the_default():
    assert bound(StripeIntegerField()).stripe_to_db({}) is None
    assert bound(StripeBooleanField()).stripe_to_db({}) is False
    assert bound(StripePositiveIntegerField(default=0)).stripe_to_db({}) == 0


def test_missing_required_key_names_model_field_and_object():
    field = bound(StripeCharField(stripe_required=True), "currency")
    with pytest.raises(StripeDataError) as error:
        field.stripe_to_db({"id": "plan_1"})
    assert str(error.value) == "Plan.currency: Stripe object 'plan_1' has no 'currency'"


def test_null_stays_null():
    for field in (
        StripeIntegerField(),
        StripeCharField(),
        StripeNullBooleanField(),
        StripeDateTimeField(),
        StripeCurrencyField(),
        StripeJSONField(),
    ):
        assert bound(field).stripe_to_db({"value": None, "currency": "usd"}) is None


@pytest.mark.parametrize(
    ("field", "stripe_value", "expected"),
    [
        (StripeIdField(), "cus_1", "cus_1"),
        (StripeIdField(), {"id": "txn_1", "object": "balance_transaction"}, "txn_1"),
        (StripeCharField(), 12, "12"),
        (StripeTextField(), "long text", "long text"),
        (StripeIntegerField(), 500, 500),
        (StripeIntegerField(), "500", 500),
        (StripeIntegerField(), " -12 ", -12),
        (StripeIntegerField(), 7.0, 7),
        (StripePositiveIntegerField(), "3", 3),
        (StripeBooleanField(), True, True),
        (StripeBooleanField(), "false", False),
        (StripeNullBooleanField(), "true", True),
        (StripePercentField(), 12.5, Decimal("12.50")),
        (StripePercentField(), "8.25", Decimal("8.25")),
        (StripeJSONField(), {"a": [1, 2]}, {"a": [1, 2]}),
        (StripeEnumField(enum=enums.PlanInterval), "month", "month"),
    ],
)
def test_conversions(field, stripe_value, expected):
    assert bound(field).stripe_to_db({"value": stripe_value}) == expected


def test_datetime_from_epoch_seconds_is_aware_utc():
    field = bound(StripeDateTimeField())
    value = field.stripe_to_db({"value": 1527084000})
    assert value == datetime.datetime(2018, 5, 23, 14, 0, tzinfo=datetime.timezone.utc)
    assert value.utcoffset() == datetime.timedelta(0)
    assert field.stripe_to_db({"value": "1527084000"}) == value


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (2000, "usd", Decimal("20.00")),
        ("2000", "usd", Decimal("20.00")),
        (1, "eur", Decimal("0.01")),
        (-350, "gbp", Decimal("-3.50")),
        (500, "jpy", Decimal("500")),
        (500, "JPY", Decimal("500")),
        (15000, "krw", Decimal("15000")),
        (0, "usd", Decimal("0.00")),
    ],
)
def test_currency_is_decimal_in_the_major_unit(amount, currency, expected):
    value = bound(StripeCurrencyField()).stripe_to_db({"value": amount, "currency": currency})
    assert value == expected
    assert value.as_tuple().exponent == expected.as_tuple().exponent


def test_currency_can_sit_elsewhere():
    field = bound(StripeCurrencyField(stripe_name="bt.fee", currency_stripe_name="bt.currency"))
    assert field.stripe_to_db({"bt": {"fee": 59, "currency": "usd"}}) == Decimal("0.59")


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        (StripeIntegerField(), {"value": "five"}, "cannot convert 'five'"),
        (StripeIntegerField(), {"value": 1.5}, "1.5 is not a whole number"),
        (StripeIntegerField(), {"value": True}, "a boolean is not an integer"),
        (StripePositiveIntegerField(), {"value": -1}, "-1 is negative"),
        (StripeBooleanField(), {"value": "yes"}, "'yes' is not a boolean"),
        (StripeCurrencyField(), {"value": 100}, "no currency beside the amount"),
        (StripeDateTimeField(), {"value": "noon"}, "cannot convert 'noon'"),
    ],
)
def test_bad_values_raise_a_clear_error(field, data, message):
    with pytest.raises(StripeDataError) as error:
        bound(field).stripe_to_db({"id": "obj_1", **data})
    assert message in str(error.value)
    assert "Plan.value" in str(error.value)
    assert "'obj_1'" in str(error.value)


def test_enum_field_offers_the_enum_as_choices():
    field = bound(StripeEnumField(enum=enums.PlanInterval))
    assert field.choices == enums.PlanInterval.choices
    assert field.max_length == len("month")


def test_an_unknown_enum_value_is_kept_but_fails_validation():
    from django.core.exceptions import ValidationError

    field = bound(StripeEnumField(enum=enums.PlanInterval))
    assert field.stripe_to_db({"value": "fortnight"}) == "fortnight"
    with pytest.raises(ValidationError):
        field.clean("fortnight", None)


def test_optional_fields_are_nullable_and_required_ones_are_not():
    assert StripeCharField().null is True
    assert StripeCharField(stripe_required=True).null is False
    assert StripeNullBooleanField().null is True
    assert StripeBooleanField().null is False
