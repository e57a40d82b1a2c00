"""Customers: who is charged repeatedly, and what djstripe does for them in Stripe."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import stripe
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .. import enums, stripe_api
from .. import settings as djstripe_settings
from ..currencies import convert_from_stripe_amount
from ..exceptions import MultipleSubscriptionException
from ..fields import (
    PaymentMethodForeignKey,
    StripeBooleanField,
    StripeCharField,
    StripeDateTimeField,
    StripeIntegerField,
    StripeJSONField,
    StripeTextField,
)
from .base import (
    IdempotencyKey,
    StripeData,
    StripeObject,
    epoch_seconds,
    model_for_stripe_object,
    object_id,
    stripe_foreign_key,
    without_none,
)
from .billing import Subscription
from .charges import Charge, stripe_amount
from .invoices import Invoice, InvoiceItem, UpcomingInvoice
from .payment_methods import BankAccount, Card, Source

logger = logging.getLogger(__name__)

__all__ = ["Customer"]

# The metadata key that names a customer's subscriber (its primary key).
SUBSCRIBER_METADATA_KEY = "djstripe_subscriber"


class Customer(StripeObject):
    """Someone you charge repeatedly: cards, subscriptions and invoices hang off it.

    Stripe API reference: https://stripe.com/docs/api#customers

    Fields not mirrored: ``object`` (the model says it), ``discount`` (its
    coupon and dates are kept in ``coupon``, ``coupon_start``, ``coupon_end``).
    Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("customer",)
    stripe_api_path = "/v1/customers"
    stripe_dashboard_path = "customers"
    stripe_relation_paths = {"coupon": "discount.coupon"}
    stripe_expand = ("data.default_source",)

    account_balance = StripeIntegerField(
        help_text="Current balance, if any, being stored on the customer's account. If "
        "negative, the customer has credit to apply to the next invoice. If positive, the "
        "customer has an amount owed that will be added to thenext invoice. The balance does "
        "not refer to any unpaid invoices; it solely takes into account amounts that have yet "
        "to be successfullyapplied to any invoice. This balance is only taken into account for "
        "recurring billing purposes (i.e., subscriptions, invoices, invoice items)."
    )
    business_vat_id = StripeCharField(
        max_length=20, help_text="The customer's VAT identification number."
    )
    currency = StripeCharField(
        max_length=3,
        help_text="The currency the customer can be charged in for recurring billing purposes "
        "(subscriptions, invoices, invoice items).",
    )
    default_source = PaymentMethodForeignKey()
    delinquent = StripeBooleanField(
        help_text="Whether or not the latest charge for the customer's latest invoice has failed."
    )
    coupon = stripe_foreign_key("djstripe.Coupon", "customers")
    coupon_start = StripeDateTimeField(
        stripe_name="discount.start",
        editable=False,
        help_text="If a coupon is present, the date at which it was applied.",
    )
    coupon_end = StripeDateTimeField(
        stripe_name="discount.end",
        editable=False,
        help_text="If a coupon is present and has a limited duration, the date that the "
        "discount will end.",
    )
    email = StripeTextField(max_length=5000)
    shipping = StripeJSONField(help_text="Shipping information associated with the customer.")
    subscriber = models.ForeignKey(
        djstripe_settings.get_subscriber_model_name(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="djstripe_customers",
    )
    date_purged = models.DateTimeField(null=True, editable=False)

    class Meta:
        unique_together = ("subscriber", "livemode")

    def str_parts(self) -> list[str]:
        parts = [f"email={self.email}"] if self.email else []
        return [*parts, *super().str_parts()]

    @classmethod
    def stripe_objects_deleted(cls, stripe_ids: set[str]) -> None:
        cls._mark_purged(stripe_ids)

    @classmethod
    def _mark_purged(cls, stripe_ids: Iterable[str]) -> None:
        """Mirror the deletion of these customers in Stripe.

        The rows stay, so their charges and invoices keep their customer; the
        subscriber link, the default source and the payment sources (payment
        data) go. So does the key that created the customer, which Stripe
        would otherwise answer with the deleted customer for a day.
        """
        stripe_ids = list(stripe_ids)
        customers = cls.objects.filter(stripe_id__in=stripe_ids, date_purged__isnull=True)
        with transaction.atomic():
            for subscriber_id, livemode in customers.exclude(subscriber=None).values_list(
                "subscriber_id", "livemode"
            ):
                action = f"customer:{_creation_action(subscriber_id)}"
                IdempotencyKey.objects.filter(action=action, livemode=bool(livemode)).delete()
            for model in (Card, BankAccount, Source):
                model.objects.filter(customer_id__in=stripe_ids).delete()
            customers.update(subscriber=None, default_source=None, date_purged=timezone.now())

    # -- Subscribers -----------------------------------------------------------

    @classmethod
    def get_or_create(cls, subscriber: Any, livemode: bool | None = None) -> tuple[Customer, bool]:
        """The subscriber's customer in this mode, created in Stripe when there is none.

        ``livemode`` defaults to STRIPE_LIVE_MODE. Returns ``(customer,
        created)``; a purged customer does not count. The
        creation sends the idempotency key DJSTRIPE_IDEMPOTENCY_KEY_CALLBACK
        gives for ``("customer", "create:<subscriber pk>", livemode)``, so two
        concurrent calls for one subscriber make one Stripe customer: Stripe
        answers the second request with the first one's response.
        """
        if livemode is None:
            livemode = djstripe_settings.STRIPE_LIVE_MODE
        customer = cls.of_subscriber(subscriber, livemode)
        if customer is not None:
            return customer, False
        make_key = djstripe_settings.get_callback_function("DJSTRIPE_IDEMPOTENCY_KEY_CALLBACK")
        key = make_key("customer", _creation_action(subscriber.pk), livemode)
        try:
            return cls.create(subscriber, idempotency_key=key, livemode=livemode), True
        except IntegrityError:
            # Another process linked another Stripe customer first (its key differed).
            logger.warning("Subscriber %s got two Stripe customers; keeping one", subscriber.pk)
            return cls.of_subscriber(subscriber, livemode), False

    @classmethod
    def create(
        cls, subscriber: Any, idempotency_key: str | None = None, livemode: bool | None = None
    ) -> Customer:
        """Create a Stripe customer for ``subscriber`` (email, pk in metadata) and link it."""
        if livemode is None:
            livemode = djstripe_settings.STRIPE_LIVE_MODE
        data = stripe_api.create(
            cls.stripe_api_path,
            api_key=djstripe_settings.get_default_api_key(livemode),
            idempotency_key=idempotency_key,
            email=subscriber.email,
            metadata={SUBSCRIBER_METADATA_KEY: str(subscriber.pk)},
        )
        customer = cls.sync_from_stripe_data(data)
        with transaction.atomic():
            cls.objects.filter(pk=customer.pk).update(subscriber=subscriber)
        customer.subscriber = subscriber
        return customer

    @classmethod
    def of_subscriber(cls, subscriber: Any, livemode: bool) -> Customer | None:
        """The subscriber's customer in that mode, if there is one (no Stripe request)."""
        customers = cls.objects.filter(subscriber=subscriber, livemode=livemode)
        return customers.filter(date_purged__isnull=True).first()

    def purge(self) -> None:
        """Delete the customer in Stripe, then here (see :meth:`_mark_purged`).

        A customer that Stripe no longer has (404) is purged here all the same.
        """
        try:
            stripe_api.delete(
                self.stripe_object_path(self.stripe_id), api_key=self.default_api_key
            )
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise
            logger.info("Customer %s is already gone from Stripe", self.stripe_id)
        type(self)._mark_purged([self.stripe_id])
        self.refresh_from_db()

    # -- Balance and payment sources -----------------------------------------

    @property
    def credits(self) -> Decimal:
        """The credit to apply to the next invoice (a negative account_balance), else 0.

        A positive Decimal in the customer's currency's major unit.
        """
        return self._balance_amount(-(self.account_balance or 0))

    @property
    def pending_charges(self) -> Decimal:
        """What will be added to the next invoice (a positive account_balance), else 0."""
        return self._balance_amount(self.account_balance or 0)

    def _balance_amount(self, amount: int) -> Decimal:
        return convert_from_stripe_amount(max(amount, 0), self.currency or "usd")

    def has_valid_source(self) -> bool:
        """Whether the customer has a default payment source."""
        return self.default_source_id is not None

    def can_charge(self) -> bool:
        """Whether the customer can be charged: not purged, with a default source."""
        return self.date_purged is None and self.has_valid_source()

    def add_card(self, source: str | StripeData, set_default: bool = True) -> StripeObject:
        """Attach a payment source to the customer: a token, a source id or card details.

        Returns the mirrored Card (or Source, or BankAccount, as Stripe
        answers). With ``set_default``, one more request makes it the default
        source and the customer is mirrored again.
        """
        path = f"{self.stripe_object_path(self.stripe_id)}/sources"
        data = stripe_api.create(path, api_key=self.default_api_key, source=source)
        data.setdefault("livemode", self.livemode)  # a card does not say its mode: it is ours
        added = model_for_stripe_object(data["object"]).sync_from_stripe_data(data)
        if set_default:
            self._api_update(default_source=added.stripe_id)
        return added

    def add_coupon(self, coupon: Any, idempotency_key: str | None = None) -> Customer:
        """Apply ``coupon`` (a Coupon or a coupon id) to the customer; return it as mirrored."""
        return self._api_update(idempotency_key=idempotency_key, coupon=object_id(coupon))

    # -- Charges and invoices --------------------------------------------------

    def charge(
        self,
        amount: Decimal | int,
        currency: str | None = None,
        application_fee: Decimal | int | None = None,
        capture: bool | None = None,
        description: str | None = None,
        destination: Any = None,
        metadata: dict[str, str] | None = None,
        shipping: dict[str, Any] | None = None,
        source: Any = None,
        statement_descriptor: str | None = None,
    ) -> Charge:
        """Charge the customer ``amount``; return the mirrored Charge (one request).

        Amounts are Decimals (or ints) in the currency's major unit: TypeError
        for a float. ``currency`` defaults to the customer's, else ``usd``.
        ``source`` (a payment source or its id) defaults in Stripe to the
        customer's default source; ``destination`` is an Account or its id.
        The receipt goes to the customer's email (no ``receipt_email``).
        """
        currency = (currency or self.currency or "usd").lower()
        params = {
            "customer": self.stripe_id,
            "amount": stripe_amount(amount, currency),
            "currency": currency,
            "application_fee": _optional_amount(application_fee, currency),
            "capture": capture,
            "description": description,
            "destination": object_id(destination),
            "metadata": metadata,
            "shipping": shipping,
            "source": object_id(source),
            "statement_descriptor": statement_descriptor,
            **Charge.stripe_retrieve_params(),
        }
        return self._api_create(Charge, params)

    def add_invoice_item(
        self,
        amount: Decimal | int,
        currency: str,
        description: str | None = None,
        discountable: bool | None = None,
        invoice: Any = None,
        metadata: dict[str, str] | None = None,
        subscription: Any = None,
    ) -> InvoiceItem:
        """Add a charge (or, negative, a credit) to the customer's next invoice, or to ``invoice``.

        ``amount`` as for :meth:`charge`; ``invoice`` and ``subscription`` are
        objects or ids. Returns the mirrored InvoiceItem (one request).
        """
        currency = currency.lower()
        params = {
            "customer": self.stripe_id,
            "amount": stripe_amount(amount, currency),
            "currency": currency,
            "description": description,
            "discountable": discountable,
            "invoice": object_id(invoice),
            "metadata": metadata,
            "subscription": object_id(subscription),
        }
        return self._api_create(InvoiceItem, params)

    def send_invoice(self) -> bool:
        """Invoice what the customer owes now, then collect payment at once.

        True when an invoice was created and paid; False when there was
        nothing to invoice. A declined payment raises stripe's CardError, and
        the invoice stays, unpaid, in Stripe and here. Requests: the invoice,
        its payment, and the retrieve of its new charge.
        """
        try:
            data = stripe_api.create(
                Invoice.stripe_api_path, api_key=self.default_api_key, customer=self.stripe_id
            )
        except stripe.InvalidRequestError as exc:
            if _nothing_to_invoice(exc):
                return False
            raise
        return Invoice.sync_from_stripe_data(data).retry()

    def retry_unpaid_invoices(self) -> None:
        """Try again to collect each mirrored invoice of the customer that is unpaid and open."""
        for invoice in self.invoices.filter(paid=False, closed=False, forgiven=False):
            invoice.retry()

    def upcoming_invoice(self, **kwargs: Any) -> UpcomingInvoice | None:
        """A preview of the customer's next invoice: :meth:`Invoice.upcoming` for this customer."""
        return Invoice.upcoming(api_key=self.default_api_key, customer=self, **kwargs)

    def _api_create(self, model: type[StripeObject], params: dict[str, Any]) -> Any:
        data = stripe_api.create(
            model.stripe_api_path, api_key=self.default_api_key, **without_none(params)
        )
        return model.sync_from_stripe_data(data)

    # -- Subscriptions ---------------------------------------------------------

    def subscribe(
        self,
        plan: Any,
        charge_immediately: bool = True,
        application_fee_percent: Decimal | None = None,
        coupon: Any = None,
        quantity: int | None = None,
        metadata: dict[str, str] | None = None,
        tax_percent: Decimal | None = None,
        trial_end: datetime.datetime | str | None = None,
    ) -> Subscription:
        """Subscribe the customer to ``plan`` (a Plan or a plan id); return the Subscription.

        ``coupon`` is a Coupon or its id; ``trial_end`` a datetime, or
        ``"now"`` to end the trial at once. The subscription is paid with the
        customer's default source (add one first; there is no ``source``).
        One request; with ``charge_immediately``, those of :meth:`send_invoice`
        follow (Stripe itself invoices a new subscription without a trial).
        """
        params = {
            "customer": self.stripe_id,
            "items": [without_none({"plan": object_id(plan), "quantity": quantity})],
            "application_fee_percent": application_fee_percent,
            "coupon": object_id(coupon),
            "metadata": metadata,
            "tax_percent": tax_percent,
            "trial_end": epoch_seconds(trial_end),
        }
        subscription = self._api_create(Subscription, params)
        if charge_immediately:
            self.send_invoice()
        return subscription

    @property
    def valid_subscriptions(self) -> models.QuerySet:
        """The subscriptions that are not canceled and have not ended."""
        not_ended = models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=timezone.now())
        return self.subscriptions.exclude(status=enums.SubscriptionStatus.canceled).filter(
            not_ended
        )

    @property
    def active_subscriptions(self) -> models.QuerySet:
        """The subscriptions that are active (or trialing) with a period ending in the future."""
        return self.subscriptions.filter(
            status__in=(enums.SubscriptionStatus.active, enums.SubscriptionStatus.trialing),
            current_period_end__gt=timezone.now(),
        )

    @property
    def subscription(self) -> Subscription | None:
        """The customer's valid subscription: None without one.

        Raises MultipleSubscriptionException when there are several: use
        ``subscriptions`` (or ``valid_subscriptions``) then.
        """
        subscriptions = list(self.valid_subscriptions[:2])
        if len(subscriptions) > 1:
            raise MultipleSubscriptionException(
                f"Customer {self.stripe_id} has several valid subscriptions: use "
                "Customer.subscriptions."
            )
        return subscriptions[0] if subscriptions else None

    def has_active_subscription(self, plan: Any = None) -> bool:
        """Whether the customer has an active subscription to ``plan`` (a Plan or a plan id).

        With no plan, whether its one valid subscription is active: TypeError
        when it has several valid subscriptions.
        """
        if plan is not None:
            return self.active_subscriptions.filter(plan_id=object_id(plan)).exists()
        if self.valid_subscriptions.count() > 1:
            raise TypeError(
                "plan cannot be None when the customer has more than one valid subscription."
            )
        return self.active_subscriptions.exists()

    def has_any_active_subscription(self) -> bool:
        """Whether the customer has an active subscription, to any plan."""
        return self.active_subscriptions.exists()


def _creation_action(subscriber_pk: Any) -> str:
    """The idempotency action of creating a subscriber's customer (one per subscriber)."""
    return f"create:{subscriber_pk}"


def _optional_amount(amount: Decimal | int | None, currency: str) -> int | None:
    return None if amount is None else stripe_amount(amount, currency)


def _nothing_to_invoice(exc: stripe.InvalidRequestError) -> bool:
    # Stripe refuses to create an invoice without pending invoice items (400).
    return (
        exc.code == "invoice_no_customer_line_items"
        or "nothing to invoice" in str(exc.user_message or "").lower()
    )
