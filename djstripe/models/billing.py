"""Billing: coupons, invoices, invoice items, plans, subscriptions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.db import models
from django.utils import timezone

from .. import enums, stripe_api
from .. import settings as djstripe_settings
from ..currencies import convert_to_stripe_amount
from ..fields import (
    MISSING,
    PaymentMethodForeignKey,
    StripeBooleanField,
    StripeCharField,
    StripeCurrencyField,
    StripeDataError,
    StripeDateTimeField,
    StripeEnumField,
    StripeIdField,
    StripeIntegerField,
    StripeJSONField,
    StripePercentField,
    StripePositiveIntegerField,
    StripeTextField,
    lookup_path,
)
from ..utils import get_friendly_currency_amount
from .base import (
    StripeData,
    StripeObject,
    mapping_for,
    model_for_stripe_object,
    stripe_foreign_key,
)

STATEMENT_DESCRIPTOR_HELP = (
    "An arbitrary string to be displayed on your customer's credit card statement. The "
    "statement description may not include <>\"' characters, and will appear on your "
    "customer's statement in capital letters. Non-ASCII characters are automatically "
    "stripped. While most banks display this information consistently, some may display it "
    "incorrectly or not at all."
)

__all__ = ["Coupon", "Invoice", "InvoiceItem", "Plan", "Subscription", "UpcomingInvoice"]


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


def stripe_id_of(value: Any) -> Any:
    """The id of a relation that Stripe sends either as an id or as the embedded object."""
    return value.get("id") if isinstance(value, dict) else value


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
    start = StripeDateTimeField(stripe_required=True, help_text="Date the subscription started.")
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
        return bool(self.cancel_at_period_end and self.canceled_at and self.is_period_current())

    def is_valid(self) -> bool:
        """Whether both the status and the period are current."""
        return self.is_status_current() and self.is_period_current()

    def str_parts(self) -> list[str]:
        return [f"plan={self.plan_id}", f"status={self.status}", *super().str_parts()]


class Invoice(StripeObject):
    """A statement of what a customer owes for a billing period; Stripe then collects it.

    Stripe API reference: https://stripe.com/docs/api#invoices

    Fields not mirrored: ``object``, ``discount``. ``lines`` become
    :class:`InvoiceItem` rows (``invoice.invoiceitems``).
    Stripe API version: fields audited to 2018-05-21. The documented texts are
    the models reference's, word for word (including those of ``paid``,
    ``amount_remaining`` and ``subtotal``, which repeat a neighbour's).
    """

    stripe_object_names = ("invoice",)
    stripe_api_path = "/v1/invoices"
    stripe_dashboard_path = "invoices"

    # The labels of :attr:`status`, highest priority first.
    STATUS_PAID = "Paid"
    STATUS_FORGIVEN = "Forgiven"
    STATUS_CLOSED = "Closed"
    STATUS_OPEN = "Open"

    amount_due = StripeCurrencyField(
        stripe_required=True,
        help_text="Final amount due at this time for this invoice. If the invoice's total is "
        "smaller than the minimum charge amount, for example, or if there is account credit "
        "that can be applied to the invoice, the amount_due may be 0. If there is a positive "
        "starting_balance for the invoice (the customer owes money), the amount_due will also "
        "take that into account. The charge that gets generated for the invoice will be for "
        "the amount specified in amount_due.",
    )
    amount_paid = StripeCurrencyField(
        stripe_required=True, help_text="The amount, in cents, that was paid."
    )
    amount_remaining = StripeCurrencyField(
        stripe_required=True, help_text="The amount, in cents, that was paid."
    )
    application_fee = StripeCurrencyField(
        help_text="The fee in cents that will be applied to the invoice and transferred to the "
        "application owner's Stripe account when the invoice is paid."
    )
    attempt_count = StripeIntegerField(
        stripe_required=True,
        help_text="Number of payment attempts made for this invoice, from the perspective of "
        "the payment retry schedule. Any payment attempt counts as the first attempt, and "
        "subsequently only automatic retries increment the attempt count. In other words, "
        "manual payment attempts after the first attempt do not affect the retry schedule.",
    )
    attempted = StripeBooleanField(
        help_text="Whether or not an attempt has been made to pay the invoice. An invoice is not "
        "attempted until 1 hour after the ``invoice.created`` webhook, for example, so you "
        "might not want to display that invoice as unpaid to your users."
    )
    billing = StripeEnumField(
        enum=enums.InvoiceBilling,
        help_text="When charging automatically, Stripe will attempt to pay this invoice"
        "using the default source attached to the customer. When sending an invoice, Stripe "
        "will email this invoice to the customer with payment instructions.",
    )
    charge = models.OneToOneField(
        "djstripe.Charge",
        to_field="stripe_id",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="latest_invoice",
        help_text="The latest charge generated for this invoice, if any.",
    )
    closed = StripeBooleanField(
        help_text="Whether or not the invoice is still trying to collect payment. An invoice is "
        "closed if it's either paid or it has been marked closed. A closed invoice will no "
        "longer attempt to collect payment."
    )
    currency = StripeCharField(
        max_length=3, stripe_required=True, help_text="Three-letter ISO currency code."
    )
    customer = stripe_foreign_key(
        "djstripe.Customer", "invoices", help_text="The customer associated with this invoice."
    )
    date = StripeDateTimeField(stripe_required=True, help_text="The date on the invoice.")
    due_date = StripeDateTimeField(
        help_text="The date on which payment for this invoice is due. This value will be null "
        "for invoices where billing=charge_automatically."
    )
    ending_balance = StripeIntegerField(
        help_text="Ending customer balance after attempting to pay invoice. If the invoice has "
        "not been attempted yet, this will be null."
    )
    forgiven = StripeBooleanField(
        help_text="Whether or not the invoice has been forgiven. Forgiving an invoice instructs "
        "us to update the subscription status as if the invoice were successfully paid. Once "
        "an invoice has been forgiven, it cannot be unforgiven or reopened."
    )
    hosted_invoice_url = StripeCharField(
        max_length=799,
        help_text="The URL for the hosted invoice page, which allows customers to view and pay "
        "an invoice. If the invoice has not been frozen yet, this will be null.",
    )
    invoice_pdf = StripeCharField(
        max_length=799,
        help_text="The link to download the PDF for the invoice. If the invoice has not been "
        "frozen yet, this will be null.",
    )
    next_payment_attempt = StripeDateTimeField(
        help_text="The time at which payment will next be attempted."
    )
    number = StripeCharField(
        max_length=64,
        help_text="A unique, identifying string that appears on emails sent to the customer for "
        "this invoice. This starts with the customer's unique invoice_prefix if it is "
        "specified.",
    )
    paid = StripeBooleanField(help_text="The time at which payment will next be attempted.")
    period_end = StripeDateTimeField(
        stripe_required=True,
        help_text="End of the usage period during which invoice items were added to this invoice.",
    )
    period_start = StripeDateTimeField(
        stripe_required=True,
        help_text="Start of the usage period during which invoice items were added to this "
        "invoice.",
    )
    receipt_number = StripeCharField(
        max_length=64,
        help_text="This is the transaction number that appears on email receipts sent for this "
        "invoice.",
    )
    starting_balance = StripeIntegerField(
        stripe_required=True,
        help_text="Starting customer balance before attempting to pay invoice. If the invoice "
        "has not been attempted yet, this will be the current customer balance.",
    )
    statement_descriptor = StripeCharField(max_length=22, help_text=STATEMENT_DESCRIPTOR_HELP)
    subscription = stripe_foreign_key(
        "djstripe.Subscription",
        "invoices",
        help_text="The subscription that this invoice was prepared for, if any.",
    )
    subscription_proration_date = StripeDateTimeField(
        help_text="Only set for upcoming invoices that preview prorations. The time used to "
        "calculate prorations."
    )
    subtotal = StripeCurrencyField(
        stripe_required=True,
        help_text="Only set for upcoming invoices that preview prorations. The time used to "
        "calculate prorations.",
    )
    tax = StripeCurrencyField(
        help_text="The amount of tax included in the total, calculated from tax_percent and the "
        "subtotal. If no tax_percent is defined, this value will be null."
    )
    tax_percent = StripePercentField(
        help_text="This percentage of the subtotal has been added to the total amount of the "
        "invoice, including invoice line items and discounts. This field is inherited from the "
        "subscription's tax_percent field, but can be changed before the invoice is paid. This "
        "field defaults to null."
    )
    total = StripeCurrencyField(stripe_required=True, help_text="Total after discount.")
    webhooks_delivered_at = StripeDateTimeField(
        help_text="The time at which webhooks for this invoice were successfully delivered (if "
        "the invoice had no webhooks to deliver, this will match `date`). Invoice payment is "
        "delayed until webhooks are delivered, or until all webhook delivery attempts have "
        "been exhausted."
    )

    class Meta:
        ordering = ["-date"]

    @property
    def status(self) -> str:
        """One label for where the invoice stands, though it can be several at once.

        By priority: ``Paid`` (payment collected), ``Forgiven`` (treated as
        paid without payment), ``Closed`` (no longer collecting, unpaid), else
        ``Open`` (still to be paid).
        """
        if self.paid:
            return self.STATUS_PAID
        if self.forgiven:
            return self.STATUS_FORGIVEN
        if self.closed:
            return self.STATUS_CLOSED
        return self.STATUS_OPEN

    @property
    def plan(self) -> Plan | None:
        """The plan this invoice bills: that of its first invoice item that has one.

        An invoice item keeps the plan as it was when the invoice was issued,
        whereas the subscription's plan is today's; the subscription's plan is
        only the fallback for an invoice without a plan on its items.
        """
        for item in self.line_items():
            if item.plan_id:
                return item.plan
        if not self.subscription_id:
            return None
        try:
            return self.subscription.plan
        except models.ObjectDoesNotExist:  # the subscription or its plan is not mirrored
            return None

    def line_items(self) -> Iterable[InvoiceItem]:
        """This invoice's items, in the order they were mirrored."""
        return self.invoiceitems.order_by("djstripe_id")

    def str_parts(self) -> list[str]:
        amount = get_friendly_currency_amount(self.amount_due, self.currency or "usd")
        return [f"amount_due={amount}", f"status={self.status}", *super().str_parts()]


