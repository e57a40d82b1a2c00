"""The built-in webhook event handlers, registered through djstripe.webhooks."""
