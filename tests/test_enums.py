"""Tests of djstripe.enums and djstripe.currencies.

Runs with or without pytest-django: when Django's settings are not configured
yet (and no settings module is named), a minimal configuration is made.
"""

import ast
import json
import os
import pathlib
import re

import django
from django.conf import settings

if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(USE_I18N=False)
    django.setup()

import pytest  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from djstripe import enums  # noqa: E402
from djstripe.currencies import ZERO_DECIMAL_CURRENCIES  # noqa: E402
from djstripe.enums import Enum  # noqa: E402

SPEC_PATH = pathlib.Path(__file__).resolve().parent / "data" / "spec3.json"

with open(SPEC_PATH) as _fh:
    SCHEMAS = json.load(_fh)["components"]["schemas"]

ALL_ENUMS = sorted(
    {
        obj
        for obj in vars(enums).values()
        if isinstance(obj, type) and issubclass(obj, Enum) and obj is not Enum
    },
    key=lambda cls: cls.__name__,
)


# ---------------------------------------------------------------------------
# The helper
# ---------------------------------------------------------------------------


def test_attribute_value_is_the_stripe_string():
    assert enums.ChargeStatus.failed == "failed"
    assert enums.ChargeStatus.succeeded == "succeeded"
    assert isinstance(enums.ChargeStatus.pending, str)


def test_choices_shape():
    assert [(v, str(label)) for v, label in enums.ChargeStatus.choices] == [
        ("failed", "Failed"),
        ("pending", "Pending"),
        ("succeeded", "Succeeded"),
    ]


@pytest.mark.parametrize("enum", ALL_ENUMS, ids=lambda e: e.__name__)
def test_every_enum_is_well_formed(enum):
    choices = enum.choices
    assert isinstance(choices, list) and choices
    for choice in choices:
        assert isinstance(choice, tuple) and len(choice) == 2
        value, label = choice
        assert isinstance(value, str) and value
        assert str(label)
    values = [value for value, _label in choices]
    assert len(values) == len(set(values)), "duplicate values"
    assert enum.values() == set(values)
    assert list(enum) == values
    assert len(enum) == len(values)
    for value in values:
        assert value in enum
        assert str(enum.label(value))
    assert "not-a-stripe-value" not in enum
    assert enum.label("not-a-stripe-value") is None
    # Django stores the value; it must fit a sensible max_length.
    assert max(len(v) for v in values) <= 64


def test_values_returns_a_set():
    assert enums.ChargeStatus.values() == {"failed", "pending", "succeeded"}
    assert isinstance(enums.ChargeStatus.values(), frozenset)


def test_explicit_mapping_form():
    assert enums.CardBrand.american_express == "American Express"
    assert enums.CardBrand.diners_club == "Diners Club"
    assert enums.CardBrand.mastercard == "MasterCard"
    assert enums.CardBrand.unknown == "Unknown"
    assert ("American Express", "American Express") in [
        (v, str(label)) for v, label in enums.CardBrand.choices
    ]
    # ``pass`` is a keyword: spelled ``pass_`` in Python, "pass" for Stripe.
    assert enums.CardCheckResult.pass_ == "pass"
    assert "pass" in enums.CardCheckResult
    assert "pass_" not in enums.CardCheckResult


def test_declaration_order_is_kept():
    assert list(enums.SubscriptionStatus) == [
        "trialing",
        "active",
        "past_due",
        "canceled",
        "unpaid",
    ]


def test_custom_enum_and_inheritance():
    class Colour(Enum):
        red = _("Red")
        dark_blue = ("dark-blue", _("Dark blue"))

        @classmethod
        def warm(cls):
            return {cls.red}

    assert Colour.red == "red"
    assert Colour.dark_blue == "dark-blue"
    assert Colour.values() == {"red", "dark-blue"}
    assert Colour.warm() == {"red"}

    class MoreColour(Colour):
        green = _("Green")

    assert list(MoreColour) == ["red", "dark-blue", "green"]
    assert list(Colour) == ["red", "dark-blue"]
    assert enums.TransferFailureCode.values() == enums.PayoutFailureCode.values()


def test_reserved_names_are_refused():
    with pytest.raises(TypeError):

        class Bad(Enum):
            choices = _("Choices")