class PreviewQuerySet:
    """A read-only stand-in for a queryset over objects that exist only in memory.

    It reads like a queryset (iteration, ``len()``, indexing and slicing,
    ``all()``, ``count()``, ``exists()``, ``first()``, ``last()``). Writing
    silently does nothing, since there is no row to write to: ``create()``,
    ``get_or_create()``, ``update_or_create()``, ``bulk_create()``, ``add()``,
    ``remove()``, ``set()`` and ``clear()`` return None, ``update()`` returns 0
    and ``delete()`` returns ``(0, {})`` (no row changed).
    """

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self._items = list(items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return PreviewQuerySet(self._items[index])
        return self._items[index]

    def __repr__(self) -> str:
        return f"<PreviewQuerySet {self._items!r}>"

    def all(self) -> PreviewQuerySet:
        return PreviewQuerySet(self._items)

    def count(self) -> int:
        return len(self._items)

    def exists(self) -> bool:
        return bool(self._items)

    def first(self) -> Any:
        return self._items[0] if self._items else None

    def last(self) -> Any:
        return self._items[-1] if self._items else None

    def _ignore_write(self, *args: Any, **kwargs: Any) -> None:
        return None

    create = get_or_create = update_or_create = bulk_create = _ignore_write
    add = remove = set = clear = _ignore_write

    def update(self, **kwargs: Any) -> int:
        return 0

    def delete(self) -> tuple[int, dict[str, int]]:
        return 0, {}


def build_in_memory(model: type[StripeObject], data: StripeData, parent: StripeData | None = None):
    """An unsaved instance of ``model`` from Stripe data: no query, no Stripe request.

    Fields convert as they do for a sync. Embedded objects become unsaved
    instances too; relations given as ids keep the id, so reading them looks
    the id up in the local mirror.
    """
    data = model.prepare_stripe_data_hook(data, parent)
    mapping = mapping_for(model)
    instance = model(**{f.attname: f.stripe_to_db(data) for f in mapping.stripe_fields})
    for field, path in mapping.relations:
        value = lookup_path(data, path)
        embedded_model = _embedded_model(field, value)
        if embedded_model is not None:
            setattr(instance, field.name, build_in_memory(embedded_model, value, data))
        else:
            setattr(instance, field.attname, None if value is MISSING else stripe_id_of(value))
    return instance


def _embedded_model(field: models.Field, value: Any) -> type[StripeObject] | None:
    """The model to build a relation's embedded object with (None: keep the id only)."""
    if not isinstance(value, dict) or value.get("deleted"):
        return None
    if isinstance(field, PaymentMethodForeignKey):  # points at PaymentMethod rows, not objects
        return None
    model = model_for_stripe_object(value.get("object", "")) or field.related_model
    return model if issubclass(model, field.related_model) else None


class UpcomingInvoice(Invoice):
    """A preview of a customer's next invoice: built in memory from Stripe, never saved.

    Stripe API reference: https://stripe.com/docs/api#upcoming_invoice

    It has no id, no row and no dashboard page; its items come from the
    preview's lines (:attr:`invoiceitems`). Relations embedded in the preview
    are unsaved objects; relations given as ids read the local mirror.
    """

    stripe_object_names = ()  # Stripe calls it an "invoice": that name is Invoice's

    @classmethod
    def sync_from_stripe_data(cls, data: StripeData) -> UpcomingInvoice:
        """Build the preview in memory (nothing is written: an upcoming invoice has no row)."""
        upcoming = build_in_memory(cls, data)
        items = []
        for line in cls._lines(data):
            item = build_in_memory(InvoiceItem, line, parent=data)
            item.invoice = upcoming
            items.append(item)
        upcoming._invoiceitems = PreviewQuerySet(items)
        return upcoming

    @classmethod
    def _lines(cls, data: StripeData) -> Iterator[StripeData]:
        lines = data.get("lines") or {}
        items = lines.get("data") or []
        yield from items
        if lines.get("has_more") and items and lines.get("url"):
            # The url carries the preview's query (customer=...); keep it on later pages.
            url = urlsplit(lines["url"])
            api_key = djstripe_settings.get_default_api_key(data.get("livemode"))
            for page in stripe_api.iterate_pages(
                url.path,
                api_key=api_key,
                starting_after=items[-1]["id"],
                **dict(parse_qsl(url.query)),
            ):
                yield from page

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        # A preview has no id in Stripe.
        return {**data, "id": None}

    @property
    def invoiceitems(self) -> PreviewQuerySet:
        """The preview's items, built from its lines: read like a queryset, never written.

        Writes through it silently do nothing (see :class:`PreviewQuerySet`).
        """
        return getattr(self, "_invoiceitems", PreviewQuerySet())

    def line_items(self) -> Iterable[InvoiceItem]:
        return self.invoiceitems

    def get_stripe_dashboard_url(self) -> str:
        """Always "": a preview has no page in Stripe's dashboard."""
        return ""

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise ValueError(
            "An UpcomingInvoice is a preview built from Stripe data; it is never saved."
        )

    def delete(self, *args: Any, **kwargs: Any) -> None:
        raise ValueError("An UpcomingInvoice is a preview built from Stripe data; it has no row.")


class InvoiceItem(StripeObject):
    """A charge or credit added to a customer's next invoice, or a line of an invoice.

    Stripe API reference: https://stripe.com/docs/api#invoiceitems

    Fields not mirrored: ``object``, ``unit_amount``. An invoice's ``lines``
    are synced as invoice items (see :meth:`prepare_stripe_data_hook`).
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("invoiceitem", "line_item")
    stripe_api_path = "/v1/invoiceitems"
    stripe_dashboard_path = None  # an item's page is its invoice's

    amount = StripeCurrencyField(help_text="Amount invoiced.")
    currency = StripeCharField(max_length=3, help_text="Three-letter ISO currency code.")
    customer = stripe_foreign_key(
        "djstripe.Customer",
        "invoiceitems",
        help_text="The customer associated with this invoiceitem.",
    )
    date = StripeDateTimeField(help_text="The date on the invoiceitem.")
    discountable = StripeBooleanField(
        help_text="If True, discounts will apply to this invoice item. Always False for "
        "prorations."
    )
    invoice = stripe_foreign_key(
        "djstripe.Invoice",
        "invoiceitems",
        help_text="The invoice to which this invoiceitem is attached.",
    )
    period = StripeJSONField()
    period_end = StripeDateTimeField(
        stripe_name="period.end",
        help_text="Might be the date when this invoiceitem's invoice was sent.",
    )
    period_start = StripeDateTimeField(
        stripe_name="period.start",
        help_text="Might be the date when this invoiceitem was added to the invoice",
    )
    plan = stripe_foreign_key(
        "djstripe.Plan",
        "invoiceitems",
        help_text="If the invoice item is a proration, the plan of the subscription for which "
        "the proration was computed.",
    )
    proration = StripeBooleanField(
        help_text="Whether or not the invoice item was created automatically as a proration "
        "adjustment when the customer switched plans."
    )
    quantity = StripeIntegerField(
        help_text="If the invoice item is a proration, the quantity of the subscription for "
        "which the proration was computed."
    )
    subscription = stripe_foreign_key(
        "djstripe.Subscription",
        "invoiceitems",
        help_text="The subscription that this invoice item has been created for, if any.",
    )

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        # An invoice's lines are ``line_item`` objects: they lack the invoice,
        # customer and date that their invoice holds, and a subscription's line
        # takes the subscription's id as its own. Such a line gets an id made
        # from its invoice's ("upcoming" for a preview, which has no id).
        if data.get("object") != "line_item":
            return data
        if parent is None:
            raise StripeDataError(
                f"line item {data.get('id')!r} can only be synced with its invoice"
            )
        item = {
            **data,
            "invoice": parent.get("id"),
            "customer": stripe_id_of(parent.get("customer")),
            "date": parent.get("date"),
        }
        if data.get("type") == "subscription":
            item["id"] = f"{parent.get('id') or 'upcoming'}-{data['id']}"
            item["subscription"] = data.get("subscription") or data["id"]
        return item

    def get_stripe_dashboard_url(self) -> str:
        """The page of this item's invoice ("" when it is on none yet)."""
        return self.dashboard_url_for("invoices", self.invoice_id)

    def str_parts(self) -> list[str]:
        amount = get_friendly_currency_amount(self.amount, self.currency or "usd")
        return [f"amount={amount}", f"date={self.date}", *super().str_parts()]
