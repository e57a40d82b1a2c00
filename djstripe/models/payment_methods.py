"""Payment methods: the generic PaymentMethod pointer, bank accounts, cards and sources."""

from __future__ import annotations

from typing import Any

from django.db import models

from .. import enums, stripe_api
from ..fields import (
    StripeCharField,
    StripeEnumField,
    StripeIntegerField,
    StripeTextField,
)
from .base import StripeData, StripeObject, model_for_stripe_object, stripe_foreign_key

__all__ = ["Card", "PaymentMethod"]


class PaymentMethod(models.Model):
    """One row per payment source id, saying which kind of object it is.

    ``PaymentMethodForeignKey`` points here, so a customer's default source or
    a charge's source can be a card, a bank account or a source alike;
    :meth:`resolve` returns the concrete object.
    """

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=12, choices=enums.PaymentMethodType.choices, db_index=True)

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"

    @property
    def object_model(self) -> type[StripeObject]:
        """The model that mirrors this kind of payment source."""
        return model_for_stripe_object(self.type)

    def resolve(self) -> StripeObject | None:
        """The concrete Card, BankAccount or Source (None if it is not mirrored any more)."""
        return self.object_model.objects.filter(stripe_id=self.id).first()

    @classmethod
    def stripe_retrieve(cls, stripe_id: str, api_key: str, parent: StripeData | None) -> StripeData:
        """Retrieve a payment source by id; cards and bank accounts live under their customer."""
        if stripe_id.startswith("src_"):
            return stripe_api.retrieve(f"/v1/sources/{stripe_id}", api_key=api_key)
        return stripe_api.retrieve(
            f"/v1/customers/{owning_customer_id(parent)}/sources/{stripe_id}", api_key=api_key
        )


def owning_customer_id(data: StripeData | None) -> str:
    """The customer id that a nested payment source is found under."""
    data = data or {}
    if data.get("object") == "customer":
        return data["id"]
    customer = data.get("customer")
    if isinstance(customer, dict):
        return customer["id"]
    if not customer:
        raise ValueError(f"cannot tell which customer owns a source of {data.get('id')!r}")
    return customer


class PaymentSource(StripeObject):
    """What cards, bank accounts and sources share: a PaymentMethod row each."""

    class Meta:
        abstract = True

    @classmethod
    def related_rows_hook(cls, batch: Any, data: StripeData) -> None:
        batch.add_row(PaymentMethod(id=data["id"], type=cls.stripe_object_name))


class CustomerSource(PaymentSource):
    """A payment source that Stripe keeps under its customer (cards, bank accounts)."""

    class Meta:
        abstract = True

    @classmethod
    def stripe_list_path(cls, customer: Any = None, **kwargs: Any) -> str:
        customer_id = getattr(customer, "stripe_id", customer)
        if not customer_id:
            raise TypeError(f"{cls.__name__}.api_list() needs customer=")
        return f"/v1/customers/{customer_id}/sources"

    @classmethod
    def stripe_object_path(cls, stripe_id: str, data: StripeData | None = None) -> str:
        return f"/v1/customers/{owning_customer_id(data)}/sources/{stripe_id}"

    def stripe_parent_data(self) -> StripeData:
        return {"customer": self.customer_id}


class Card(CustomerSource):
    """A credit or debit card stored on a customer.

    Stripe API reference: https://stripe.com/docs/api#cards

    Fields not mirrored: ``object``, ``recipient`` (deprecated by Stripe),
    ``account``, ``currency`` and ``default_for_currency`` (cards of connected
    accounts). Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("card",)
    stripe_dashboard_path = None  # cards have no page of their own

    address_city = StripeTextField(max_length=5000, help_text="Billing address city.")
    address_country = StripeTextField(max_length=5000, help_text="Billing address country.")
    address_line1 = StripeTextField(max_length=5000, help_text="Billing address (Line 1).")
    address_line1_check = StripeEnumField(
        enum=enums.CardCheckResult,
        help_text="If `address_line1` was provided, results of the check.",
    )
    address_line2 = StripeTextField(max_length=5000, help_text="Billing address (Line 2).")
    address_state = StripeTextField(max_length=5000, help_text="Billing address state.")
    address_zip = StripeTextField(max_length=5000, help_text="Billing address zip code.")
    address_zip_check = StripeEnumField(
        enum=enums.CardCheckResult,
        help_text="If `address_zip` was provided, results of the check.",
    )
    brand = StripeEnumField(enum=enums.CardBrand, help_text="Card brand.")
    country = StripeCharField(
        max_length=2, help_text="Two-letter ISO code representing the country of the card."
    )
    cvc_check = StripeEnumField(
        enum=enums.CardCheckResult, help_text="If a CVC was provided, results of the check."
    )
    dynamic_last4 = StripeCharField(
        max_length=4,
        help_text="(For tokenized numbers only.) The last four digits of the device account "
        "number.",
    )
    exp_month = StripeIntegerField(help_text="Card expiration month.")
    exp_year = StripeIntegerField(help_text="Card expiration year.")
    fingerprint = StripeTextField(help_text="Uniquely identifies this particular card number.")
    funding = StripeEnumField(enum=enums.CardFundingType, help_text="Card funding type.")
    last4 = StripeCharField(max_length=4, help_text="Last four digits of Card number.")
    name = StripeTextField(max_length=5000, help_text="Cardholder name.")
    tokenization_method = StripeEnumField(
        enum=enums.CardTokenizationMethod,
        help_text="If the card number is tokenized, this is the method that was used.",
    )
    customer = stripe_foreign_key("djstripe.Customer", "legacy_cards")

    def str_parts(self) -> list[str]:
        return [f"brand={self.brand}", f"last4={self.last4}", *super().str_parts()]