def test_aliases():
    assert enums.ChargeFailureCode is enums.ApiErrorCode
    assert enums.SubscriptionBilling is enums.InvoiceBilling


def test_error_codes_cover_common_charge_failures():
    for code in (
        "card_declined",
        "expired_card",
        "incorrect_cvc",
        "processing_error",
        "incorrect_number",
        "invalid_expiry_month",
        "invalid_expiry_year",
        "invalid_cvc",
        "invalid_number",
        "incorrect_zip",
        "missing",
        "rate_limit",
        "account_already_exists",
    ):
        assert code in enums.ApiErrorCode


def test_payment_method_and_charge_source_types():
    assert enums.PaymentMethodType.values() == {"card", "bank_account", "source"}
    assert enums.PaymentMethodType.values() <= enums.ChargeSourceType.values()
    assert "unsupported" in enums.ChargeSourceType
    assert enums.TransferSourceType.values() == {
        "card",
        "bank_account",
        "bitcoin_receiver",
        "alipay_account",
    }


def test_models_enum_fields_have_an_enum():
    """Every StripeEnumField of the models reference has an enumeration."""
    for name in (
        "ChargeFailureCode",  # Charge.failure_code
        "ChargeStatus",  # Charge.status
        "ChargeSourceType",  # Charge.source_type
        "DisputeReason",
        "DisputeStatus",
        "PayoutFailureCode",
        "PayoutMethod",
        "PayoutStatus",
        "PayoutType",
        "BankAccountHolderType",
        "BankAccountStatus",
        "CardCheckResult",  # address_line1_check, address_zip_check, cvc_check
        "CardBrand",
        "CardFundingType",
        "CardTokenizationMethod",
        "SourceFlow",
        "SourceStatus",
        "SourceType",
        "SourceUsage",
        "CouponDuration",
        "InvoiceBilling",  # Invoice/UpcomingInvoice.billing
        "SubscriptionBilling",
        "PlanAggregateUsage",
        "PlanBillingScheme",
        "PlanInterval",
        "PlanTiersMode",
        "PlanUsageType",
        "SubscriptionStatus",
        "AccountType",
        "TransferSourceType",
        "TransferFailureCode",
        "TransferStatus",
    ):
        assert issubclass(getattr(enums, name), Enum), name


def test_import_has_no_side_effects():
    """Module level holds only imports, class definitions and assignments."""
    tree = ast.parse(pathlib.Path(enums.__file__).read_text())
    for node in tree.body:
        assert isinstance(
            node, (ast.Import, ast.ImportFrom, ast.ClassDef, ast.Assign, ast.Expr)
        ), ast.dump(node)
        if isinstance(node, ast.Expr):  # only the docstring
            assert isinstance(node.value, ast.Constant)
        if isinstance(node, ast.ImportFrom):
            assert node.module in {"django.utils.functional", "django.utils.translation"}


# ---------------------------------------------------------------------------
# Cross-check against Stripe's OpenAPI description (2018-05-21)
# ---------------------------------------------------------------------------

# (enum, schema, property) where the description gives an ``enum`` list.
SPEC_ENUM_PAIRS = [
    (enums.CouponDuration, "coupon", "duration"),
    (enums.DisputeStatus, "dispute", "status"),
    (enums.InvoiceBilling, "invoice", "billing"),
    (enums.InvoiceBilling, "upcoming_invoice", "billing"),
    (enums.PlanAggregateUsage, "plan", "aggregate_usage"),
    (enums.PlanTiersMode, "plan", "tiers_mode"),
    (enums.SourceType, "source", "type"),
    (enums.SourceType, "source_transaction", "type"),
    (enums.SubscriptionStatus, "subscription", "status"),
]

