"""Stored webhook deliveries (``WebhookEventTrigger`` rows), made without a request."""

from __future__ import annotations

from djstripe.models import WebhookEventTrigger


def make_trigger(body: str = "", **fields) -> WebhookEventTrigger:
    """Store a trigger with ``body``, from localhost with a JSON content type unless told."""
    fields.setdefault("remote_ip", "127.0.0.1")
    fields.setdefault("headers", {"Content-Type": "application/json"})
    return WebhookEventTrigger.objects.create(body=body, **fields)
