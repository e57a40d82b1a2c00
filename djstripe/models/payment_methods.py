"""Payment methods: the generic PaymentMethod pointer, bank accounts, cards and sources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import stripe
from django.apps import apps
from django.db import models

from .. import enums, stripe_api
from .. import settings as djstripe_settings
from ..fields import (
    StripeCharField,
    StripeCurrencyField,
    StripeEnumField,
    StripeIntegerField,
    StripeJSONField,
    StripeNullBooleanField,
    StripeTextField,
)
from .base import (
    StripeData,
    StripeObject,
    api_key_of,
    model_for_stripe_object,
    object_id,
    owner_id,
    stripe_foreign_key,
    without_none,
)

__all__ = ["BankAccount", "Card", "PaymentMethod", "Source"]


class PaymentMethod(models.Model):
    """One row per payment source id, saying which kind of object it is.

    ``PaymentMethodForeignKey`` points here, so a customer's default source or
    a charge's source can be a card, a bank account or a source alike;
    :meth:`resolve` returns the concrete object.
    """

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=12, choices=enums.PaymentMethodType.choices, db_index=True)

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"

    @property
    def object_model(self) -> type[StripeObject]:
        """The model that mirrors this kind of payment source."""
        return model_for_stripe_object(self.type)

    def resolve(self) -> StripeObject | None:
        """The concrete Card, BankAccount or Source (None if it is not mirrored any more)."""
        return self.object_model.objects.filter(stripe_id=self.id).first()

    @classmethod
    def stripe_retrieve(
        cls, stripe_id: str, api_key: str, parent: StripeData | None
    ) -> StripeData:
        """Retrieve a payment source by id, at the path of its kind (told by the id's prefix).

        Sources live at the top level; cards under their customer; bank
        accounts under their customer or their account (see BankAccount).
        """
        if stripe_id.startswith("src_"):
            model = Source
        elif stripe_id.startswith("ba_"):
            model = BankAccount
        else:
            model = Card
        return stripe_api.retrieve(model.stripe_object_path(stripe_id, parent), api_key=api_key)


def owning_customer_id(data: StripeData | None) -> str:
    """The customer id that a nested payment source is found under."""
    customer = owner_id(data, "customer")
    if not customer:
        raise ValueError(f"cannot tell which customer owns a source of {(data or {}).get('id')!r}")
    return customer


class PaymentSource(StripeObject):
    """What cards, bank accounts and sources share: a PaymentMethod row each."""

    class Meta:
        abstract = True

    @classmethod
    def related_rows_hook(cls, batch: Any, data: StripeData) -> None:
        batch.add_row(PaymentMethod(id=data["id"], type=cls.stripe_object_name))

    @classmethod
    def stripe_objects_deleted(cls, stripe_ids: set[str]) -> None:
        """Delete the rows; a deleted source is no customer's default any more.

        The PaymentMethod rows stay, so charges keep saying what paid them.
        """
        cls.clear_as_default(stripe_ids)
        super().stripe_objects_deleted(stripe_ids)

    @staticmethod
    def clear_as_default(stripe_ids: set[str]) -> None:
        """Make these sources no customer's default (Stripe picks another and says so later)."""
        customers = apps.get_model("djstripe", "Customer").objects
        customers.filter(default_source__in=stripe_ids).update(default_source=None)

    @classmethod
    def list_owned(cls, path: str, api_key: str, **params: Any) -> Iterator[StripeData]:
        """This model's objects among those listed at ``path`` (a customer's sources mix kinds).

        The kind is picked here rather than with a filter parameter, which
        Stripe's description of this API version does not name.
        """
        for item in stripe_api.list_all(path, api_key=api_key, **params):
            if item.get("object") == cls.stripe_object_name:
                yield item


class CustomerSource(PaymentSource):
    """A payment source that Stripe keeps under its customer (cards, bank accounts)."""

    class Meta:
        abstract = True

    @classmethod
    def api_list(cls, api_key: str = "", **kwargs: Any) -> Iterator[StripeData]:
        """A customer's objects of this kind in Stripe (``customer=``: a Customer or an id).

        The key is ``api_key``, else that of the customer's mode, else
        STRIPE_SECRET_KEY; other ``kwargs`` are the list's parameters.
        """
        customer = kwargs.pop("customer", None)
        path = cls.stripe_list_path(customer=customer)
        api_key = api_key or api_key_of(customer)
        return cls.list_owned(path, api_key, **kwargs)

    @classmethod
    def stripe_list_path(cls, customer: Any = None, **kwargs: Any) -> str:
        customer_id = object_id(customer)
        if not customer_id:
            raise TypeError(f"{cls.__name__}.api_list() needs customer=")
        return f"/v1/customers/{customer_id}/sources"

    @classmethod
    def stripe_object_path(cls, stripe_id: str, data: StripeData | None = None) -> str:
        return f"/v1/customers/{owning_customer_id(data)}/sources/{stripe_id}"

    def stripe_parent_data(self) -> StripeData:
        return {"customer": self.customer_id}


class Card(CustomerSource):
    """A credit or debit card stored on a customer.

    Stripe API reference: https://stripe.com/docs/api#cards

    Fields not mirrored: ``object``, ``recipient`` (deprecated by Stripe),
    ``account``, ``currency`` and ``default_for_currency`` (cards of connected
    accounts). Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("card",)
    stripe_dashboard_path = None  # cards have no page of their own

    address_city = StripeTextField(max_length=5000, help_text="Billing address city.")
    address_country = StripeTextField(max_length=5000, help_text="Billing address country.")
    address_line1 = StripeTextField(max_length=5000, help_text="Billing address (Line 1).")
    address_line1_check = StripeEnumField(
        enum=enums.CardCheckResult,
        help_text="If `address_line1` was provided, results of the check.",
    )
    address_line2 = StripeTextField(max_length=5000, help_text="Billing address (Line 2).")
    address_state = StripeTextField(max_length=5000, help_text="Billing address state.")
    address_zip = StripeTextField(max_length=5000, help_text="Billing address zip code.")
    address_zip_check = StripeEnumField(
        enum=enums.CardCheckResult,
        help_text="If `address_zip` was provided, results of the check.",
    )
    brand = StripeEnumField(enum=enums.CardBrand, help_text="Card brand.")
    country = StripeCharField(
        max_length=2, help_text="Two-letter ISO code representing the country of the card."
    )
    cvc_check = StripeEnumField(
        enum=enums.CardCheckResult, help_text="If a CVC was provided, results of the check."
    )
    dynamic_last4 = StripeCharField(
        max_length=4,
        help_text="(For tokenized numbers only.) The last four digits of the device account "
        "number.",
    )
    exp_month = StripeIntegerField(help_text="Card expiration month.")
    exp_year = StripeIntegerField(help_text="Card expiration year.")
    fingerprint = StripeTextField(help_text="Uniquely identifies this particular card number.")
    funding = StripeEnumField(enum=enums.CardFundingType, help_text="Card funding type.")
    last4 = StripeCharField(max_length=4, help_text="Last four digits of Card number.")
    name = StripeTextField(max_length=5000, help_text="Cardholder name.")
    tokenization_method = StripeEnumField(
        enum=enums.CardTokenizationMethod,
        help_text="If the card number is tokenized, this is the method that was used.",
    )
    customer = stripe_foreign_key("djstripe.Customer", "legacy_cards")

    def remove(self) -> None:
        """Remove the card from its customer in Stripe, then from the mirror.

        A card that Stripe no longer has (404) is only removed from the mirror.
        A removed card is no longer its customer's default source here; Stripe
        picks the next default and says so with ``customer.updated``.
        """
        try:
            data = stripe_api.delete(
                self.stripe_object_path(self.stripe_id, self.stripe_parent_data()),
                api_key=self.default_api_key,
            )
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise
            data = {"id": self.stripe_id, "object": self.stripe_object_name, "deleted": True}
        type(self).sync_from_stripe_data(data)

    @classmethod
    def create_token(
        cls, number: str, exp_month: int, exp_year: int, cvc: str, api_key: str = "", **kwargs: Any
    ) -> StripeData:
        """Create a single-use token for a card, to charge it or attach it to a customer once.

        Stripe API reference: https://stripe.com/docs/api#create_card_token

        ``kwargs`` are more of the card's details (``name``, ``address_zip``...);
        a ``cvc`` of None is not sent (Stripe then checks no security code).
        Returns Stripe's token object, as a dict; nothing is mirrored.
        """
        card = {"number": number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc}
        return stripe_api.create(
            "/v1/tokens",
            api_key=api_key or djstripe_settings.STRIPE_SECRET_KEY,
            card=without_none({**card, **kwargs}),
        )

    def str_parts(self) -> list[str]:
        return [f"brand={self.brand}", f"last4={self.last4}", *super().str_parts()]


class BankAccount(PaymentSource):
    """A bank account: a customer's payment source, or where an account's payouts go.

    Stripe API reference: https://stripe.com/docs/api#customer_bank_account_object

    Fields not mirrored: ``object``. Stripe API version: fields audited to
    2018-05-21.
    """

    stripe_object_names = ("bank_account",)
    stripe_dashboard_path = None  # bank accounts have no page of their own

    account = stripe_foreign_key(
        "djstripe.Account",
        "bank_accounts",
        help_text="The account the charge was made on behalf of. Null here indicates that this "
        "value was never set.",
    )
    account_holder_name = StripeCharField(
        max_length=5000,
        help_text="The name of the person or business that owns the bank account.",
    )
    account_holder_type = StripeEnumField(
        enum=enums.BankAccountHolderType, help_text="The type of entity that holds the account."
    )
    bank_name = StripeCharField(
        max_length=255,
        help_text="Name of the bank associated with the routing number (e.g., `WELLS FARGO`).",
    )
    country = StripeCharField(
        max_length=2,
        stripe_required=True,
        help_text="Two-letter ISO code representing the country the bank account is located in.",
    )
    currency = StripeCharField(
        max_length=3, stripe_required=True, help_text="Three-letter ISO currency code"
    )
    customer = stripe_foreign_key("djstripe.Customer", "bank_accounts")
    default_for_currency = StripeNullBooleanField(
        help_text="Whether this external account is the default account for its currency."
    )
    fingerprint = StripeCharField(
        max_length=16,
        help_text="Uniquely identifies this particular bank account. You can use this attribute "
        "to check whether two bank accounts are the same.",
    )
    last4 = StripeCharField(max_length=4, stripe_required=True)
    routing_number = StripeCharField(
        max_length=255, help_text="The routing transit number for the bank account."
    )
    status = StripeEnumField(enum=enums.BankAccountStatus, stripe_required=True)

    @classmethod
    def stripe_object_path(cls, stripe_id: str, data: StripeData | None = None) -> str:
        """Where Stripe keeps the bank account, told by its owner in ``data``.

        ``data`` is the bank account's own data, or that of what points at it
        (its customer or account, a charge, a payout): a customer's bank
        account is one of its sources, a connected account's is one of its
        external accounts. With no owner in sight (the destination of the
        platform's own payouts, whose data names no account), the fallback is
        the platform account's own external accounts.
        """
        customer = owner_id(data, "customer")
        if customer:
            return f"/v1/customers/{customer}/sources/{stripe_id}"
        account = owner_id(data, "account")
        if account:
            return f"/v1/accounts/{account}/external_accounts/{stripe_id}"
        return f"/v1/account/external_accounts/{stripe_id}"

    @classmethod
    def api_list(cls, api_key: str = "", **kwargs: Any) -> Iterator[StripeData]:
        """Bank accounts in Stripe: a ``customer=``'s, an ``account=``'s, or the platform's own."""
        owners = {name: kwargs.pop(name, None) for name in ("customer", "account")}
        path = cls.stripe_list_path(**owners)
        api_key = api_key or api_key_of(owners["customer"])
        return cls.list_owned(path, api_key, **kwargs)

    @classmethod
    def stripe_list_path(cls, customer: Any = None, account: Any = None, **kwargs: Any) -> str:
        """A customer's sources, an account's external accounts, or the platform's own."""
        customer_id = object_id(customer)
        if customer_id:
            return f"/v1/customers/{customer_id}/sources"
        account_id = object_id(account)
        if account_id:
            return f"/v1/accounts/{account_id}/external_accounts"
        return "/v1/account/external_accounts"

    def stripe_parent_data(self) -> StripeData:
        return {"customer": self.customer_id, "account": self.account_id}

    def str_parts(self) -> list[str]:
        return [f"bank_name={self.bank_name}", f"last4={self.last4}", *super().str_parts()]


class Source(PaymentSource):
    """A payment instrument of any type (card, SEPA debit, iDEAL...) behind one interface.

    Stripe API reference: https://stripe.com/docs/api#sources

    Fields not mirrored: ``object``. The type-specific hash is kept in
    ``source_data``. Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("source",)
    stripe_api_path = "/v1/sources"
    stripe_dashboard_path = "sources"

    amount = StripeCurrencyField(
        help_text="Amount associated with the source. This is the amount for which the source "
        "will be chargeable once ready. Required for `single_use` sources."
    )
    client_secret = StripeCharField(
        max_length=255,
        stripe_required=True,
        help_text="The client secret of the source. Used for client-side retrieval using a "
        "publishable key.",
    )
    currency = StripeCharField(max_length=3, help_text="Three-letter ISO currency code")
    flow = StripeEnumField(
        enum=enums.SourceFlow,
        stripe_required=True,
        help_text="The authentication flow of the source.",
    )
    owner = StripeJSONField(
        help_text="Information about the owner of the payment instrument that may be used or "
        "required by particular source types."
    )
    statement_descriptor = StripeCharField(
        max_length=255,
        help_text="Extra information about a source. This will appear on your customer's "
        "statement every time you charge the source.",
    )
    status = StripeEnumField(
        enum=enums.SourceStatus,
        stripe_required=True,
        help_text="The status of the source. Only `chargeable` sources can be used to create a "
        "charge.",
    )
    type = StripeEnumField(
        enum=enums.SourceType, stripe_required=True, help_text="The type of the source."
    )
    usage = StripeEnumField(
        enum=enums.SourceUsage,
        help_text="Whether this source should be reusable or not. Some source types may or may "
        "not be reusable by construction, while other may leave the option at creation.",
    )
    code_verification = StripeJSONField(
        help_text="Information related to the code verification flow. Present if the source is "
        "authenticated by a verification code (`flow` is `code_verification`)."
    )
    receiver = StripeJSONField(
        help_text="Information related to the receiver flow. Present if the source is a "
        "receiver (`flow` is `receiver`)."
    )
    redirect = StripeJSONField(
        help_text="Information related to the redirect flow. Present if the source is "
        "authenticated by a redirect (`flow` is `redirect`)."
    )
    source_data = StripeJSONField(help_text="The data corresponding to the source type.")
    customer = stripe_foreign_key("djstripe.Customer", "sources")

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        # Stripe keeps the type-specific hash under a key named after the
        # source's type (``data["card"]`` for a card source, ``data["sepa_debit"]``...).
        return {**data, "source_data": data.get(data.get("type") or "")}

    def detach(self) -> Source:
        """Detach the source from its customer in Stripe; return it as mirrored afterwards.

        Stripe keeps the source, now consumed and no longer usable; in the
        mirror it belongs to no customer and is no customer's default. A
        source attached to no customer raises ValueError, with no request.
        """
        if not self.customer_id:
            raise ValueError(f"source {self.stripe_id} is not attached to a customer")
        data = stripe_api.delete(
            f"/v1/customers/{self.customer_id}/sources/{self.stripe_id}",
            api_key=self.default_api_key,
        )
        # The answer may still name the customer it was detached from.
        source = type(self).sync_from_stripe_data({**data, "customer": None})
        self.clear_as_default({self.stripe_id})
        return source

    def str_parts(self) -> list[str]:
        return [f"type={self.type}", *super().str_parts()]
