"""Webhooks: every request that reached the webhook endpoint."""

__all__: list[str] = []
