"""Connect: accounts and transfers."""

from __future__ import annotations

from typing import ClassVar

from .. import enums, stripe_api
from .. import settings as djstripe_settings
from ..fields import (
    StripeBooleanField,
    StripeCharField,
    StripeCurrencyField,
    StripeDateTimeField,
    StripeEnumField,
    StripeIdField,
    StripeJSONField,
    StripeNullBooleanField,
    StripeTextField,
)
from ..utils import get_friendly_currency_amount
from .base import (
    STATEMENT_DESCRIPTOR_HELP,
    StripeData,
    StripeObject,
    stripe_foreign_key,
)

__all__ = ["Account", "Transfer"]


class Account(StripeObject):
    """A Stripe account: your own, or one connected to your platform.

    Stripe API reference: https://stripe.com/docs/api#account

    Fields not mirrored: ``object``; ``external_accounts`` (each bank account
    is a :class:`BankAccount` row). Stripe sends no ``livemode`` for accounts:
    it is the mode of the key that read the account. Stripe API version:
    fields audited to 2018-05-21.
    """

    stripe_object_names = ("account",)
    stripe_api_path = "/v1/accounts"
    stripe_dashboard_path = "connect/accounts"

    business_logo = stripe_foreign_key("djstripe.FileUpload", "accounts")
    business_name = StripeCharField(help_text="The publicly visible name of the business")
    business_primary_color = StripeCharField(
        max_length=7,
        help_text="A CSS hex color value representing the primary branding color for this account",
    )
    business_url = StripeCharField(help_text="The publicly visible website of the business")
    charges_enabled = StripeBooleanField(help_text="Whether the account can create live charges")
    country = StripeCharField(
        max_length=2, stripe_required=True, help_text="The country of the account"
    )
    debit_negative_balances = StripeNullBooleanField(
        help_text="A Boolean indicating if Stripe should try to reclaim negative balances from an "
        "attached bank account."
    )
    decline_charge_on = StripeJSONField(
        help_text="Account-level settings to automatically decline certain types of charges "
        "regardless of the decision of the card issuer"
    )
    default_currency = StripeCharField(
        max_length=3,
        stripe_required=True,
        help_text="The currency this account has chosen to use as the default",
    )
    details_submitted = StripeBooleanField(
        help_text="Whether account details have been submitted. Standard accounts cannot receive "
        "payouts before this is true."
    )
    display_name = StripeCharField(
        help_text="The display name for this account. This is used on the Stripe Dashboard to "
        "differentiate between accounts."
    )
    email = StripeCharField(help_text="The primary user's email address.")
    legal_entity = StripeJSONField(
        help_text="Information about the legal entity itself, including about the associated "
        "account representative"
    )
    payout_schedule = StripeJSONField(
        help_text="Details on when funds from charges are available, and when they are paid out "
        "to an external account."
    )
    payout_statement_descriptor = StripeCharField(
        help_text="The text that appears on the bank account statement for payouts."
    )
    payouts_enabled = StripeBooleanField(
        help_text="Whether Stripe can send payouts to this account"
    )
    product_description = StripeCharField(
        help_text="Internal-only description of the product sold or service provided by the "
        "business. It's used by Stripe for risk and underwriting purposes."
    )
    statement_descriptor = StripeCharField(
        help_text="The default text that appears on credit card statements when a charge is made "
        "directly on the account"
    )
    support_email = StripeCharField(
        help_text="A publicly shareable support email address for the business"
    )
    support_phone = StripeCharField(
        help_text="A publicly shareable support phone number for the business"
    )
    support_url = StripeCharField(
        help_text="A publicly shareable URL that provides support for this account"
    )
    timezone = StripeCharField(
        help_text="The timezone used in the Stripe Dashboard for this account."
    )
    type = StripeEnumField(
        enum=enums.AccountType, stripe_required=True, help_text="The Stripe account type."
    )
    tos_acceptance = StripeJSONField(
        help_text="Details on the acceptance of the Stripe Services Agreement"
    )
    verification = StripeJSONField(
        help_text="Information on the verification state of the account, including what "
        "information is needed and by when"
    )

    # The account that each secret key belongs to, learnt once per process.
    _account_ids_by_key: ClassVar[dict[str, str]] = {}

    @classmethod
    def get_default_account(cls) -> Account:
        """The account that STRIPE_SECRET_KEY belongs to, mirrored.

        It is retrieved the first time a process asks for a key; later calls
        read the mirror, with no request (again after its row was deleted).
        """
        api_key = djstripe_settings.STRIPE_SECRET_KEY
        stripe_id = cls._account_ids_by_key.get(api_key)
        account = cls.objects.filter(stripe_id=stripe_id).first() if stripe_id else None
        if account is None:
            account = cls._retrieve_own_account(api_key)
            cls._account_ids_by_key[api_key] = account.stripe_id
        return account

    @classmethod
    def get_connected_account_from_token(cls, access_token: str) -> Account:
        """The connected account that an OAuth access token opens, read with it and mirrored."""
        return cls._retrieve_own_account(access_token)

    @classmethod
    def _retrieve_own_account(cls, api_key: str) -> Account:
        data: StripeData = stripe_api.retrieve("/v1/account", api_key=api_key)
        # The account's own objects (its logo file, say) are read with its key,
        # and the key's mode is the account's, which Stripe does not send.
        return cls._sync_read_with(data, api_key)

    def str_parts(self) -> list[str]:
        name = self.display_name or self.business_name
        return [*([f"name={name}"] if name else []), *super().str_parts()]


