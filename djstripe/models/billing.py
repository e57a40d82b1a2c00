"""Billing: coupons, plans and subscriptions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import stripe
from django.utils import timezone

from .. import enums, stripe_api
from .. import settings as djstripe_settings
from ..currencies import convert_to_stripe_amount
from ..fields import (
    StripeBooleanField,
    StripeCharField,
    StripeCurrencyField,
    StripeDateTimeField,
    StripeEnumField,
    StripeIdField,
    StripeIntegerField,
    StripeJSONField,
    StripePercentField,
    StripePositiveIntegerField,
    StripeTextField,
)
from ..utils import get_friendly_currency_amount
from .base import (
    STATEMENT_DESCRIPTOR_HELP,
    StripeData,
    StripeObject,
    epoch_seconds,
    object_id,
    stripe_foreign_key,
    without_none,
)

__all__ = ["Coupon", "Plan", "Subscription"]


class Coupon(StripeObject):
    """A discount applied to a customer's or a subscription's invoices.

    Stripe API reference: https://stripe.com/docs/api#coupons
    """

    stripe_object_names = ("coupon",)
    stripe_kept_while_used_by = ("customers",)
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
        return f"{get_friendly_currency_amount(self.amount_off, self.currency)} off"

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
    stripe_kept_while_used_by = ("subscriptions", "invoiceitems")
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

    @classmethod
    def get_or_create(cls, **kwargs: Any) -> tuple[Plan, bool]:
        """The plan ``kwargs["id"]`` from the mirror, else created in Stripe: ``(plan, created)``.

        ``kwargs`` are Stripe's plan parameters (``id``, ``currency``,
        ``interval``, ``product``, ``nickname``, ``trial_period_days``,
        ``metadata``...), except that ``amount`` is a Decimal in the currency's
        major unit and ``name`` is a convenience: without ``product`` it names
        the product Stripe creates for the plan, with one it is the nickname.
        ``api_key`` picks the account (default: STRIPE_SECRET_KEY). A plan that
        Stripe has but the mirror lacks (made elsewhere, or by another process
        just now) is retrieved and mirrored, with ``created`` False.
        """
        plan = cls.objects.filter(stripe_id=kwargs["id"]).first() if kwargs.get("id") else None
        if plan is not None:
            return plan, False
        api_key = kwargs.pop("api_key", "") or djstripe_settings.STRIPE_SECRET_KEY
        try:
            data = stripe_api.create(
                cls.stripe_api_path, api_key=api_key, **cls._create_params(kwargs)
            )
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_already_exists" or not kwargs.get("id"):
                raise
            data = cls.stripe_retrieve(kwargs["id"], api_key)
            return cls.sync_from_stripe_data(data), False
        return cls.sync_from_stripe_data(data), True

    @classmethod
    def _create_params(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        params = dict(kwargs)
        if params.get("amount") is not None:
            params["amount"] = convert_to_stripe_amount(
                params["amount"], params.get("currency", "")
            )
        name = params.pop("name", None)
        if params.get("product") is not None:
            params["product"] = object_id(params["product"])
            params.setdefault("nickname", name)
        elif name is not None:
            params["product"] = {"name": name}
        # The product comes embedded in the answer, so mirroring it costs no request.
        params.update(cls.stripe_retrieve_params())
        return without_none(params)

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


class Subscription(StripeObject):
    """A customer's recurring payment for a plan.

    Stripe API reference: https://stripe.com/docs/api#subscriptions

    Fields not mirrored: ``object``, ``discount`` and ``items`` (at this API
    version a subscription has one plan, kept in ``plan``).
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("subscription",)
    stripe_api_path = "/v1/subscriptions"
    stripe_dashboard_path = "subscriptions"

    application_fee_percent = StripePercentField(
        help_text="A positive decimal that represents the fee percentage of the subscription "
        "invoice amount that will be transferred to the application owner's Stripe account "
        "each billing period."
    )
    billing = StripeEnumField(
        enum=enums.SubscriptionBilling,
        help_text="Either `charge_automatically`, or `send_invoice`. When charging "
        "automatically, Stripe will attempt to pay this subscription at the end of the cycle "
        "using the default source attached to the customer. When sending an invoice, Stripe "
        "will email your customer an invoice with payment instructions.",
    )
    billing_cycle_anchor = StripeDateTimeField(
        help_text="Determines the date of the first full invoice, and, for plans with `month` "
        "or `year` intervals, the day of the month for subsequent invoices."
    )
    cancel_at_period_end = StripeBooleanField(
        help_text="If the subscription has been canceled with the `at_period_end` flag set to "
        "`true`, `cancel_at_period_end` on the subscription will be true. You can use this "
        "attribute to determine whether a subscription that has a status of active is "
        "scheduled to be canceled at the end of the current period."
    )
    canceled_at = StripeDateTimeField(
        help_text="If the subscription has been canceled, the date of that cancellation. If "
        "the subscription was canceled with `cancel_at_period_end`, canceled_at will still "
        "reflect the date of the initial cancellation request, not the end of the subscription "
        "period when the subscription is automatically moved to a canceled state."
    )
    current_period_end = StripeDateTimeField(
        stripe_required=True,
        help_text="End of the current period for which the subscription has been invoiced. At "
        "the end of this period, a new invoice will be created.",
    )
    current_period_start = StripeDateTimeField(
        stripe_required=True,
        help_text="Start of the current period for which the subscription has been invoiced.",
    )
    customer = stripe_foreign_key(
        "djstripe.Customer",
        "subscriptions",
        help_text="The customer associated with this subscription.",
    )
    days_until_due = StripeIntegerField(
        help_text="Number of days a customer has to pay invoices generated by this "
        "subscription. This value will be `null` for subscriptions where "
        "`billing=charge_automatically`."
    )
    ended_at = StripeDateTimeField(
        help_text="If the subscription has ended (either because it was canceled or because "
        "the customer was switched to a subscription to a new plan), the date the subscription "
        "ended."
    )
    plan = stripe_foreign_key(
        "djstripe.Plan", "subscriptions", help_text="The plan associated with this subscription."
    )
    quantity = StripeIntegerField(help_text="The quantity applied to this subscription.")
    start = StripeDateTimeField(help_text="Date the subscription started.")
    status = StripeEnumField(
        enum=enums.SubscriptionStatus,
        stripe_required=True,
        help_text="The status of this subscription.",
    )
    tax_percent = StripePercentField(
        help_text="A positive decimal (with at most two decimal places) between 1 and 100. This "
        "represents the percentage of the subscription invoice subtotal that will be calculated "
        "and added as tax to the final amount each billing period."
    )
    trial_end = StripeDateTimeField(
        help_text="If the subscription has a trial, the end of that trial."
    )
    trial_start = StripeDateTimeField(
        help_text="If the subscription has a trial, the beginning of that trial."
    )

    # -- Stripe API -----------------------------------------------------------

    def update(
        self,
        plan: Any = None,
        application_fee_percent: Decimal | None = None,
        coupon: Any = None,
        prorate: bool | None = None,
        proration_date: datetime.datetime | None = None,
        metadata: dict[str, str] | None = None,
        quantity: int | None = None,
        tax_percent: Decimal | None = None,
        trial_end: Any = None,
    ) -> Subscription:
        """Change the subscription in Stripe and return it as mirrored afterwards.

        ``plan`` and ``coupon`` are objects or ids; ``proration_date`` and
        ``trial_end`` datetimes (``trial_end`` may also be ``"now"``). Only the
        arguments given are sent. ``prorate`` left at None follows
        DJSTRIPE_PRORATION_POLICY. At this API version the plan and the
        quantity are set on the subscription's item, whose id the mirror does
        not keep: changing either first retrieves the subscription (one more
        request).
        """
        params = {
            "application_fee_percent": application_fee_percent,
            "coupon": object_id(coupon),
            "prorate": _proration(prorate),
            "proration_date": epoch_seconds(proration_date),
            "metadata": metadata,
            "tax_percent": tax_percent,
            "trial_end": epoch_seconds(trial_end),
        }
        if plan is not None or quantity is not None:
            api_key = self.default_api_key
            params["items"] = self.item_params(self.stripe_id, api_key, plan, quantity)
        return self._api_update(**without_none(params))

    def extend(self, delta: datetime.timedelta) -> Subscription:
        """Give the customer ``delta`` more time before the next charge, as a trial.

        The trial ends ``delta`` after its current end, or after the current
        period's end when no trial is running; nothing is prorated. ``delta``
        (a timedelta, or a dateutil relativedelta) must move time forward:
        ValueError otherwise, before any request.
        """
        trial_end = self.trial_end
        start = trial_end if trial_end and trial_end > timezone.now() else self.current_period_end
        end = start + delta
        if end <= start:
            raise ValueError(f"extend() needs a positive delta, not {delta!r}")
        return self._api_update(trial_end=epoch_seconds(end), prorate=False)

    def cancel(self, at_period_end: bool | None = None) -> Subscription:
        """Cancel the subscription in Stripe and return it as mirrored afterwards.

        At the period's end, the subscription stays active until then and is
        not renewed; at once, it ends now. ``at_period_end`` left at None
        follows DJSTRIPE_PRORATION_POLICY: at the period's end when it is off
        (the default), at once when it is on. A trialing subscription is
        always cancelled at once, so the trial ends and nothing is charged.
        At this API version Stripe takes no proration parameter when it
        cancels at once, so cancelling credits nothing back.
        """
        if at_period_end is None:
            at_period_end = not djstripe_settings.DJSTRIPE_PRORATION_POLICY
        if self.status == enums.SubscriptionStatus.trialing:
            at_period_end = False
        if at_period_end:
            return self._api_update(cancel_at_period_end=True)
        data = stripe_api.delete(
            self.stripe_object_path(self.stripe_id), api_key=self.default_api_key
        )
        return type(self).sync_from_stripe_data(data)

    def reactivate(self) -> Subscription:
        """Undo a cancellation at the period's end, while that period lasts.

        Stripe cannot bring back a subscription that has ended (cancelled at
        once, or at a period's end now past): such a subscription, or one not
        set to cancel, is returned as it is, with no request. Check the
        returned subscription's status.
        """
        can_reactivate = (
            self.cancel_at_period_end
            and self.status != enums.SubscriptionStatus.canceled
            and self.is_period_current()
        )
        if not can_reactivate:
            return self
        return self._api_update(cancel_at_period_end=False)

    @classmethod
    def item_params(
        cls, stripe_id: str | None, api_key: str, plan: Any, quantity: int | None
    ) -> list[dict[str, Any]]:
        """The ``items`` that set a subscription's plan and quantity: its one item, found by
        retrieving the subscription (``stripe_id``), or a new one (no ``stripe_id``)."""
        item_id = cls.stripe_item_id(stripe_id, api_key) if stripe_id else None
        return [without_none({"id": item_id, "plan": object_id(plan), "quantity": quantity})]

    @classmethod
    def stripe_item_id(cls, stripe_id: str, api_key: str) -> str | None:
        """The id of the subscription's item in Stripe (the item that holds its plan)."""
        data = stripe_api.retrieve(cls.stripe_object_path(stripe_id), api_key=api_key)
        items = (data.get("items") or {}).get("data") or []
        return items[0]["id"] if items else None

    # -- Status ----------------------------------------------------------------

    def is_period_current(self) -> bool:
        """Whether the period the subscription has been invoiced for ends in the future."""
        return self.current_period_end is not None and self.current_period_end > timezone.now()

    def is_status_current(self) -> bool:
        """Whether the status is one that gives service: active or trialing."""
        return self.status in (enums.SubscriptionStatus.active, enums.SubscriptionStatus.trialing)

    def is_status_temporarily_current(self) -> bool:
        """Whether the subscription is canceled at period end, with that period still running.

        Such a subscription still says ``active`` but will not renew: an
        application may want to give it limited service only.
        """
        return bool(self.cancel_at_period_end and self.is_period_current())

    def is_valid(self) -> bool:
        """Whether both the status and the period are current."""
        return self.is_status_current() and self.is_period_current()

    def str_parts(self) -> list[str]:
        return [f"plan={self.plan_id}", f"status={self.status}", *super().str_parts()]


def _proration(prorate: bool | None) -> bool:
    """Whether to prorate: as asked, or else as DJSTRIPE_PRORATION_POLICY says."""
    if prorate is None:
        return bool(djstripe_settings.DJSTRIPE_PRORATION_POLICY)
    return prorate
