"""Billing: coupons, invoices, invoice items, plans, subscriptions."""

from __future__ import annotations

from decimal import Decimal

from .. import enums
from ..currencies import convert_to_stripe_amount
from ..fields import (
    StripeCharField,
    StripeCurrencyField,
    StripeDateTimeField,
    StripeEnumField,
    StripeIdField,
    StripeIntegerField,
    StripeJSONField,
    StripePositiveIntegerField,
    StripeTextField,
)
from ..utils import get_friendly_currency_amount
from .base import StripeData, StripeObject, stripe_foreign_key

STATEMENT_DESCRIPTOR_HELP = (
    "An arbitrary string to be displayed on your customer's credit card statement. The "
    "statement description may not include <>\"' characters, and will appear on your "
    "customer's statement in capital letters. Non-ASCII characters are automatically "
    "stripped. While most banks display this information consistently, some may display it "
    "incorrectly or not at all."
)

__all__ = ["Coupon", "Plan"]


class Coupon(StripeObject):
    """A discount applied to a customer's or a subscription's invoices.

    Stripe API reference: https://stripe.com/docs/api#coupons
    """

    stripe_object_names = ("coupon",)
    stripe_api_path = "/v1/coupons"
    stripe_dashboard_path = "coupons"

    stripe_id = StripeIdField(max_length=500, unique=True, stripe_name="id", stripe_required=True)
    amount_off = StripeCurrencyField(
        help_text="Amount that will be taken off the subtotal of any invoices for this customer."
    )
    currency = StripeCharField(max_length=3, help_text="Three-letter ISO currency code")
    duration = StripeEnumField(
        enum=enums.CouponDuration,
        stripe_required=True,
        help_text="Describes how long a customer who applies this coupon will get the discount.",
    )
    duration_in_months = StripePositiveIntegerField(
        help_text="If duration is repeating, the number of months the coupon applies."
    )
    max_redemptions = StripePositiveIntegerField(
        help_text="Maximum number of times this coupon can be redeemed, in total, before it is "
        "no longer valid."
    )
    percent_off = StripePositiveIntegerField()
    redeem_by = StripeDateTimeField(
        help_text="Date after which the coupon can no longer be redeemed. Max 5 years in the "
        "future."
    )
    times_redeemed = StripePositiveIntegerField(
        default=0,
        help_text="Number of times this coupon has been applied to a customer.",
    )

    @property
    def human_readable_amount(self) -> str:
        """The discount: ``25% off`` or ``$5.00 USD off``."""
        if self.percent_off is not None:
            return f"{self.percent_off}% off"
        return f"{get_friendly_currency_amount(self.amount_off, self.currency or '')} off"

    @property
    def human_readable(self) -> str:
        """The discount and how long it lasts: ``25% off for 3 months``."""
        if self.duration == enums.CouponDuration.repeating:
            months = self.duration_in_months or 0
            period = "1 month" if months == 1 else f"{months} months"
            return f"{self.human_readable_amount} for {period}"
        return f"{self.human_readable_amount} {self.duration}"

    def str_parts(self) -> list[str]:
        return [self.human_readable, *super().str_parts()]


