"""The djstripe models (re-exported from their section modules)."""

from .base import IdempotencyKey, StripeObject, model_for_stripe_object
from .billing import Coupon, Plan
from .core import Customer, Product
from .payment_methods import Card, PaymentMethod

__all__ = [
    "Card",
    "Coupon",
    "Customer",
    "IdempotencyKey",
    "PaymentMethod",
    "Plan",
    "Product",
    "StripeObject",
    "model_for_stripe_object",
]
