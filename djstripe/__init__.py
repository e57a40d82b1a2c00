"""djstripe: a Django mirror of a Stripe account, kept current by webhooks and sync."""

__version__ = "0.1.0"
