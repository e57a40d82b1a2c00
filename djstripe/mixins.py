"""Mixins for class-based views that show plans and the visitor's subscription."""

from __future__ import annotations

from typing import Any

from . import settings as djstripe_settings
from .decorators import get_request_subscriber
from .exceptions import MultipleSubscriptionException
from .models import Customer, Plan


class PaymentsContextMixin:
    """Adds ``STRIPE_PUBLIC_KEY`` and ``plans`` (the plans of the configured mode)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["STRIPE_PUBLIC_KEY"] = djstripe_settings.STRIPE_PUBLIC_KEY
        context["plans"] = Plan.objects.filter(livemode=djstripe_settings.STRIPE_LIVE_MODE)
        return context


class SubscriptionMixin(PaymentsContextMixin):
    """Adds the request's subscriber's ``customer`` and ``subscription`` (None when missing).

    The customer is looked up, never created, so showing a page costs no
    Stripe request. With several valid subscriptions, ``subscription`` is
    None and ``subscriptions`` lists them.
    """

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer = self.get_customer()
        subscriptions = customer.valid_subscriptions if customer is not None else None
        try:
            subscription = customer.subscription if customer is not None else None
        except MultipleSubscriptionException:
            subscription = None
        context.update(customer=customer, subscription=subscription, subscriptions=subscriptions)
        return context

    def get_customer(self) -> Customer | None:
        """The request's subscriber's customer in the configured mode, if there is one."""
        subscriber = get_request_subscriber(self.request)
        if subscriber is None:
            return None
        return Customer.of_subscriber(subscriber, djstripe_settings.STRIPE_LIVE_MODE)