class Transfer(StripeObject):
    """Money moved from the Stripe balance to a connected account.

    Stripe API reference: https://stripe.com/docs/api#transfers

    Fields not mirrored: ``object``; ``balance_transaction`` and
    ``reversals`` (use the Stripe dashboard).
    Before 2017-04-06 a transfer could also pay out to a bank account or a
    card: ``date``, ``destination_type``, ``failure_code``,
    ``failure_message``, ``statement_descriptor``, ``status``, ``fee`` and
    ``fee_details`` are kept for those older transfers and stay null for
    newer ones. Stripe API version: fields audited to 2018-05-21.
    """

    stripe_object_names = ("transfer",)
    stripe_api_path = "/v1/transfers"
    stripe_dashboard_path = "connect/transfers"

    amount = StripeCurrencyField(stripe_required=True, help_text="The amount transferred")
    amount_reversed = StripeCurrencyField(
        help_text="The amount reversed (can be less than the amount attribute on the transfer if "
        "a partial reversal was issued)."
    )
    currency = StripeCharField(
        max_length=3, stripe_required=True, help_text="Three-letter ISO currency code."
    )
    destination = StripeIdField(
        help_text="ID of the bank account, card, or Stripe account the transfer was sent to."
    )
    destination_payment = StripeIdField(
        help_text="If the destination is a Stripe account, this will be the ID of the payment "
        "that the destination account received for the transfer."
    )
    reversed = StripeBooleanField(
        help_text="Whether or not the transfer has been fully reversed. If the transfer is only "
        "partially reversed, this attribute will still be false."
    )
    source_transaction = StripeIdField(
        help_text="ID of the charge (or other transaction) that was used to fund the transfer. If "
        "null, the transfer was funded from the available balance."
    )
    source_type = StripeEnumField(
        enum=enums.TransferSourceType,
        help_text="The source balance from which this transfer came.",
    )
    transfer_group = StripeCharField(
        help_text="A string that identifies this transaction as part of a group."
    )
    date = StripeDateTimeField(
        help_text="Date the transfer is scheduled to arrive in the bank. This doesn't factor in "
        "delays like weekends or bank holidays."
    )
    destination_type = StripeCharField(help_text="The type of the transfer destination.")
    failure_code = StripeEnumField(
        enum=enums.TransferFailureCode,
        help_text="Error code explaining reason for transfer failure if available. See "
        "https://stripe.com/docs/api/python#transfer_failures.",
    )
    failure_message = StripeTextField(
        help_text="Message to user further explaining reason for transfer failure if available."
    )
    statement_descriptor = StripeCharField(max_length=22, help_text=STATEMENT_DESCRIPTOR_HELP)
    status = StripeEnumField(
        enum=enums.TransferStatus,
        help_text="The current status of the transfer. A transfer will be pending until it is "
        "submitted to the bank, at which point it becomes in_transit. It will then change to "
        "paid if the transaction goes through. If it does not go through successfully, its "
        "status will change to failed or canceled.",
    )
    fee = StripeCurrencyField()
    fee_details = StripeJSONField()

    def str_parts(self) -> list[str]:
        amount = get_friendly_currency_amount(self.amount, self.currency)
        return [f"amount={amount}", f"destination={self.destination}", *super().str_parts()]
