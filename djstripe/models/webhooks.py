"""Webhooks: every request that reached the webhook endpoint."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from .. import __version__

__all__ = ["WebhookEventTrigger"]

# The id of the event that the dashboard's "Send test webhook" button sends.
TEST_EVENT_ID = "evt_00000000000000"


def current_djstripe_version() -> str:
    """The installed dj-stripe version (a callable default, so releases need no migration)."""
    return __version__


class WebhookEventTrigger(models.Model):
    """One request that reached the webhook endpoint, recorded before anything else happens.

    Anyone can post to the webhook URL, so a trigger is untrusted until
    validated (``valid``); ``processed``, ``exception`` and ``traceback`` say
    what became of it, and ``event`` is the Event it carried.
    """

    id = models.BigAutoField(primary_key=True)
    remote_ip = models.GenericIPAddressField(help_text="IP address of the request client.")
    headers = models.JSONField()
    body = models.TextField(blank=True)
    valid = models.BooleanField(
        default=False, help_text="Whether or not the webhook event has passed validation"
    )
    processed = models.BooleanField(
        default=False,
        help_text="Whether or not the webhook event has been successfully processed",
    )
    exception = models.CharField(max_length=128, blank=True)
    traceback = models.TextField(
        blank=True, help_text="Traceback if an exception was thrown during processing"
    )
    event = models.ForeignKey(
        "djstripe.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_triggers",
        help_text="Event object contained in the (valid) Webhook",
    )
    djstripe_version = models.CharField(
        max_length=32,
        default=current_djstripe_version,
        help_text="The version of dj-stripe when the webhook was received",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"id={self.id}, valid={self.valid}, processed={self.processed}"

    @property
    def json_body(self) -> Any:
        """The request body parsed as JSON ({} when it is not valid JSON)."""
        try:
            return json.loads(self.body)
        except (TypeError, ValueError):
            return {}

    @property
    def is_test_event(self) -> bool:
        """Whether this is the test event the dashboard sends (``evt_00000000000000``)."""
        body = self.json_body
        return isinstance(body, dict) and body.get("id") == TEST_EVENT_ID
