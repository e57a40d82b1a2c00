"""Core resources: disputes, events, files, payouts and products.

The other core resources have modules of their own: ``charges.py`` (charges
and refunds) and ``customers.py``.
"""

from __future__ import annotations

from django.db import transaction

from .. import enums, webhooks
from ..currencies import convert_from_stripe_amount
from ..fields import (
    StripeBooleanField,
    StripeCharField,
    StripeCurrencyField,
    StripeDateTimeField,
    StripeEnumField,
    StripeIntegerField,
    StripeJSONField,
    StripeNullBooleanField,
    StripeTextField,
)
from ..signals import WEBHOOK_SIGNALS
from ..utils import get_friendly_currency_amount
from .base import (
    StripeData,
    StripeObject,
    SyncBatch,
    mapping_for,
    owner_id,
    stripe_foreign_key,
)
from .charges import Charge
from .customers import Customer
from .statements import Link, insert_unless_present

__all__ = [
    "Dispute",
    "Event",
    "FileUpload",
    "Payout",
    "Product",
]


class Product(StripeObject):
    """Something sold: a good, or a service that plans put a price on.

    Stripe API reference: https://stripe.com/docs/api#products
    """

    stripe_object_names = ("product",)
    stripe_kept_while_used_by = ("plans",)
    stripe_api_path = "/v1/products"
    stripe_dashboard_path = "products"

    name = StripeCharField(
        max_length=5000,
        stripe_required=True,
        help_text="The product's name, meant to be displayable to the customer. Applicable to "
        "both `service` and `good` types.",
    )
    type = StripeEnumField(
        enum=enums.ProductType,
        stripe_required=True,
        help_text="The type of the product. The product is either of type `good`, which is "
        "eligible for use with Orders and SKUs, or `service`, which is eligible for use with "
        "Subscriptions and Plans.",
    )
    active = StripeNullBooleanField(
        help_text="Whether the product is currently available for purchase. Only applicable to "
        "products of `type=good`."
    )
    attributes = StripeJSONField(
        help_text="A list of up to 5 attributes that each SKU can provide values for (e.g., "
        '`["color", "size"]`). Only applicable to products of `type=good`.'
    )
    caption = StripeTextField(
        help_text="A short one-line description of the product, meant to be displayable to the "
        "customer. Only applicable to products of `type=good`."
    )
    deactivate_on = StripeJSONField(
        help_text="An array of connect application identifiers that cannot purchase this "
        "product. Only applicable to products of `type=good`."
    )
    images = StripeJSONField(
        help_text="A list of up to 8 URLs of images for this product, meant to be displayable "
        "to the customer. Only applicable to products of `type=good`."
    )
    package_dimensions = StripeJSONField(
        help_text="The dimensions of this product for shipping purposes. A SKU associated with "
        "this product can override this value by having its own `package_dimensions`. Only "
        "applicable to products of `type=good`."
    )
    shippable = StripeNullBooleanField(
        help_text="Whether this product is a shipped good. Only applicable to products of "
        "`type=good`."
    )
    url = StripeCharField(
        max_length=799,
        help_text="A URL of a publicly-accessible webpage for this product. Only applicable to "
        "products of `type=good`.",
    )
    statement_descriptor = StripeCharField(
        max_length=22,
        help_text="Extra information about a product which will appear on your customer's "
        "credit card statement. In the case that multiple products are billed at once, the "
        "first statement descriptor will be used. Only available on products of "
        "type=`service`.",
    )
    unit_label = StripeCharField(
        max_length=12,
        help_text="A label that represents units of this product, such as seat(s), in Stripe "
        "and on customers' receipts and invoices. Only available on products of "
        "type=`service`.",
    )

    def str_parts(self) -> list[str]:
        return [f"name={self.name}", *super().str_parts()]


