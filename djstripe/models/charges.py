"""Charges and their refunds: payments taken, and money given back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from .. import enums, stripe_api
from ..currencies import convert_to_stripe_amount
from ..fields import (
    PaymentMethodForeignKey,
    StripeBooleanField,
    StripeCharField,
    StripeCurrencyField,
    StripeEnumField,
    StripeIdField,
    StripeJSONField,
    StripeTextField,
)
from ..utils import get_friendly_currency_amount
from .base import (
    STATEMENT_DESCRIPTOR_HELP,
    StripeData,
    StripeObject,
    stripe_foreign_key,
    without_none,
)

__all__ = ["Charge", "Refund"]


def stripe_amount(amount: Decimal | int, currency: str) -> int:
    """A model-API amount (the currency's major unit) as Stripe's integer minor units.

    Only ``Decimal`` and ``int`` are accepted: a float cannot hold an amount
    of money exactly (``0.1 + 0.2 != 0.3``), so it is refused with TypeError.
    """
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(
            f"Amounts are Decimals (or ints) in the currency's major unit, not "
            f"{type(amount).__name__}: {amount!r}"
        )
    return convert_to_stripe_amount(amount, currency)


class Charge(StripeObject):
    """A payment taken from a card or another payment source.

    Stripe API reference: https://stripe.com/docs/api#charges

    Fields not mirrored: ``object`` (the model says it); ``application``,
    ``application_fee``, ``order``, ``review`` and ``source_transfer`` (use
    the Stripe dashboard); ``balance_transaction`` (only its ``fee`` and
    ``fee_details`` are kept, when it comes expanded); ``refunds`` (each
    refund is a :class:`Refund` row, ``charge.refunds``); ``destination``
    (a destination charge's payment to that account is ``transfer``).
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("charge",)
    stripe_api_path = "/v1/charges"
    stripe_dashboard_path = "payments"
    stripe_relation_paths = {"account": "on_behalf_of"}
    stripe_expand = ("data.balance_transaction",)  # brings the fee

    amount = StripeCurrencyField(stripe_required=True, help_text="Amount charged.")
    amount_refunded = StripeCurrencyField(
        stripe_required=True,
        help_text="Amount refunded (can be less than the amount attribute on the charge if a "
        "partial refund was issued).",
    )
    captured = StripeBooleanField(
        help_text="If the charge was created without capturing, this boolean represents whether "
        "or not it is still uncaptured or has since been captured."
    )
    currency = StripeCharField(
        max_length=3,
        stripe_required=True,
        help_text="Three-letter ISO currency code representing the currency in which the charge "
        "was made.",
    )
    customer = stripe_foreign_key(
        "djstripe.Customer", "charges", help_text="The customer associated with this charge."
    )
    account = stripe_foreign_key(
        "djstripe.Account",
        "charges",
        help_text="The account the charge was made on behalf of. Null here indicates that this "
        "value was never set.",
    )
    dispute = stripe_foreign_key(
        "djstripe.Dispute",
        "charges",
        help_text="Details about the dispute if the charge has been disputed.",
    )
    failure_code = StripeEnumField(
        enum=enums.ApiErrorCode,
        help_text="Error code explaining reason for charge failure if available.",
    )
    failure_message = StripeTextField(
        help_text="Message to user further explaining reason for charge failure if available."
    )
    fraud_details = StripeJSONField(
        help_text="Hash with information on fraud assessments for the charge."
    )
    invoice = stripe_foreign_key(
        "djstripe.Invoice", "charges", help_text="The invoice this charge is for if one exists."
    )
    outcome = StripeJSONField(
        help_text="Details about whether or not the payment was accepted, and why."
    )
    paid = StripeBooleanField(
        help_text="True if the charge succeeded, or was successfully authorized for later "
        "capture, False otherwise."
    )
    receipt_email = StripeCharField(
        max_length=800,
        help_text="The email address that the receipt for this charge was sent to.",
    )
    receipt_number = StripeCharField(
        max_length=14,
        help_text="The transaction number that appears on email receipts sent for this charge.",
    )
    refunded = StripeBooleanField(
        help_text="Whether or not the charge has been fully refunded. If the charge is only "
        "partially refunded, this attribute will still be false."
    )
    shipping = StripeJSONField(help_text="Shipping information for the charge")
    source = PaymentMethodForeignKey(help_text="The source used for this charge.")
    statement_descriptor = StripeCharField(max_length=22, help_text=STATEMENT_DESCRIPTOR_HELP)
    status = StripeEnumField(
        enum=enums.ChargeStatus, stripe_required=True, help_text="The status of the payment."
    )
    transfer = stripe_foreign_key(
        "djstripe.Transfer",
        "charges",
        help_text="The transfer to the destination account (only applicable if the charge was "
        "created using the destination parameter).",
    )
    transfer_group = StripeCharField(
        help_text="A string that identifies this transaction as part of a group."
    )
    fee = StripeCurrencyField(
        stripe_name="balance_transaction.fee",
        currency_stripe_name="balance_transaction.currency",
    )
    fee_details = StripeJSONField(stripe_name="balance_transaction.fee_details")
    source_type = StripeEnumField(
        enum=enums.ChargeSourceType,
        stripe_name="source.object",
        help_text="The payment source type. If the payment source is supported by dj-stripe, a "
        "corresponding model is attached to this Charge via a foreign key matching this field.",
    )
    source_stripe_id = StripeIdField(stripe_name="source.id", help_text="The payment source id.")
    fraudulent = StripeBooleanField(
        help_text="Whether or not this charge was marked as fraudulent."
    )
    receipt_sent = models.BooleanField(
        default=False, help_text="Whether or not a receipt was sent for this charge."
    )

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        # Stripe has no fraud flag: fraud_details holds "fraudulent" in either of its reports.
        reports = data.get("fraud_details") or {}
        fraudulent = "fraudulent" in (reports.get("stripe_report"), reports.get("user_report"))
        return {**data, "fraudulent": fraudulent}

    @property
    def disputed(self) -> bool:
        """Whether the charge has been disputed."""
        return self.dispute_id is not None

    @property
    def amount_refundable(self) -> Decimal:
        """What remains to be refunded: ``amount - amount_refunded``."""
        return self.amount - (self.amount_refunded or 0)

    def refund(self, amount: Decimal | int | None = None, reason: str | None = None) -> Charge:
        """Give back ``amount`` of this charge (all that remains when None); return the Charge.

        ``amount`` is in the currency's major unit and may not exceed
        :attr:`amount_refundable` (ValueError, before any request). ``reason``:
        ``duplicate``, ``fraudulent`` or ``requested_by_customer``. Two requests:
        the refund, then one retrieve of the charge, because Stripe answers with
        the refund while the charge's ``amount_refunded``, ``refunded`` and
        refunds changed too.
        """
        params: dict[str, Any] = {"charge": self.stripe_id, "reason": reason}
        if amount is not None:
            params["amount"] = self._stripe_refund_amount(amount)
        stripe_api.create(
            Refund.stripe_api_path, api_key=self.default_api_key, **without_none(params)
        )
        return type(self).sync_from_stripe_data(self.api_retrieve())

    def _stripe_refund_amount(self, amount: Decimal | int) -> int:
        requested = stripe_amount(amount, self.currency)
        remaining = stripe_amount(self.amount_refundable, self.currency)
        if requested <= 0 or requested > remaining:
            asked = get_friendly_currency_amount(amount, self.currency)
            refundable = get_friendly_currency_amount(self.amount_refundable, self.currency)
            raise ValueError(
                f"Cannot refund {asked} of {self.stripe_id}: the amount must be positive "
                f"and at most the {refundable} not yet refunded."
            )
        return requested

    def capture(self) -> Charge:
        """Capture this charge, created with ``capture=False``; return it as Stripe now has it.

        One request. See https://stripe.com/docs/api#capture_charge
        """
        data = stripe_api.update(
            f"{self.stripe_object_path(self.stripe_id)}/capture",
            api_key=self.default_api_key,
            **self.stripe_retrieve_params(),
        )
        return type(self).sync_from_stripe_data(data)

    def str_parts(self) -> list[str]:
        return [
            f"amount={get_friendly_currency_amount(self.amount, self.currency)}",
            f"status={self.status}",
            *super().str_parts(),
        ]


class Refund(StripeObject):
    """Money given back on a charge, in full or in part.

    Stripe API reference: https://stripe.com/docs/api#refunds

    Fields not mirrored: ``object``. Stripe API version: fields audited to
    2018-05-21.
    """

    stripe_object_names = ("refund",)
    stripe_api_path = "/v1/refunds"
    stripe_dashboard_path = None  # refunds are shown on their charge's page

    amount = StripeCurrencyField(stripe_required=True, help_text="Amount refunded.")
    balance_transaction = StripeIdField(
        help_text="The balance transaction that records the refund's effect on your balance."
    )
    charge = stripe_foreign_key(
        "djstripe.Charge", "refunds", help_text="The charge that was refunded."
    )
    currency = StripeCharField(
        max_length=3, stripe_required=True, help_text="Three-letter ISO currency code."
    )
    failure_balance_transaction = StripeIdField(
        help_text="When the refund failed, the balance transaction that reverses the refund's "
        "balance transaction."
    )
    failure_reason = StripeEnumField(
        enum=enums.RefundFailureReason,
        help_text="When the refund failed, why it failed, if known.",
    )
    reason = StripeEnumField(
        enum=enums.RefundReason, help_text="Why the refund was made, when a reason was given."
    )
    receipt_number = StripeCharField(
        max_length=14,
        help_text="The transaction number that appears on email receipts sent for this refund.",
    )
    status = StripeEnumField(enum=enums.RefundStatus, help_text="The status of the refund.")

    def str_parts(self) -> list[str]:
        return [
            f"amount={get_friendly_currency_amount(self.amount, self.currency)}",
            f"status={self.status}",
            *super().str_parts(),
        ]