class Plan(StripeObject):
    """A price and billing interval that customers subscribe to.

    Stripe API reference: https://stripe.com/docs/api#plans

    Stripe API version: fields audited to 2018-05-21. Before 2018-02-05 a plan
    carried its own ``name`` and ``statement_descriptor``; since then they
    belong to its product. Both shapes are mirrored.
    """

    stripe_object_names = ("plan",)
    stripe_api_path = "/v1/plans"
    stripe_dashboard_path = "plans"
    stripe_expand = ("data.product",)

    aggregate_usage = StripeEnumField(
        enum=enums.PlanAggregateUsage,
        help_text="Specifies a usage aggregation strategy for plans of usage_type=metered. "
        "Allowed values are `sum` for summing up all usage during a period, "
        "`last_during_period` for picking the last usage record reported within a period, "
        "`last_ever` for picking the last usage record ever (across period bounds) or `max` "
        "which picks the usage record with the maximum reported usage during a period. "
        "Defaults to `sum`.",
    )
    amount = StripeCurrencyField(help_text="Amount to be charged on the interval specified.")
    billing_scheme = StripeEnumField(
        enum=enums.PlanBillingScheme,
        help_text="Describes how to compute the price per period. Either `per_unit` or "
        "`tiered`. `per_unit` indicates that the fixed amount (specified in `amount`) will be "
        "charged per unit in `quantity` (for plans with `usage_type=licensed`), or per unit of "
        "total usage (for plans with `usage_type=metered`). `tiered` indicates that the unit "
        "pricing will be computed using a tiering strategy as defined using the `tiers` and "
        "`tiers_mode` attributes.",
    )
    currency = StripeCharField(
        max_length=3, stripe_required=True, help_text="Three-letter ISO currency code"
    )
    interval = StripeEnumField(
        enum=enums.PlanInterval,
        stripe_required=True,
        help_text="The frequency with which a subscription should be billed.",
    )
    interval_count = StripeIntegerField(
        help_text="The number of intervals (specified in the interval property) between each "
        "subscription billing."
    )
    nickname = StripeCharField(
        max_length=5000, help_text="A brief description of the plan, hidden from customers."
    )
    product = stripe_foreign_key(
        "djstripe.Product", "plans", help_text="The product whose pricing this plan determines."
    )
    tiers = StripeJSONField(
        help_text="Each element represents a pricing tier. This parameter requires "
        "`billing_scheme` to be set to `tiered`."
    )
    tiers_mode = StripeEnumField(
        enum=enums.PlanTiersMode,
        help_text="Defines if the tiering price should be `graduated` or `volume` based. In "
        "`volume`-based tiering, the maximum quantity within a period determines the per unit "
        "price, in `graduated` tiering pricing can successively change as the quantity grows.",
    )
    transform_usage = StripeJSONField(
        help_text="Apply a transformation to the reported usage or set quantity before "
        "computing the billed price. Cannot be combined with `tiers`."
    )
    trial_period_days = StripeIntegerField(
        help_text="Number of trial period days granted when subscribing a customer to this "
        "plan. Null if the plan has no trial period."
    )
    usage_type = StripeEnumField(
        enum=enums.PlanUsageType,
        help_text="Configures how the quantity per period should be determined, can be "
        "either`metered` or `licensed`. `licensed` will automatically bill the `quantity` set "
        "for a plan when adding it to a subscription, `metered` will aggregate the total usage "
        "based on usage records. Defaults to `licensed`.",
    )
    name = StripeTextField(
        help_text="Name of the plan, to be displayed on invoices and in the web interface."
    )
    statement_descriptor = StripeCharField(max_length=22, help_text=STATEMENT_DESCRIPTOR_HELP)

    class Meta:
        ordering = ["amount"]

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        # Plans made since 2018-02-05 have no name of their own: show the
        # nickname, or the product's name when the product came embedded.
        if data.get("name"):
            return data
        product = data.get("product")
        name = data.get("nickname") or (product.get("name") if isinstance(product, dict) else None)
        return {**data, "name": name}

    @property
    def amount_in_cents(self) -> int:
        """The amount in Stripe's integer minor unit (cents, or yen for jpy)."""
        return convert_to_stripe_amount(self.amount or Decimal(0), self.currency or "usd")

    @property
    def human_readable_price(self) -> str:
        """The price per interval: ``$20.00 USD/month``, ``$50.00 USD every 3 months``."""
        amount = get_friendly_currency_amount(self.amount or Decimal(0), self.currency or "usd")
        count = self.interval_count or 1
        if count == 1:
            return f"{amount}/{self.interval}"
        return f"{amount} every {count} {self.interval}s"

    def str_parts(self) -> list[str]:
        return [f"name={self.name}", f"price={self.human_readable_price}", *super().str_parts()]
