"""Invoices: invoices, upcoming (preview) invoices and invoice items."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import stripe
from django.db import models

from .. import enums, stripe_api
from .. import settings as djstripe_settings
from ..fields import (
    MISSING,
    PaymentMethodForeignKey,
    StripeBooleanField,
    StripeCharField,
    StripeCurrencyField,
    StripeDataError,
    StripeDateTimeField,
    StripeEnumField,
    StripeIntegerField,
    StripeJSONField,
    StripePercentField,
    lookup_path,
)
from ..utils import get_friendly_currency_amount
from .base import (
    STATEMENT_DESCRIPTOR_HELP,
    StripeData,
    StripeObject,
    api_key_of,
    epoch_seconds,
    mapping_for,
    model_for_stripe_object,
    object_id,
    stripe_foreign_key,
    stripe_id_of,
    without_none,
)
from .billing import Subscription

if TYPE_CHECKING:
    from .billing import Plan

__all__ = ["Invoice", "InvoiceItem", "UpcomingInvoice"]


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
    # An invoice is often read before its charge is mirrored.
    stripe_expand = ("data.charge",)

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
    amount_paid = StripeCurrencyField(help_text="The amount, in cents, that was paid.")
    amount_remaining = StripeCurrencyField(help_text="The amount, in cents, that was paid.")
    application_fee = StripeCurrencyField(
        help_text="The fee in cents that will be applied to the invoice and transferred to the "
        "application owner's Stripe account when the invoice is paid."
    )
    attempt_count = StripeIntegerField(
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
        help_text="End of the usage period during which invoice items were added to this invoice.",
    )
    period_start = StripeDateTimeField(
        help_text="Start of the usage period during which invoice items were added to this "
        "invoice.",
    )
    receipt_number = StripeCharField(
        max_length=64,
        help_text="This is the transaction number that appears on email receipts sent for this "
        "invoice.",
    )
    starting_balance = StripeIntegerField(
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

    @classmethod
    def upcoming(
        cls,
        api_key: str = "",
        customer: Any = None,
        coupon: Any = None,
        subscription: Any = None,
        subscription_plan: Any = None,
        subscription_prorate: bool | None = None,
        subscription_proration_date: Any = None,
        subscription_quantity: int | None = None,
        subscription_trial_end: Any = None,
        **kwargs: Any,
    ) -> UpcomingInvoice | None:
        """A preview of the customer's next invoice, built in memory (never saved).

        Stripe API reference: https://stripe.com/docs/api#upcoming_invoice

        ``customer``, ``coupon``, ``subscription`` and ``subscription_plan``
        are objects or ids; the dates are datetimes; ``kwargs`` are more of
        Stripe's parameters, sent as they are. The key is ``api_key``, else
        that of the given customer's (or subscription's) mode, else
        STRIPE_SECRET_KEY. Returns None when Stripe has no upcoming invoice
        for the customer. At this API version a preview of another plan or
        quantity names the subscription's item, whose id the mirror does not
        keep: with a ``subscription`` it is retrieved first (one more request).
        """
        api_key = api_key or api_key_of(customer, subscription)
        params = {
            "customer": object_id(customer),
            "coupon": object_id(coupon),
            "subscription": object_id(subscription),
            "subscription_prorate": subscription_prorate,
            "subscription_proration_date": epoch_seconds(subscription_proration_date),
            "subscription_trial_end": epoch_seconds(subscription_trial_end),
            **kwargs,
        }
        if subscription_plan is not None or subscription_quantity is not None:
            params["subscription_items"] = Subscription.item_params(
                object_id(subscription), api_key, subscription_plan, subscription_quantity
            )
        try:
            data = stripe_api.retrieve(
                f"{cls.stripe_api_path}/upcoming", api_key=api_key, **without_none(params)
            )
        except stripe.InvalidRequestError as exc:
            if _no_upcoming_invoice(exc):
                return None
            raise
        return UpcomingInvoice.sync_from_stripe_data(data)

    def retry(self) -> bool:
        """Try to collect payment again, and mirror the invoice as Stripe returns it.

        True when payment was attempted and succeeded. An invoice that is paid,
        closed or forgiven (or a preview) is not retried: False, with no
        request. A declined payment raises stripe's CardError.
        """
        if not self.stripe_id or self.paid or self.closed or self.forgiven:
            return False
        # The charge made comes embedded, so mirroring it costs no request.
        data = stripe_api.update(
            f"{self.stripe_object_path(self.stripe_id)}/pay",
            api_key=self.default_api_key,
            **self.stripe_retrieve_params(),
        )
        type(self).sync_from_stripe_data(data)
        return True

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


def _no_upcoming_invoice(exc: stripe.InvalidRequestError) -> bool:
    # Stripe answers 404 when there is nothing to preview; a missing customer is a 404 too.
    return exc.http_status == 404 and (
        exc.code == "invoice_upcoming_none"
        or str(exc.user_message or "").startswith("No upcoming invoices")
    )


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
    instance = mapping.unsaved_row(data)
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
        api_key = djstripe_settings.get_default_api_key(data.get("livemode"))
        for page in stripe_api.embedded_list_pages(data.get("lines") or {}, api_key=api_key):
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
