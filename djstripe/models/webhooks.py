"""Webhooks: every request that reached the webhook endpoint."""

from __future__ import annotations

import ipaddress
import json
import logging
import traceback as traceback_module
from functools import cached_property
from typing import Any

import stripe
from django.db import OperationalError, connection, models, transaction

from .. import __version__, signals, stripe_api
from .. import settings as djstripe_settings
from . import statements

logger = logging.getLogger(__name__)

__all__ = ["WebhookEventTrigger"]

# Database errors after which the whole processing may simply run again.
RETRY_STATES = {"40P01", "40001"}  # deadlock detected, serialization failure
TRANSIENT_RETRIES = 3

VALIDATION_FIELDS = ["valid", "exception", "traceback", "updated"]
OUTCOME_FIELDS = ["valid", "event", "processed", "exception", "traceback", "updated"]

# The id of the event that the dashboard's "Send test webhook" button sends.
TEST_EVENT_ID = "evt_00000000000000"


def current_djstripe_version() -> str:
    """The installed dj-stripe version (a callable default, so releases need no migration)."""
    return __version__


# Triggers whose processing raised (and has not succeeded since).
FAILED = models.Q(processed=False) & ~models.Q(exception="")


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

    @cached_property
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

    # -- the webhook pipeline: record, validate, hand off, process ---------------

    @classmethod
    def from_request(cls, request) -> WebhookEventTrigger:
        """Create, validate and process a trigger from a Django request.

        The trigger is saved first, in its own transaction, so the request is
        kept whatever happens next; it is then validated, and a valid one is
        handed to ``DJSTRIPE_WEBHOOK_EVENT_CALLBACK`` or processed at once.
        """
        raw_body = request.body
        trigger = cls(
            remote_ip=client_ip(request),
            headers=clean_headers(request.headers),
            body=storable_text(raw_body),
        )
        statements.insert(trigger)
        trigger.validate(raw_body, save=False)
        callback = djstripe_settings.get_callback_function("DJSTRIPE_WEBHOOK_EVENT_CALLBACK")
        if not trigger.valid or trigger.is_test_event or callback is not None:
            statements.update(trigger, VALIDATION_FIELDS)
            if trigger.valid and not trigger.is_test_event:
                trigger.hand_off(callback)
        else:
            trigger.process()  # saves the validation together with the outcome
        return trigger

    def hand_off(self, callback) -> None:
        """Give the validated trigger to DJSTRIPE_WEBHOOK_EVENT_CALLBACK (a task queue, say).

        If the callback fails (the queue is down), the failure is kept on the
        trigger, which Stripe is then asked to deliver again (500).
        """
        try:
            callback(self)
        except Exception as exc:
            self.record_failure(exc)
            statements.update(self, VALIDATION_FIELDS)

    def validate(self, raw_body: bytes | None = None, save: bool = True) -> bool:
        """Decide whether the request really comes from Stripe; record and return it."""
        method = djstripe_settings.DJSTRIPE_WEBHOOK_VALIDATION
        raw_body = self.body.encode("utf-8") if raw_body is None else raw_body
        try:
            if not is_event_shaped(self.json_body):
                self.valid = False
            elif method == "verify_signature":
                self.valid = signature_is_valid(raw_body, self.headers)
            elif method == "retrieve_event":
                self.valid = not self.is_test_event and event_is_genuine(self.json_body)
            else:
                self.valid = True
        except Exception as exc:  # Stripe could not be asked: a failure, not a forgery
            self.record_failure(exc)
            self.valid = False
        if save:
            statements.update(self, VALIDATION_FIELDS)
        return self.valid

    def process(self) -> bool:
        """Process the event this trigger carries, exactly once; record the outcome.

        The Event, what its handlers write and the trigger's outcome are
        committed together. This is the one place that catches exceptions:
        whatever a handler raises is written to the trigger (and
        ``webhook_processing_error`` is sent), so it can be processed again.
        """
        if self.json_body.get("type") not in signals.WEBHOOK_SIGNALS:
            # Not an event type of the pinned API version: kept, acknowledged, not processed.
            logger.info("Webhook trigger %s: unknown event type, not processed", self.pk)
            statements.update(self, VALIDATION_FIELDS)
            return False
        try:
            for attempt in range(TRANSIENT_RETRIES + 1):
                try:
                    with transaction.atomic():
                        self._process_event()
                    break
                except OperationalError as exc:
                    if attempt == TRANSIENT_RETRIES or not may_retry(exc):
                        raise
                    logger.info("Webhook trigger %s: retrying after %r", self.pk, exc)
        except Exception as exc:
            self.event, self.processed = None, False
            self.record_failure(exc)
            statements.update(self, OUTCOME_FIELDS)
            signals.webhook_processing_error.send(sender=type(self), exception=exc, trigger=self)
        return self.processed

    def _process_event(self) -> None:
        """Record the event and run its handlers; save the outcome in the same transaction.

        A new Event row and this trigger's outcome are written by one statement.
        """
        from .core import Event

        self.event, self.processed, self.exception, self.traceback = None, True, "", ""
        link = statements.Link(self, "event_id", OUTCOME_FIELDS)
        event = Event.process_delivery(self.json_body, trigger=link)
        linked = self.event_id is not None
        self.event = event
        if not linked:  # an event processed before: the link was not written
            statements.update(self, OUTCOME_FIELDS)

    def reprocess(self) -> bool:
        """Process a stored trigger again (a replay): validated once more only when that can
        still work, i.e. by asking Stripe, since signatures expire."""
        if not self.valid and djstripe_settings.DJSTRIPE_WEBHOOK_VALIDATION == "retrieve_event":
            self.validate()
        return self.valid and self.process()

    def record_failure(self, exc: BaseException) -> None:
        """Keep what went wrong on the trigger (not saved here)."""
        logger.warning("Webhook trigger %s failed: %r", self.pk, exc)
        self.exception = f"{type(exc).__name__}: {exc}"[:128]
        self.traceback = "".join(traceback_module.format_exception(exc))

    @property
    def response_status(self) -> int:
        """The HTTP status that tells Stripe what became of this request."""
        if self.is_test_event and not self.exception:
            return 200
        if not self.valid:
            return 500 if self.exception else 400
        if self.processed or not self.exception:
            return 200  # processed, or handed off to the event callback
        return 500