class Dispute(StripeObject):
    """A cardholder's challenge of a charge with their card issuer.

    Stripe API reference: https://stripe.com/docs/api#disputes

    Fields not mirrored: ``object``, ``balance_transactions``, and ``charge``:
    the link is kept on the charge (``Charge.dispute``).
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("dispute",)
    stripe_api_path = "/v1/disputes"
    stripe_dashboard_path = "disputes"

    amount = StripeIntegerField(
        stripe_required=True,
        help_text="Disputed amount. Usually the amount of the charge, but can differ (usually "
        "because of currency fluctuation or because only part of the order is disputed).",
    )
    currency = StripeCharField(
        max_length=3, stripe_required=True, help_text="Three-letter ISO currency code."
    )
    evidence = StripeJSONField(help_text="Evidence provided to respond to a dispute.")
    evidence_details = StripeJSONField(help_text="Information about the evidence submission.")
    is_charge_refundable = StripeBooleanField(
        help_text="If true, it is still possible to refund the disputed payment. Once the "
        "payment has been fully refunded, no further funds will be withdrawn from your Stripe "
        "account as a result of this dispute."
    )
    reason = StripeEnumField(enum=enums.DisputeReason, stripe_required=True)
    status = StripeEnumField(enum=enums.DisputeStatus, stripe_required=True)

    @classmethod
    def related_rows_hook(cls, batch: SyncBatch, data: StripeData) -> None:
        # A dispute names its charge, but only the charge's own data links back
        # (charge.dispute): the charge must be mirrored for the link to exist.
        charge = data.get("charge")
        if isinstance(charge, dict):
            batch.add(Charge, charge, parent=data)
        elif charge:
            batch.require(Charge, charge, data)

    def str_parts(self) -> list[str]:
        amount = None
        if self.amount is not None and self.currency:
            amount = convert_from_stripe_amount(self.amount, self.currency)
        return [
            f"amount={get_friendly_currency_amount(amount, self.currency)}",
            f"status={self.status}",
            *super().str_parts(),
        ]


class Event(StripeObject):
    """Something that happened in the Stripe account, as webhooks report it.

    Stripe API reference: https://stripe.com/docs/api#events

    Events are rendered in the API version of the account (``api_version``)
    when they happen, which may not be the version djstripe understands. So
    an event's ``data`` is kept as received and trusted only once the event
    is checked (retrieved from Stripe or its signature verified), and the
    objects it concerns are retrieved again at djstripe's pinned version
    before being mirrored.

    Fields not mirrored: ``object``; ``pending_webhooks`` (see the Stripe
    dashboard). ``request`` is kept as ``request_id`` and ``idempotency_key``.
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("event",)
    stripe_api_path = "/v1/events"
    stripe_dashboard_path = "events"

    api_version = StripeCharField(
        max_length=64,
        help_text="the API version at which the event data was rendered. Blank for old entries "
        "only, all new entries will have this value",
    )
    data = StripeJSONField(
        help_text="data received at webhook. data should be considered to be garbage until "
        "validity check is run and valid flag is set"
    )
    request_id = StripeCharField(
        max_length=50,
        default="",
        help_text="Information about the request that triggered this event, for traceability "
        "purposes. If empty string then this is an old entry without that data. If Null then "
        "this is not an old entry, but a Stripe 'automated' event with no associated request.",
    )
    idempotency_key = StripeTextField()
    type = StripeCharField(
        max_length=250, stripe_required=True, help_text="Stripe's event description code"
    )

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        # Recent API versions send ``request`` as {id, idempotency_key}; older ones, the bare id.
        if "request" not in data:
            return data
        request = data["request"]
        if not isinstance(request, dict):
            return {**data, "request_id": request}
        return {
            **data,
            "request_id": request.get("id"),
            "idempotency_key": request.get("idempotency_key"),
        }

    @property
    def parts(self) -> list[str]:
        """Gets the event category/verb as a list of parts."""
        return str(self.type or "").split(".")

    @property
    def category(self) -> str:
        """Gets the event category string (e.g. 'customer')."""
        return self.parts[0]

    @property
    def verb(self) -> str:
        """Gets the event past-tense verb string (e.g. 'updated'): the type's last part."""
        return self.parts[-1]

    @property
    def customer(self) -> Customer | None:
        """The mirrored Customer this event concerns (None when there is none or it is unknown)."""
        customer_id = owner_id((self.data or {}).get("object"), "customer")
        if not customer_id:
            return None
        return Customer.objects.filter(stripe_id=customer_id).first()

    def str_parts(self) -> list[str]:
        return [f"type={self.type}", *super().str_parts()]

    @classmethod
    def process(cls, data: StripeData) -> Event:
        """Record a (validated) Stripe event and run its handlers, exactly once.

        The Event row and everything its handlers write are committed
        together: if a handler fails, nothing stays and a later delivery
        processes the event again. A delivery of an event already processed
        does nothing. Two workers with the same event at once: the second
        waits for the first, then finds the event done.
        """
        return cls.process_delivery(data)

    @classmethod
    def process_delivery(cls, data: StripeData, trigger: Link | None = None) -> Event:
        """:meth:`process` for a webhook delivery: when the event is new, the statement that
        inserts it also points the ``trigger`` row at it and saves the trigger's fields."""
        with transaction.atomic(savepoint=False):
            data = cls.prepare_stripe_data_hook(data, None)
            event = mapping_for(cls).unsaved_row(data)
            if not insert_unless_present(event, "stripe_id", link=trigger):
                return cls.objects.get(stripe_id=event.stripe_id)
            event.invoke_webhook_handlers()
        return event

    def invoke_webhook_handlers(self) -> None:
        """Run the handlers registered for this event's type, then send its signal."""
        webhooks.call_handlers(self)
        signal = WEBHOOK_SIGNALS.get(self.type)
        if signal is not None:
            signal.send(sender=type(self), event=self)


