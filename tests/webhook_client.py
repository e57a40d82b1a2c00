"""Sending webhooks the way Stripe does: signed JSON bodies posted to the endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

WEBHOOK_URL = "/stripe/webhook/"
SECRET = "whsec_test_secret"


def signature_header(body: bytes | str, secret: str = SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send for this body."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.{body}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_webhook(
    client,
    body: Any,
    secret: str | None = SECRET,
    timestamp: int | None = None,
    url: str = WEBHOOK_URL,
    **extra: Any,
):
    """POST ``body`` (an event dict, or raw bytes/str) signed with ``secret`` (None: unsigned)."""
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    headers = {}
    if secret is not None:
        headers["HTTP_STRIPE_SIGNATURE"] = signature_header(raw, secret, timestamp)
    return client.post(url, data=raw, content_type="application/json", **headers, **extra)