def may_retry(exc: OperationalError) -> bool:
    """A deadlock or serialization failure: the database undid the work, which may run again.

    (Two workers syncing overlapping objects can still meet this on
    PostgreSQL; retrying the whole transaction is the documented remedy.)
    """
    in_outer_transaction = connection.in_atomic_block
    return not in_outer_transaction and getattr(exc.__cause__, "sqlstate", None) in RETRY_STATES


def client_ip(request) -> str:
    """The client's address as the web server saw it (0.0.0.0 when unknown)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "0.0.0.0"


def storable_text(value: bytes | str) -> str:
    """Text any database can store: undecodable bytes and NUL characters replaced."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return value.replace("\x00", "\ufffd")


def clean_headers(headers) -> dict[str, str]:
    """The request headers as a storable dict."""
    return {storable_text(name): storable_text(value) for name, value in headers.items()}


def is_event_shaped(body: Any) -> bool:
    """Whether a body looks like a Stripe event at all (id, type and data object)."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("id"), str)
        and isinstance(body.get("type"), str)
        and isinstance(body.get("data"), dict)
        and isinstance(body["data"].get("object"), dict)
    )


def signature_is_valid(raw_body: bytes, headers: dict[str, str]) -> bool:
    """Whether the Stripe-Signature header signs this body with one of the secrets."""
    signature = {k.lower(): v for k, v in headers.items()}.get("stripe-signature")
    if not signature:
        return False
    try:
        payload = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    tolerance = djstripe_settings.DJSTRIPE_WEBHOOK_TOLERANCE
    for secret in djstripe_settings.DJSTRIPE_WEBHOOK_SECRET:
        try:
            stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance)
        except stripe.SignatureVerificationError:
            continue
        return True
    return False


def event_is_genuine(body: Any) -> bool:
    """Whether Stripe knows this event: retrieved with its own API version and mode's key."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        return False
    api_key = djstripe_settings.get_default_api_key(body.get("livemode"))
    try:
        event = stripe_api.request(
            "get",
            f"/v1/events/{body['id']}",
            api_key=api_key,
            stripe_version=body.get("api_version") or None,
        )
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return False
        raise
    return all(event.get(key) == body.get(key) for key in ("id", "type", "created", "livemode"))
