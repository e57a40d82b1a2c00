"""Bring the mirror up to date from Stripe: whole models, or one subscriber's part."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.db import DataError, IntegrityError, transaction

from . import settings as djstripe_settings
from . import stripe_api
from .fields import StripeDataError
from .models import (
    Account,
    Card,
    Charge,
    Coupon,
    Customer,
    Dispute,
    Event,
    FileUpload,
    Invoice,
    InvoiceItem,
    Payout,
    Plan,
    Product,
    Refund,
    Subscription,
    Transfer,
)
from .models.base import StripeData, StripeObject, SyncBatch, existing_ids, model_for_stripe_object

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_SYNC_MODELS",
    "SYNC_MODELS",
    "SubscriberOutcome",
    "SyncReport",
    "create_missing_customers",
    "sync_model",
    "sync_models",
    "sync_subscriber",
    "sync_subscribers",
]

# Every model with a list endpoint, in an order where what an object points
# at is mirrored before it, so that ids it gives bare are known and cost no
# request (an invoice's customer and subscription, a charge's invoice, ...).
SYNC_MODELS: tuple[type[StripeObject], ...] = (
    FileUpload,
    Account,
    Product,
    Plan,
    Coupon,
    Customer,
    Subscription,
    Invoice,
    InvoiceItem,
    Charge,
    Refund,
    Dispute,
    Payout,
    Transfer,
    Event,
)
# Connected accounts (Connect platforms only) and the event history are
# synced only when named.
DEFAULT_SYNC_MODELS = tuple(model for model in SYNC_MODELS if model not in (Account, Event))

# Stripe lists only the subscriptions that are not canceled, unless asked for all.
EXTRA_LIST_PARAMS: dict[type[StripeObject], dict[str, Any]] = {Subscription: {"status": "all"}}

# What makes one object fail without stopping the others: data the model
# cannot hold, a Stripe error while fetching what it points at, a value the
# database refuses.
OBJECT_ERRORS = (StripeDataError, stripe.StripeError, DataError, IntegrityError)


@dataclass
class SyncReport:
    """What :func:`sync_model` did: counts of the model's objects, and each failure."""

    model: type[StripeObject]
    synced: int = 0
    created: int = 0
    updated: int = 0
    pages: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (stripe id, reason)
    aborted: str = ""  # why listing stopped before the end (a Stripe error on a page)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.aborted

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        """Objects synced per second."""
        return self.synced / self.elapsed if self.elapsed > 0 else 0.0


def sync_models(
    models: Iterable[type[StripeObject]],
    api_key: str,
    on_progress: Callable[[SyncReport], None] | None = None,
) -> Iterator[SyncReport]:
    """Sync each model (in the order of SYNC_MODELS), yielding its report when done."""
    wanted = set(models)
    for model in SYNC_MODELS:
        if model in wanted:
            yield sync_model(model, api_key, on_progress=on_progress)


def sync_model(
    model: type[StripeObject],
    api_key: str,
    on_progress: Callable[[SyncReport], None] | None = None,
) -> SyncReport:
    """Mirror every object of ``model`` in Stripe, page by page.

    Each page (100 objects, related objects embedded through ``expand``) is
    written in one transaction with a constant number of statements, then
    dropped: memory does not grow with the number of objects. An object that
    fails is recorded in the report (with its id and the reason) and the
    others are synced; a Stripe error on a list page ends the listing.
    ``on_progress`` is called with the report after every page.
    """
    report = SyncReport(model)
    for page in _pages(model, api_key, report):
        _sync_page(model, page, api_key, report)
        report.pages += 1
        if on_progress is not None:
            on_progress(report)
    report.finished = time.monotonic()
    logger.info(
        "Synced %s: %d (%d created, %d updated), %d failed",
        model.__name__,
        report.synced,
        report.created,
        report.updated,
        report.failed,
    )
    return report


def list_params(model: type[StripeObject]) -> dict[str, Any]:
    """The parameters of the model's list requests: related objects come embedded."""
    params: dict[str, Any] = {"limit": 100, **EXTRA_LIST_PARAMS.get(model, {})}
    if model.stripe_expand:
        params["expand"] = list(model.stripe_expand)
    return params


def _pages(model: type[StripeObject], api_key: str, report: SyncReport) -> Iterator[list]:
    try:
        yield from stripe_api.iterate_pages(
            model.stripe_list_path(), api_key=api_key, **list_params(model)
        )
    except stripe.StripeError as exc:
        report.aborted = describe(exc)
        logger.warning("Listing %s stopped: %s", model.__name__, report.aborted)


