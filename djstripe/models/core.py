"""Core resources: charges, customers, disputes, events, files, payouts, products, refunds."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .. import enums
from .. import settings as djstripe_settings
from ..fields import (
    PaymentMethodForeignKey,
    StripeBooleanField,
    StripeCharField,
    StripeDateTimeField,
    StripeEnumField,
    StripeIntegerField,
    StripeJSONField,
    StripeNullBooleanField,
    StripeTextField,
)
from .base import StripeObject, stripe_foreign_key

__all__ = ["Customer", "Product"]


class Product(StripeObject):
    """Something sold: a good, or a service that plans put a price on.

    Stripe API reference: https://stripe.com/docs/api#products
    """

    stripe_object_names = ("product",)
    stripe_api_path = "/v1/products"
    stripe_dashboard_path = "products"

    name = StripeCharField(
        max_length=5000,
        stripe_required=True,
        help_text="The product's name, meant to be displayable to the customer. Applicable to "
        "both `service` and `good` types.",
    )
    type = StripeEnumField(
        enum=enums.ProductType,
        stripe_required=True,
        help_text="The type of the product. The product is either of type `good`, which is "
        "eligible for use with Orders and SKUs, or `service`, which is eligible for use with "
        "Subscriptions and Plans.",
    )
    active = StripeNullBooleanField(
        help_text="Whether the product is currently available for purchase. Only applicable to "
        "products of `type=good`."
    )
    attributes = StripeJSONField(
        help_text="A list of up to 5 attributes that each SKU can provide values for (e.g., "
        '`["color", "size"]`). Only applicable to products of `type=good`.'
    )
    caption = StripeTextField(
        help_text="A short one-line description of the product, meant to be displayable to the "
        "customer. Only applicable to products of `type=good`."
    )
    deactivate_on = StripeJSONField(
        help_text="An array of connect application identifiers that cannot purchase this "
        "product. Only applicable to products of `type=good`."
    )
    images = StripeJSONField(
        help_text="A list of up to 8 URLs of images for this product, meant to be displayable "
        "to the customer. Only applicable to products of `type=good`."
    )
    package_dimensions = StripeJSONField(
        help_text="The dimensions of this product for shipping purposes. A SKU associated with "
        "this product can override this value by having its own `package_dimensions`. Only "
        "applicable to products of `type=good`."
    )
    shippable = StripeNullBooleanField(
        help_text="Whether this product is a shipped good. Only applicable to products of "
        "`type=good`."
    )
    url = StripeCharField(
        max_length=799,
        help_text="A URL of a publicly-accessible webpage for this product. Only applicable to "
        "products of `type=good`.",
    )
    statement_descriptor = StripeCharField(
        max_length=22,
        help_text="Extra information about a product which will appear on your customer's "
        "credit card statement. In the case that multiple products are billed at once, the "
        "first statement descriptor will be used. Only available on products of "
        "type=`service`.",
    )
    unit_label = StripeCharField(
        max_length=12,
        help_text="A label that represents units of this product, such as seat(s), in Stripe "
        "and on customers' receipts and invoices. Only available on products of "
        "type=`service`.",
    )

    def str_parts(self) -> list[str]:
        return [f"name={self.name}", *super().str_parts()]


class Customer(StripeObject):
    """Someone you charge repeatedly: cards, subscriptions and invoices hang off it.

    Stripe API reference: https://stripe.com/docs/api#customers

    Fields not mirrored: ``object`` (the model says it), ``discount`` (its
    coupon and dates are kept in ``coupon``, ``coupon_start``, ``coupon_end``).
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("customer",)
    stripe_api_path = "/v1/customers"
    stripe_dashboard_path = "customers"
    stripe_relation_paths = {"coupon": "discount.coupon"}
    stripe_expand = ("data.default_source",)

    account_balance = StripeIntegerField(
        help_text="Current balance, if any, being stored on the customer's account. If "
        "negative, the customer has credit to apply to the next invoice. If positive, the "
        "customer has an amount owed that will be added to thenext invoice. The balance does "
        "not refer to any unpaid invoices; it solely takes into account amounts that have yet "
        "to be successfullyapplied to any invoice. This balance is only taken into account for "
        "recurring billing purposes (i.e., subscriptions, invoices, invoice items)."
    )
    business_vat_id = StripeCharField(
        max_length=20, help_text="The customer's VAT identification number."
    )
    currency = StripeCharField(
        max_length=3,
        help_text="The currency the customer can be charged in for recurring billing purposes "
        "(subscriptions, invoices, invoice items).",
    )
    default_source = PaymentMethodForeignKey()
    delinquent = StripeBooleanField(
        help_text="Whether or not the latest charge for the customer's latest invoice has "
        "failed."
    )
    coupon = stripe_foreign_key("djstripe.Coupon", "customers")
    coupon_start = StripeDateTimeField(
        stripe_name="discount.start",
        editable=False,
        help_text="If a coupon is present, the date at which it was applied.",
    )
    coupon_end = StripeDateTimeField(
        stripe_name="discount.end",
        editable=False,
        help_text="If a coupon is present and has a limited duration, the date that the "
        "discount will end.",
    )
    email = StripeTextField(max_length=5000)
    shipping = StripeJSONField(help_text="Shipping information associated with the customer.")
    subscriber = models.ForeignKey(
        djstripe_settings.get_subscriber_model_name(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="djstripe_customers",
    )
    date_purged = models.DateTimeField(null=True, editable=False)

    class Meta:
        unique_together = ("subscriber", "livemode")

    def str_parts(self) -> list[str]:
        parts = [f"email={self.email}"] if self.email else []
        return [*parts, *super().str_parts()]

    @classmethod
    def stripe_objects_deleted(cls, stripe_ids: set[str]) -> None:
        # The row stays, so its charges and invoices keep their customer.
        cls.objects.filter(stripe_id__in=stripe_ids, date_purged__isnull=True).update(
            subscriber=None, default_source=None, date_purged=timezone.now()
        )
