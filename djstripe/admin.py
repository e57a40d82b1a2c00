"""The Django admin for the mirrored Stripe account.

Stripe owns every mirrored value, so the admin shows them and never edits
them: a change made here would be undone by the next sync and would never
reach Stripe. What admins can do instead is ask Stripe: sync rows again,
cancel subscriptions, reprocess webhook triggers. Only local columns (a
customer's subscriber, say) stay editable.

Not registered, on purpose: ``UpcomingInvoice`` (a preview built in memory,
it never has a row), ``PaymentMethod`` (a pointer row per payment source
id, shown as the source on the card, bank account and source pages) and
``SyncedVersion`` (bookkeeping of the webhook ordering; nothing in it is
meant for people, and editing it would break that ordering).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import stripe
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, quote
from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from .currencies import convert_from_stripe_amount
from .fields import StripeDataError, StripeFieldMixin
from .models import (
    Account,
    BankAccount,
    Card,
    Charge,
    Coupon,
    Customer,
    Dispute,
    Event,
    FileUpload,
    IdempotencyKey,
    Invoice,
    InvoiceItem,
    Payout,
    Plan,
    Product,
    Refund,
    Source,
    Subscription,
    Transfer,
    WebhookEventTrigger,
)
from .models.base import is_stripe_relation
from .models.webhooks import FAILED
from .utils import get_friendly_currency_amount

CUSTOMER_SEARCH = ("customer__stripe_id", "customer__email")


class ActionFailed(Exception):
    """An admin action could not be applied to one object (the message says why)."""


def columns(*middle: Any, date: str = "created") -> tuple:
    """A changelist's columns: the id, the model's own, then mode, date and dashboard link."""
    return ("stripe_id", *middle, "livemode", date, "stripe_dashboard_link")


def filters(*middle: Any, date: str = "created") -> tuple:
    """A changelist's filters: the model's own, then mode and date."""
    return (*middle, "livemode", date)


def amount_column(field: str, minor_unit: bool = False) -> Callable[[Any], str]:
    """A changelist column showing ``field`` with its currency: ``$20.00 USD``.

    ``minor_unit``: the field holds Stripe's integer minor units (cents).
    """

    @admin.display(description=field.replace("_", " "), ordering=field)
    def column(obj: Any) -> str:
        amount, currency = getattr(obj, field), obj.currency or ""
        if minor_unit and amount is not None and currency:
            amount = convert_from_stripe_amount(amount, currency)
        return get_friendly_currency_amount(amount, currency)

    column.__name__ = f"{field}_display"
    return column


def pretty_json(value: Any) -> str:
    """JSON (a value, or text holding it) indented in a ``<pre>``; other text as it is."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return format_html("<pre>{}</pre>", value)
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


def is_read_only(field: models.Field) -> bool:
    """Whether the admin must not edit a field: Stripe owns it, or nobody edits it."""
    return isinstance(field, StripeFieldMixin) or is_stripe_relation(field) or not field.editable


def object_label(obj: models.Model) -> str:
    return getattr(obj, "stripe_id", None) or f"#{obj.pk}"