def _sync_page(
    model: type[StripeObject], items: list[StripeData], api_key: str, report: SyncReport
) -> None:
    known = existing_ids({model: [item["id"] for item in items if item.get("id")]})[model]
    try:
        _write(model, items, api_key)
    except OBJECT_ERRORS:
        # Write the objects one by one, to tell the bad ones from the others.
        for item in items:
            try:
                _write(model, [item], api_key)
            except OBJECT_ERRORS as exc:
                report.failures.append((item.get("id") or "?", describe(exc)))
                logger.warning("%s %s failed to sync: %s", model.__name__, item.get("id"), exc)
            else:
                _count_synced(report, [item], known)
    else:
        _count_synced(report, items, known)


def _write(model: type[StripeObject], items: list[StripeData], api_key: str) -> None:
    batch = SyncBatch(api_key=api_key)
    for item in items:
        batch.add(model, item)
    # A savepoint inside a caller's transaction, so a refused page can be retried.
    with transaction.atomic():
        batch.write()


def _count_synced(report: SyncReport, items: list[StripeData], known: set[str]) -> None:
    """Count these objects as synced: created unless their id was ``known`` before."""
    created = sum(1 for item in items if item["id"] not in known)
    report.synced += len(items)
    report.created += created
    report.updated += len(items) - created


def describe(exc: Exception) -> str:
    """One line saying what went wrong (a Stripe error's message and request id)."""
    message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
    request_id = getattr(exc, "request_id", None)
    return f"{type(exc).__name__}: {message}" + (f" (request {request_id})" if request_id else "")


# -- subscribers ----------------------------------------------------------------------


@dataclass
class SubscriberOutcome:
    """What happened to one subscriber: its customer, or why it failed."""

    subscriber: Any
    customer: Customer | None = None
    created: bool = False
    error: str = ""


def sync_subscribers(subscribers: Iterable[Any]) -> Iterator[SubscriberOutcome]:
    """:func:`sync_subscriber` for each subscriber; a Stripe failure does not stop the rest."""
    for subscriber in subscribers:
        try:
            customer = sync_subscriber(subscriber)
        except (StripeDataError, stripe.StripeError) as exc:
            logger.warning("Subscriber %s failed to sync: %s", subscriber.pk, exc)
            yield SubscriberOutcome(subscriber, error=describe(exc))
        else:
            yield SubscriberOutcome(subscriber, customer)


def create_missing_customers(livemode: bool) -> Iterator[SubscriberOutcome]:
    """Create a Stripe customer (in this mode) for every subscriber that has none."""
    subscribers = djstripe_settings.get_subscriber_model()._default_manager.exclude(
        pk__in=Customer.objects.filter(
            livemode=livemode, date_purged__isnull=True, subscriber__isnull=False
        ).values("subscriber_id")
    )
    for subscriber in subscribers.order_by("pk").iterator():
        try:
            customer, created = Customer.get_or_create(subscriber, livemode=livemode)
        except stripe.StripeError as exc:
            logger.warning("No customer for subscriber %s: %s", subscriber.pk, exc)
            yield SubscriberOutcome(subscriber, error=describe(exc))
        else:
            yield SubscriberOutcome(subscriber, customer, created)


def sync_subscriber(subscriber: Any) -> Customer:
    """Mirror the subscriber's customer (created if it has none) and what it owns.

    The customer is the one of the configured mode (STRIPE_LIVE_MODE). It is
    retrieved, then its subscriptions (of every status), invoices, charges
    and payment sources are listed: one request per page of each list.
    Everything is written at the end, in one transaction: a Stripe error
    propagates and leaves the mirror as it was (but for a customer just
    created). Returns the customer.
    """
    customer, _created = Customer.get_or_create(
        subscriber, livemode=djstripe_settings.STRIPE_LIVE_MODE
    )
    api_key = customer.default_api_key
    batch = SyncBatch(api_key=api_key)
    batch.add(Customer, customer.api_retrieve())
    for path, params in _lists_of(customer):
        for page in stripe_api.iterate_pages(path, api_key=api_key, **params):
            for item in page:
                model = model_for_stripe_object(item.get("object", ""))
                if model is not None:  # a kind of payment source that is not mirrored
                    batch.add(model, item)
    batch.write()
    logger.info("Synced subscriber %s: customer %s", subscriber.pk, customer.stripe_id)
    customer.refresh_from_db()
    return customer


def _lists_of(customer: Customer) -> list[tuple[str, dict[str, Any]]]:
    """The list endpoints (path, parameters) of what the customer owns."""
    owned = {"customer": customer.stripe_id}
    return [
        (Subscription.stripe_api_path, {**owned, "status": "all"}),
        (Invoice.stripe_api_path, owned),
        (Charge.stripe_api_path, {**owned, "expand": list(Charge.stripe_expand)}),
        (Card.stripe_list_path(customer=customer), {}),
    ]
