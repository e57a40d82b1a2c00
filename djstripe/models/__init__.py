"""The djstripe models, each in the module of its section of Stripe's API reference."""

from .base import IdempotencyKey, StripeObject, model_for_stripe_object
from .billing import Coupon, Plan, Subscription
from .charges import Charge, Refund
from .connect import Account, Transfer
from .core import Dispute, Event, FileUpload, Payout, Product
from .customers import Customer
from .invoices import Invoice, InvoiceItem, UpcomingInvoice
from .payment_methods import BankAccount, Card, PaymentMethod, Source
from .webhooks import WebhookEventTrigger

__all__ = [
    "Account",
    "BankAccount",
    "Card",
    "Charge",
    "Coupon",
    "Customer",
    "Dispute",
    "Event",
    "FileUpload",
    "IdempotencyKey",
    "Invoice",
    "InvoiceItem",
    "PaymentMethod",
    "Payout",
    "Plan",
    "Product",
    "Refund",
    "Source",
    "StripeObject",
    "Subscription",
    "Transfer",
    "UpcomingInvoice",
    "WebhookEventTrigger",
    "model_for_stripe_object",
]