class ActionsMixin:
    """Runs an admin action on each selected object and reports what became of each."""

    def apply_to_each(
        self,
        request: HttpRequest,
        queryset: models.QuerySet,
        operation: Callable[[Any], Any],
        done_message: str,
    ) -> None:
        """Call ``operation(obj)`` per object; Stripe errors and ActionFailed are failures.

        ``done_message`` has ``%(count)d`` and ``%(items)s`` placeholders.
        """
        done = 0
        for obj in queryset:
            try:
                operation(obj)
            except (stripe.StripeError, StripeDataError, ActionFailed) as exc:
                self.message_user(request, f"{object_label(obj)}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            items = model_ngettext(queryset.model._meta, done)
            self.message_user(
                request, done_message % {"count": done, "items": items}, messages.SUCCESS
            )


class StripeModelAdmin(ActionsMixin, admin.ModelAdmin):
    """The admin of a mirrored Stripe object: read-only, with a link to the dashboard.

    Subclasses name their columns, filters and searches; the fields shown
    and which of them are read-only follow from the model.
    """

    list_display: tuple = columns()
    list_filter: tuple = filters()
    search_fields: tuple = ("stripe_id",)
    list_select_related: tuple = ()
    actions = ("sync_from_stripe",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [
            f.name
            for f in self.model._meta.concrete_fields
            if not f.primary_key and not getattr(f.remote_field, "parent_link", False)
        ]
        return ["stripe_dashboard_link", *names]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [f.name for f in self.model._meta.concrete_fields if is_read_only(f)]
        return ["stripe_dashboard_link", *fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a row made here would not exist in Stripe

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Stripe decides what is deleted; its webhooks tell the mirror

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A page with nothing to edit is shown as a view, without save buttons.
        if obj is not None and not self.has_local_fields():
            return False
        return super().has_change_permission(request, obj)

    def has_local_fields(self) -> bool:
        return any(
            not f.primary_key and not is_read_only(f) for f in self.model._meta.concrete_fields
        )

    @admin.display(description="Stripe")
    def stripe_dashboard_link(self, obj: Any) -> str:
        url = obj.get_stripe_dashboard_url()
        if not url:
            return ""
        return format_html('<a href="{}" target="_blank" rel="noopener">View in Stripe</a>', url)

    @admin.action(
        description="Sync selected %(verbose_name_plural)s from Stripe", permissions=["change"]
    )
    def sync_from_stripe(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        def sync(obj: Any) -> None:
            type(obj).sync_from_stripe_data(obj.api_retrieve())

        self.apply_to_each(request, queryset, sync, "Synced %(count)d %(items)s from Stripe.")


class ReadOnlyInline(admin.TabularInline):
    """A table of related rows, shown and linked, never edited here."""

    extra = 0
    can_delete = False
    show_change_link = True
    list_select_related: tuple = ()

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SubscriptionInline(ReadOnlyInline):
    model = Subscription
    fields = ("stripe_id", "plan", "status", "current_period_end", "cancel_at_period_end")
    list_select_related = ("plan",)


class CardInline(ReadOnlyInline):
    model = Card
    fields = ("stripe_id", "brand", "last4", "exp_month", "exp_year")


@admin.register(Account)
class AccountAdmin(StripeModelAdmin):
    list_display = columns(
        "display_name", "business_name", "email", "type", "charges_enabled", "payouts_enabled"
    )
    list_filter = filters("type", "charges_enabled", "payouts_enabled")
    search_fields = ("stripe_id", "display_name", "business_name", "email")


@admin.register(BankAccount)
class BankAccountAdmin(StripeModelAdmin):
    list_display = columns("bank_name", "last4", "customer", "account", "status")
    list_filter = filters("status")
    list_select_related = ("customer", "account")
    search_fields = ("stripe_id", *CUSTOMER_SEARCH, "account__stripe_id", "last4")


@admin.register(Card)
class CardAdmin(StripeModelAdmin):
    list_display = columns("brand", "last4", "exp_month", "exp_year", "customer")
    list_filter = filters("brand", "funding")
    list_select_related = ("customer",)
    search_fields = ("stripe_id", *CUSTOMER_SEARCH, "last4", "fingerprint")


@admin.register(Charge)
class ChargeAdmin(StripeModelAdmin):
    list_display = columns(
        "customer",
        amount_column("amount"),
        amount_column("amount_refunded"),
        "status",
        "paid",
        "refunded",
    )
    list_filter = filters("status", "paid", "refunded", "captured")
    list_select_related = ("customer",)
    search_fields = ("stripe_id", *CUSTOMER_SEARCH, "invoice__stripe_id", "source_stripe_id")


@admin.register(Coupon)
class CouponAdmin(StripeModelAdmin):
    list_display = columns("human_readable", "duration", "times_redeemed", "redeem_by")
    list_filter = filters("duration")


@admin.register(Customer)
class CustomerAdmin(StripeModelAdmin):
    list_display = columns("email", "subscriber", "currency", "delinquent", "date_purged")
    list_filter = filters("delinquent", "date_purged")
    list_select_related = ("subscriber",)
    search_fields = ("stripe_id", "email", "description")
    raw_id_fields = ("subscriber",)
    inlines = (SubscriptionInline, CardInline)


@admin.register(Dispute)
class DisputeAdmin(StripeModelAdmin):
    list_display = columns(amount_column("amount", minor_unit=True), "reason", "status")
    list_filter = filters("status", "reason")


@admin.register(Event)
class EventAdmin(StripeModelAdmin):
    list_display = columns("type", "api_version", "request_id")
    list_filter = filters("type", "api_version")
    search_fields = ("stripe_id", "type", "request_id", "idempotency_key")


@admin.register(FileUpload)
class FileUploadAdmin(StripeModelAdmin):
    list_display = columns("filename", "purpose", "type", "size")
    list_filter = filters("purpose", "type")
    search_fields = ("stripe_id", "filename")


@admin.register(Invoice)
class InvoiceAdmin(StripeModelAdmin):
    # Invoices are dated by ``date``: at this API version they carry no ``created``.
    list_display = columns(
        "number",
        "customer",
        amount_column("total"),
        amount_column("amount_due"),
        "status",
        date="date",
    )
    list_filter = filters("paid", "closed", "forgiven", "attempted", date="date")
    list_select_related = ("customer",)
    search_fields = (
        "stripe_id",
        "number",
        *CUSTOMER_SEARCH,
        "subscription__stripe_id",
        "charge__stripe_id",
    )


@admin.register(InvoiceItem)
class InvoiceItemAdmin(StripeModelAdmin):
    list_display = columns(
        "customer", "invoice", amount_column("amount"), "proration", date="date"
    )
    list_filter = filters("proration", "discountable", date="date")
    list_select_related = ("customer", "invoice")
    search_fields = (
        "stripe_id",
        *CUSTOMER_SEARCH,
        "invoice__stripe_id",
        "subscription__stripe_id",
        "plan__stripe_id",
    )


@admin.register(Payout)
class PayoutAdmin(StripeModelAdmin):
    list_display = columns(
        amount_column("amount"), "arrival_date", "destination", "method", "type", "status"
    )
    list_filter = filters("status", "type", "method")
    list_select_related = ("destination",)
    search_fields = ("stripe_id", "destination__stripe_id")


@admin.register(Plan)
class PlanAdmin(StripeModelAdmin):
    list_display = columns(
        "name", "product", "human_readable_price", "usage_type", "trial_period_days"
    )
    list_filter = filters("interval", "currency", "usage_type")
    list_select_related = ("product",)
    search_fields = ("stripe_id", "name", "nickname", "product__stripe_id", "product__name")


@admin.register(Product)
class ProductAdmin(StripeModelAdmin):
    list_display = columns("name", "type", "active")
    list_filter = filters("type", "active")
    search_fields = ("stripe_id", "name")


@admin.register(Refund)
class RefundAdmin(StripeModelAdmin):
    list_display = columns("charge", amount_column("amount"), "reason", "status")
    list_filter = filters("status", "reason")
    list_select_related = ("charge",)
    search_fields = ("stripe_id", "charge__stripe_id")


@admin.register(Source)
class SourceAdmin(StripeModelAdmin):
    list_display = columns("type", "customer", amount_column("amount"), "status", "usage")
    list_filter = filters("status", "type", "usage", "flow")
    list_select_related = ("customer",)
    search_fields = ("stripe_id", *CUSTOMER_SEARCH)


@admin.register(Subscription)
class SubscriptionAdmin(StripeModelAdmin):
    list_display = columns(
        "customer", "plan", "status", "current_period_end", "cancel_at_period_end"
    )
    list_filter = filters("status", "cancel_at_period_end")
    list_select_related = ("customer", "plan")
    search_fields = ("stripe_id", *CUSTOMER_SEARCH, "plan__stripe_id")
    actions = ("sync_from_stripe", "cancel_at_period_end", "cancel_now")

    @admin.action(
        description="Cancel selected %(verbose_name_plural)s at period end",
        permissions=["change"],
    )
    def cancel_at_period_end(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        self.apply_to_each(
            request,
            queryset,
            lambda subscription: subscription.cancel(at_period_end=True),
            "Cancelled %(count)d %(items)s at the end of their period.",
        )

    @admin.action(
        description="Cancel selected %(verbose_name_plural)s now", permissions=["change"]
    )
    def cancel_now(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        self.apply_to_each(
            request,
            queryset,
            lambda subscription: subscription.cancel(at_period_end=False),
            "Cancelled %(count)d %(items)s now.",
        )


@admin.register(Transfer)
class TransferAdmin(StripeModelAdmin):
    list_display = columns(
        amount_column("amount"), amount_column("amount_reversed"), "destination", "status"
    )
    list_filter = filters("status", "reversed")
    search_fields = ("stripe_id", "destination", "transfer_group")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Shown, never edited: deleting a live key could let a retried create run twice.

    Expired keys are cleared by ``manage.py djstripe_clear_expired_idempotency_keys``.
    """

    list_display = ("uuid", "action", "livemode", "created", "is_expired")
    list_filter = ("livemode", "created")
    search_fields = ("uuid", "action")

    @admin.display(boolean=True, description="expired")
    def is_expired(self, obj: IdempotencyKey) -> bool:
        return obj.is_expired

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FailedTriggerFilter(admin.SimpleListFilter):
    """Triggers whose processing raised (and so can be reprocessed once the cause is fixed)."""

    title = "failed"
    parameter_name = "failed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        if self.value() == "yes":
            return queryset.filter(FAILED)
        if self.value() == "no":
            return queryset.exclude(FAILED)
        return queryset


@admin.register(WebhookEventTrigger)
class WebhookEventTriggerAdmin(ActionsMixin, admin.ModelAdmin):
    """Every request to the webhook endpoint, as received, and what became of it."""

    list_display = ("id", "created", "remote_ip", "valid", "processed", "exception", "event_link")
    list_filter = ("valid", "processed", FailedTriggerFilter, "created")
    list_select_related = ("event",)
    search_fields = ("event__stripe_id", "exception", "remote_ip")
    fields = (
        "id",
        "created",
        "updated",
        "remote_ip",
        "valid",
        "processed",
        "exception",
        "event_link",
        "djstripe_version",
        "pretty_body",
        "pretty_headers",
        "pretty_traceback",
    )
    readonly_fields = fields
    actions = ("reprocess",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The record of a request is never edited; the changelist keeps its actions.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="event", ordering="event__stripe_id")
    def event_link(self, obj: WebhookEventTrigger) -> str:
        if obj.event is None:
            return ""
        try:
            url = reverse(
                f"{self.admin_site.name}:djstripe_event_change", args=[quote(obj.event.pk)]
            )
        except NoReverseMatch:
            return obj.event.stripe_id
        return format_html('<a href="{}">{}</a>', url, obj.event.stripe_id)

    @admin.display(description="body")
    def pretty_body(self, obj: WebhookEventTrigger) -> str:
        return pretty_json(obj.body)

    @admin.display(description="headers")
    def pretty_headers(self, obj: WebhookEventTrigger) -> str:
        return pretty_json(obj.headers)

    @admin.display(description="traceback")
    def pretty_traceback(self, obj: WebhookEventTrigger) -> str:
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else ""

    @admin.action(description="Reprocess selected %(verbose_name_plural)s", permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        def reprocess_one(trigger: WebhookEventTrigger) -> None:
            if not trigger.reprocess():
                raise ActionFailed(trigger.exception or "not valid, so not processed")

        self.apply_to_each(
            request,
            queryset.order_by("created", "id"),
            reprocess_one,
            "Reprocessed %(count)d %(items)s.",
        )
