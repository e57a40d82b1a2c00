"""Account and Transfer, synced from their fixtures."""

from decimal import Decimal

import pytest

from djstripe.models import Account, BankAccount, Charge, FileUpload, Transfer
from tests.fake_stripe import load_fixture
from tests.times import utc

pytestmark = pytest.mark.django_db

ACCOUNT_ID = "acct_1CPJF9F5yC65fO41"
LIVE_ACCOUNT_ID = "acct_1CWq3LHd7yZr4TfN"
FILE_ID = "file_1CPfJZF5yC65fO41ezrDzTFg"
BANK_ACCOUNT_ID = "ba_1CPfJYF5yC65fO41USSubWJ1"
TRANSFER_ID = "tr_1CPfJYF5yC65fO411q49ZuVS"


# -- Account --------------------------------------------------------------------------------


def test_account_fields(fake_stripe):
    fake_stripe.store(load_fixture("file_upload"))

    account = Account.sync_from_stripe_data(load_fixture("account"))

    assert account.stripe_id == ACCOUNT_ID
    assert account.livemode is False  # Stripe does not say: the test key read it
    assert account.created == utc(2018, 5, 7, 23, 58, 20)
    assert account.business_name == "Example Shop"
    assert account.business_url == "https://shop.example.com"
    assert account.business_primary_color is None
    assert account.charges_enabled is True
    assert account.payouts_enabled is True
    assert account.details_submitted is True
    assert account.debit_negative_balances is True
    assert account.country == "US"
    assert account.default_currency == "usd"
    assert account.display_name == "Example Shop"
    assert account.email == "owner@shop.example.com"
    assert account.decline_charge_on == {"avs_failure": True, "cvc_failure": False}
    assert account.legal_entity["business_name"] == "Example Shop LLC"
    assert account.payout_schedule == {"delay_days": 2, "interval": "daily"}
    assert account.payout_statement_descriptor is None
    assert account.product_description == "Monthly software subscriptions"
    assert account.statement_descriptor == "EXAMPLE SHOP"
    assert account.support_email == "support@shop.example.com"
    assert account.support_phone == "+14155550100"
    assert account.support_url is None
    assert account.timezone == "America/Los_Angeles"
    assert account.type == "standard"
    assert account.tos_acceptance["ip"] == "203.0.113.7"
    assert account.verification["fields_needed"] == []


def test_account_business_logo_is_retrieved_once(fake_stripe):
    fake_stripe.store(load_fixture("file_upload"))

    account = Account.sync_from_stripe_data(load_fixture("account"))

    assert isinstance(account.business_logo, FileUpload)
    assert account.business_logo.stripe_id == FILE_ID
    assert account.business_logo.filename == "logo.png"
    assert list(account.business_logo.accounts.all()) == [account]
    assert fake_stripe.count("get", f"/v1/files/{FILE_ID}") == 1
    assert len(fake_stripe.requests) == 1


def test_account_business_logo_known_locally(fake_stripe):
    FileUpload.sync_from_stripe_data(load_fixture("file_upload"))

    account = Account.sync_from_stripe_data(load_fixture("account"))

    assert account.business_logo.stripe_id == FILE_ID
    assert fake_stripe.requests == []


def test_account_external_accounts_are_synced(fake_stripe):
    fake_stripe.store(load_fixture("file_upload"))

    account = Account.sync_from_stripe_data(load_fixture("account"))

    bank_account = BankAccount.objects.get(stripe_id=BANK_ACCOUNT_ID)
    assert bank_account.account == account
    assert fake_stripe.count("get", "/v1/accounts*") == 0


def test_account_without_logo(fake_stripe):
    account = Account.sync_from_stripe_data(load_fixture("account_live"))

    assert account.stripe_id == LIVE_ACCOUNT_ID
    assert account.business_logo is None
    assert fake_stripe.requests == []


def test_account_resync_is_idempotent(fake_stripe):
    fake_stripe.store(load_fixture("file_upload"))
    first = Account.sync_from_stripe_data(load_fixture("account"))
    fake_stripe.reset_requests()

    account = Account.sync_from_stripe_data(load_fixture("account", charges_enabled=False))

    assert account.pk == first.pk
    assert account.charges_enabled is False
    assert Account.objects.count() == 1
    assert fake_stripe.requests == []


