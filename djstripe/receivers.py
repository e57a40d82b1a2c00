"""Receivers of Django's model signals, connected in ``DjstripeAppConfig.ready()``."""

from __future__ import annotations

from typing import Any


def purge_customers_of_subscriber(sender: type, instance: Any, **kwargs: Any) -> None:
    """Before a subscriber is deleted, purge its customers (in Stripe, then here).

    A Stripe error propagates and stops the deletion, so no customer is left
    in Stripe, with its payment sources, for a subscriber that is gone.
    """
    from .models import Customer

    for customer in Customer.objects.filter(subscriber=instance, date_purged__isnull=True):
        customer.purge()
