"""Bring a subscriber's part of the mirror up to date from Stripe."""

from __future__ import annotations

import logging
from typing import Any

from . import settings as djstripe_settings
from . import stripe_api
from .models import Card, Charge, Customer, Invoice, Subscription
from .models.base import SyncBatch, model_for_stripe_object

logger = logging.getLogger(__name__)

__all__ = ["sync_subscriber"]


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