def test_deleted_account(fake_stripe):
    Account.sync_from_stripe_data(load_fixture("account_live"))

    gone = Account.sync_from_stripe_data(
        {"id": LIVE_ACCOUNT_ID, "object": "account", "deleted": True}
    )

    assert gone is None
    assert not Account.objects.filter(stripe_id=LIVE_ACCOUNT_ID).exists()


def test_account_str_and_dashboard_url(fake_stripe):
    account = Account.sync_from_stripe_data(load_fixture("account_live"))

    assert str(account) == f"<name=Example Shop, stripe_id={LIVE_ACCOUNT_ID}>"
    assert account.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/connect/accounts/{LIVE_ACCOUNT_ID}"
    )
    account.livemode = True
    assert account.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/connect/accounts/{LIVE_ACCOUNT_ID}"
    )


def test_charge_on_behalf_of_an_account(fake_stripe):
    fake_stripe.store([load_fixture(name) for name in ("customer", "product", "account_live")])
    data = load_fixture("charge", invoice=None, on_behalf_of=LIVE_ACCOUNT_ID)

    charge = Charge.sync_from_stripe_data(data)

    assert charge.account.stripe_id == LIVE_ACCOUNT_ID
    assert list(charge.account.charges.all()) == [charge]
    assert fake_stripe.count("get", f"/v1/accounts/{LIVE_ACCOUNT_ID}") == 1


# -- Transfer -------------------------------------------------------------------------------


def test_transfer_fields(fake_stripe):
    transfer = Transfer.sync_from_stripe_data(load_fixture("transfer"))

    assert transfer.stripe_id == TRANSFER_ID
    assert transfer.livemode is False
    assert transfer.created == utc(2018, 5, 26, 14, 10, 10)
    assert transfer.amount == Decimal("11.00")
    assert transfer.amount_reversed == Decimal("0.00")
    assert transfer.currency == "usd"
    assert transfer.destination == "acct_1CR7sTL2kWq9XyZb"
    assert transfer.destination_payment == "py_CrS4gyIhJ30EoI"
    assert transfer.source_transaction is None
    assert transfer.source_type == "card"
    assert transfer.reversed is False
    assert transfer.transfer_group is None
    assert fake_stripe.requests == []


def test_transfer_legacy_fields_stay_null(fake_stripe):
    transfer = Transfer.sync_from_stripe_data(load_fixture("transfer"))

    legacy = ("date", "destination_type", "failure_code", "failure_message")
    legacy += ("statement_descriptor", "status", "fee", "fee_details")
    assert {name: getattr(transfer, name) for name in legacy} == dict.fromkeys(legacy)


def test_transfer_legacy_fields_from_an_older_api_version(fake_stripe):
    data = load_fixture("transfer")
    data.update(
        date=1527430210,
        destination_type="bank_account",
        status="paid",
        statement_descriptor="PAYOUT",
        fee=25,
        fee_details=[{"amount": 25, "currency": "usd", "type": "stripe_fee"}],
    )

    transfer = Transfer.sync_from_stripe_data(data)

    assert transfer.date == utc(2018, 5, 27, 14, 10, 10)
    assert transfer.destination_type == "bank_account"
    assert transfer.status == "paid"
    assert transfer.statement_descriptor == "PAYOUT"
    assert transfer.fee == Decimal("0.25")
    assert transfer.fee_details[0]["type"] == "stripe_fee"


def test_transfer_resync_str_and_dashboard_url(fake_stripe):
    first = Transfer.sync_from_stripe_data(load_fixture("transfer"))
    transfer = Transfer.sync_from_stripe_data(load_fixture("transfer", amount_reversed=1100))

    assert transfer.pk == first.pk
    assert transfer.amount_reversed == Decimal("11.00")
    assert Transfer.objects.count() == 1
    assert str(transfer) == (
        f"<amount=$11.00 USD, destination=acct_1CR7sTL2kWq9XyZb, stripe_id={TRANSFER_ID}>"
    )
    assert transfer.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/connect/transfers/{TRANSFER_ID}"
    )


def test_charge_transfer_is_retrieved_once(fake_stripe):
    fake_stripe.store([load_fixture(name) for name in ("customer", "product", "transfer")])
    data = load_fixture("charge", invoice=None, transfer=TRANSFER_ID)

    charge = Charge.sync_from_stripe_data(data)

    assert charge.transfer.stripe_id == TRANSFER_ID
    assert list(charge.transfer.charges.all()) == [charge]
    assert fake_stripe.count("get", f"/v1/transfers/{TRANSFER_ID}") == 1