class FileUpload(StripeObject):
    """A file uploaded to Stripe: a business logo, dispute evidence, an identity document...

    Stripe API reference: https://stripe.com/docs/api#file_uploads

    Fields not mirrored: ``object``. Stripe API version: fields audited to
    2018-05-21.
    """

    stripe_object_names = ("file_upload", "file")
    stripe_api_path = "/v1/files"
    stripe_dashboard_path = None  # files have no page of their own

    filename = StripeCharField(
        help_text="A filename for the file, suitable for saving to a filesystem."
    )
    purpose = StripeEnumField(
        enum=enums.FilePurpose,
        stripe_required=True,
        help_text="The purpose of the uploaded file.",
    )
    size = StripeIntegerField(
        stripe_required=True, help_text="The size in bytes of the file upload object."
    )
    type = StripeEnumField(enum=enums.FileType, help_text="The type of the file returned.")
    url = StripeCharField(
        max_length=200, help_text="A read-only URL where the uploaded file can be accessed."
    )

    def str_parts(self) -> list[str]:
        return [f"filename={self.filename}", f"size={self.size}", *super().str_parts()]


class Payout(StripeObject):
    """Money sent from the Stripe balance to a bank account or a debit card.

    Stripe API reference: https://stripe.com/docs/api#payouts

    Fields not mirrored: ``object``, ``automatic``, ``balance_transaction``,
    ``failure_balance_transaction`` and ``source_type``.
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("payout",)
    stripe_api_path = "/v1/payouts"
    stripe_dashboard_path = "payouts"

    amount = StripeCurrencyField(
        stripe_required=True,
        help_text="Amount to be transferred to your bank account or debit card.",
    )
    arrival_date = StripeDateTimeField(
        stripe_required=True,
        help_text="Date the payout is expected to arrive in the bank. This factors in delays "
        "like weekends or bank holidays.",
    )
    currency = StripeCharField(
        max_length=3, stripe_required=True, help_text="Three-letter ISO currency code."
    )
    destination = stripe_foreign_key(
        "djstripe.BankAccount",
        "payouts",
        help_text="ID of the bank account or card the payout was sent to.",
    )
    failure_code = StripeEnumField(
        enum=enums.PayoutFailureCode,
        help_text="Error code explaining reason for transfer failure if available. See "
        "https://stripe.com/docs/api/python#transfer_failures.",
    )
    failure_message = StripeTextField(
        help_text="Message to user further explaining reason for payout failure if available."
    )
    method = StripeEnumField(
        enum=enums.PayoutMethod,
        stripe_required=True,
        help_text="The method used to send this payout. `instant` is only supported for payouts "
        "to debit cards.",
    )
    statement_descriptor = StripeCharField(
        help_text="Extra information about a payout to be displayed on the user's bank statement."
    )
    status = StripeEnumField(
        enum=enums.PayoutStatus,
        stripe_required=True,
        help_text="Current status of the payout. A payout will be `pending` until it is "
        "submitted to the bank, at which point it becomes `in_transit`. I t will then change to "
        "paid if the transaction goes through. If it does not go through successfully, its "
        "status will change to `failed` or `canceled`.",
    )
    type = StripeEnumField(enum=enums.PayoutType, stripe_required=True)

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        # A payout to a debit card names a card, which the bank account relation cannot hold.
        if data.get("type") == enums.PayoutType.card:
            return {**data, "destination": None}
        return data

    def str_parts(self) -> list[str]:
        return [
            f"amount={get_friendly_currency_amount(self.amount, self.currency)}",
            f"status={self.status}",
            *super().str_parts(),
        ]