# (enum, schema, property, backticked words of the description that are not
# values) where the description lists the values in prose instead.
SPEC_DESCRIPTION_PAIRS = [
    (enums.ChargeStatus, "charge", "status", set()),
    (enums.CardCheckResult, "card", "address_line1_check", {"address_line1"}),
    (enums.CardCheckResult, "card", "address_zip_check", {"address_zip"}),
    (enums.CardCheckResult, "card", "cvc_check", set()),
    (enums.CardBrand, "card", "brand", set()),
    (enums.CardFundingType, "card", "funding", set()),
    (enums.CardTokenizationMethod, "card", "tokenization_method", set()),
    (enums.InvoiceBilling, "subscription", "billing", set()),
    (enums.PlanInterval, "plan", "interval", set()),
    (enums.PlanUsageType, "plan", "usage_type", {"quantity"}),
    (
        enums.PlanBillingScheme,
        "plan",
        "billing_scheme",
        {
            "amount",
            "quantity",
            "usage_type=licensed",
            "usage_type=metered",
            "tiers",
            "tiers_mode",
        },
    ),
    (enums.PlanTiersMode, "plan", "tiers_mode", set()),
    (enums.CouponDuration, "coupon", "duration", set()),
    (enums.DisputeReason, "dispute", "reason", set()),
    (enums.DisputeStatus, "dispute", "status", set()),
    (enums.PayoutStatus, "payout", "status", set()),
    (enums.PayoutType, "payout", "type", set()),
    (enums.PayoutMethod, "payout", "method", set()),
    (enums.TransferSourceType, "payout", "source_type", set()),
    (enums.TransferSourceType, "transfer", "source_type", set()),
    (enums.SourceFlow, "source", "flow", {"flow"}),
    (enums.SourceStatus, "source", "status", set()),
    (enums.SourceType, "source", "type", {"type"}),
    (enums.SourceUsage, "source", "usage", set()),
    (enums.BankAccountHolderType, "bank_account", "account_holder_type", set()),
    (enums.BankAccountStatus, "bank_account", "status", set()),
    (enums.AccountType, "account", "type", set()),
    (enums.ProductType, "product", "type", set()),
    (enums.FilePurpose, "file_upload", "purpose", set()),
    (enums.FileType, "file_upload", "type", set()),
    (enums.RefundReason, "refund", "reason", set()),
    (enums.RefundStatus, "refund", "status", set()),
    (enums.RefundFailureReason, "refund", "failure_reason", set()),
]


def _pair_id(pair):
    return f"{pair[0].__name__}-{pair[1]}.{pair[2]}"


@pytest.mark.parametrize(
    "enum,schema,prop", SPEC_ENUM_PAIRS, ids=[_pair_id(p) for p in SPEC_ENUM_PAIRS]
)
def test_spec_enum_values_are_covered(enum, schema, prop):
    spec_values = SCHEMAS[schema]["properties"][prop]["enum"]
    missing = set(spec_values) - enum.values()
    assert not missing, f"{enum.__name__} lacks {sorted(missing)}"


def test_every_spec_enum_of_a_modelled_field_is_cross_checked():
    """Any relevant property with an ``enum`` list must appear above."""
    modelled = {
        "account",
        "bank_account",
        "card",
        "charge",
        "coupon",
        "customer",
        "dispute",
        "file_upload",
        "invoice",
        "invoice_item",
        "payout",
        "plan",
        "product",
        "refund",
        "source",
        "subscription",
        "transfer",
        "upcoming_invoice",
    }
    covered = {(schema, prop) for _e, schema, prop in SPEC_ENUM_PAIRS}
    for schema in modelled:
        for prop, definition in SCHEMAS[schema].get("properties", {}).items():
            if prop == "object" or "enum" not in definition:
                continue
            assert (schema, prop) in covered, f"{schema}.{prop} has an enum"


@pytest.mark.parametrize(
    "enum,schema,prop,not_values",
    SPEC_DESCRIPTION_PAIRS,
    ids=[_pair_id(p) for p in SPEC_DESCRIPTION_PAIRS],
)
def test_spec_description_values_are_covered(enum, schema, prop, not_values):
    description = SCHEMAS[schema]["properties"][prop]["description"]
    listed = set(re.findall(r"`([^`]+)`", description)) - not_values
    assert listed, "the description lists no values"
    missing = listed - enum.values()
    assert not missing, f"{enum.__name__} lacks {sorted(missing)}"


# ---------------------------------------------------------------------------
# Currencies
# ---------------------------------------------------------------------------


def test_zero_decimal_currencies():
    assert ZERO_DECIMAL_CURRENCIES == frozenset(
        "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()
    )
    assert "usd" not in ZERO_DECIMAL_CURRENCIES
    assert all(c == c.lower() and len(c) == 3 for c in ZERO_DECIMAL_CURRENCIES)
