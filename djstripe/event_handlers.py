"""The built-in webhook handlers: keep the mirror equal to Stripe when events arrive.

They are registered through the same public registry as any project's
handlers (``djstripe.webhooks.handler``), for every category of event that
concerns a mirrored object, so they run before the handlers of sub-categories
and exact types.

Two ways to learn an object's new state (``DJSTRIPE_WEBHOOK_SYNC_MODE``):

- ``"refetch"`` (the default): retrieve the object from Stripe at the pinned
  API version. One request per event; always Stripe's latest state, whatever
  the API version of the event (a deleted object answers 404, or
  ``deleted: true``).
- ``"payload"``: apply the object the event carries, when the event was
  rendered at the pinned API version (otherwise it falls back to a
  retrieve). No request per event; the event is as old as its ``created``.

Either way, each object remembers how recent its mirrored state is (see
``SyncedVersion``), so an older event or an older retrieve never overwrites
newer data, whatever order deliveries arrive in. In payload mode, the
objects an event embeds (a customer's cards, say) are only added when the
mirror lacks them: their own events keep them current.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import stripe
from django.db.models import Subquery

from . import settings as djstripe_settings
from . import webhooks
from .models import Charge, Customer, Dispute, Event, StripeObject, model_for_stripe_object
from .models.base import SyncBatch, version_claim

logger = logging.getLogger(__name__)

MIRRORED_CATEGORIES = (
    "account",
    "charge",
    "coupon",
    "customer",
    "file",
    "invoice",
    "invoiceitem",
    "payout",
    "plan",
    "product",
    "source",
    "transfer",
)

MICROSECONDS = 1_000_000


@webhooks.handler(*MIRRORED_CATEGORIES)
def mirror_event_object(event: Event, **kwargs: Any) -> None:
    """Bring the object an event is about up to date in the mirror."""
    data = event.data.get("object") if isinstance(event.data, dict) else None
    if not isinstance(data, dict):
        return
    if data.get("object") == "discount":
        # customer.discount.* carry the discount, not the customer it changed.
        data = {"object": "customer", "id": data.get("customer")}
        sync_from_event(event, Customer, data, payload_usable=False)
        return
    model = model_for_stripe_object(data.get("object", ""))
    if model is None or not data.get("id"):
        return  # not mirrored (or, like invoice.upcoming, a preview without an id)
    sync_from_event(event, model, data)


@webhooks.handler("charge.dispute")
def link_dispute_to_charge(event: Event, **kwargs: Any) -> None:
    """A charge's own row learns of its dispute (the charge is not re-sent with the event)."""
    dispute = event.data.get("object") or {}
    if dispute.get("id") and dispute.get("charge"):
        mirrored = Dispute.objects.filter(stripe_id=dispute["id"]).values("stripe_id")[:1]
        Charge.objects.filter(stripe_id=dispute["charge"]).exclude(
            dispute_id=dispute["id"]
        ).update(dispute_id=Subquery(mirrored))  # NULL while the dispute is not mirrored


def is_gone(event: Event, data: dict[str, Any]) -> bool:
    """Whether the event says the object no longer exists in Stripe.

    A "deleted" subscription is only canceled: Stripe keeps it, so do we.
    """
    return event.verb == "deleted" and data.get("object") != "subscription"


def sync_from_event(
    event: Event, model: type[StripeObject], data: dict[str, Any], payload_usable: bool = True
) -> None:
    """Write the object's new state, unless the mirror already holds a newer one."""
    api_key = djstripe_settings.get_default_api_key(event.livemode)
    object_name, stripe_id = data["object"], data["id"]
    from_payload = payload_usable and uses_payload(event)
    if from_payload:
        state = {**data, "deleted": True} if is_gone(event, data) else data
        version = event_version(event)
    else:
        version = int(time.time() * MICROSECONDS)  # the state is at least this recent
        state = retrieve_state(model, data, api_key)
    # An event's copies of the objects it embeds are as old as the event:
    # they only fill in what the mirror lacks (their own events update them).
    batch = SyncBatch(api_key, refresh_embedded=not from_payload)
    batch.add(model, state)
    if not batch.write(claim=version_claim(object_name, stripe_id, version)):
        logger.info("Skipping %s for %s: the mirror holds newer data", event.stripe_id, stripe_id)


def uses_payload(event: Event) -> bool:
    """Whether the event's own copy of the object can be applied as it is."""
    return (
        djstripe_settings.DJSTRIPE_WEBHOOK_SYNC_MODE == "payload"
        and event.api_version == djstripe_settings.STRIPE_API_VERSION
    )


def event_version(event: Event) -> int:
    return int(event.created.timestamp()) * MICROSECONDS


def retrieve_state(model: type[StripeObject], data: dict[str, Any], api_key: str) -> dict:
    """The object as Stripe has it now; a deletion marker when Stripe no longer has it."""
    try:
        return model.stripe_retrieve(data["id"], api_key, data)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        return {"id": data["id"], "object": data["object"], "deleted": True}
