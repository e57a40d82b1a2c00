"""The webhook endpoint."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .models import WebhookEventTrigger


class ProcessWebhookView(View):
    """Receives Stripe's webhooks: POST only, no CSRF token, never inside ATOMIC_REQUESTS.

    Each request is recorded as a WebhookEventTrigger before anything else;
    the response says what became of it: 200 processed (or already
    processed, or handed to the event callback), 400 invalid, 500 failed (so
    Stripe delivers it again).
    """

    http_method_names = ["post"]

    @classmethod
    def as_view(cls, **initkwargs):
        # The trigger must be committed on its own, before processing, even
        # when the project wraps every request in a transaction.
        return transaction.non_atomic_requests(csrf_exempt(super().as_view(**initkwargs)))

    def post(self, request: HttpRequest) -> HttpResponse:
        trigger = WebhookEventTrigger.from_request(request)
        return HttpResponse(status=trigger.response_status)
