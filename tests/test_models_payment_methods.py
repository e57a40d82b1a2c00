"""BankAccount, Card and Source, their PaymentMethod rows, and where Stripe keeps them."""

from decimal import Decimal

import pytest

from djstripe.models import (
    Account,
    BankAccount,
    Card,
    Customer,
    PaymentMethod,
    Payout,
    Product,
    Source,
    model_for_stripe_object,
)
from tests.fake_stripe import load_fixture
from tests.stripe_data import account_data

pytestmark = pytest.mark.django_db

CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
ACCOUNT_ID = "acct_1CPJF9F5yC65fO41"
CUSTOMER_BANK_ACCOUNT_ID = "ba_1CQ8cRF5yC65fO41tYh2LpZm"
ACCOUNT_BANK_ACCOUNT_ID = "ba_1CPfJYF5yC65fO41USSubWJ1"
CARD_ID = "card_1CPJFDF5yC65fO41pVKlqPJO"
SOURCE_ID = "src_1CPfJYF5yC65fO41xq5hIGtT"


# -- BankAccount ----------------------------------------------------------------------------


def test_customer_bank_account_fields(known_customer, fake_stripe):
    bank_account = BankAccount.sync_from_stripe_data(load_fixture("bank_account"))

    assert bank_account.stripe_id == CUSTOMER_BANK_ACCOUNT_ID
    assert bank_account.account_holder_name == "Jenny Rosen"
    assert bank_account.account_holder_type == "individual"
    assert bank_account.bank_name == "STRIPE TEST BANK"
    assert bank_account.country == "US"
    assert bank_account.currency == "usd"
    assert bank_account.fingerprint == "1JWtPxqbdX5Gamtc"
    assert bank_account.last4 == "6789"
    assert bank_account.routing_number == "110000000"
    assert bank_account.status == "verified"
    assert bank_account.default_for_currency is None
    assert bank_account.account is None
    assert bank_account.customer == known_customer
    assert list(known_customer.bank_accounts.all()) == [bank_account]
    assert fake_stripe.requests == []


def test_bank_account_gets_a_payment_method_row(known_customer):
    bank_account = BankAccount.sync_from_stripe_data(load_fixture("bank_account"))

    payment_method = PaymentMethod.objects.get(id=CUSTOMER_BANK_ACCOUNT_ID)
    assert payment_method.type == "bank_account"
    assert payment_method.object_model is BankAccount
    assert payment_method.resolve() == bank_account


def test_account_bank_account_retrieves_its_unknown_account_once(fake_stripe):
    fake_stripe.store(account_data())

    bank_account = BankAccount.sync_from_stripe_data(load_fixture("bank_account_payout"))

    assert bank_account.account.stripe_id == ACCOUNT_ID
    assert list(bank_account.account.bank_accounts.all()) == [bank_account]
    assert bank_account.customer is None
    assert bank_account.default_for_currency is True
    assert bank_account.status == "new"
    assert fake_stripe.count("get", f"/v1/accounts/{ACCOUNT_ID}") == 1
    assert len(fake_stripe.requests) == 1


def test_account_bank_account_with_known_account_costs_no_request(fake_stripe):
    Account.sync_from_stripe_data(account_data())
    fake_stripe.reset_requests()

    BankAccount.sync_from_stripe_data(load_fixture("bank_account_payout"))

    assert fake_stripe.requests == []


def test_bank_account_paths_follow_the_owner():
    path = BankAccount.stripe_object_path
    customer_path = f"/v1/customers/{CUSTOMER_ID}/sources/ba_1"
    account_path = f"/v1/accounts/{ACCOUNT_ID}/external_accounts/ba_1"

    assert (
        path("ba_1", load_fixture("bank_account")) == f"/v1/customers/{CUSTOMER_ID}/sources/ba_1"
    )
    assert path("ba_1", load_fixture("customer")) == customer_path
    assert path("ba_1", {"customer": {"id": CUSTOMER_ID, "object": "customer"}}) == customer_path
    assert path("ba_1", load_fixture("bank_account_payout")) == account_path
    assert path("ba_1", load_fixture("account")) == account_path
    # The destination of the platform's own payout: the platform's own external accounts.
    assert path("ba_1", load_fixture("payout")) == "/v1/account/external_accounts/ba_1"
    assert path("ba_1") == "/v1/account/external_accounts/ba_1"


def test_bank_account_list_paths():
    assert BankAccount.stripe_list_path(customer=CUSTOMER_ID) == (
        f"/v1/customers/{CUSTOMER_ID}/sources"
    )
    assert BankAccount.stripe_list_path(account=ACCOUNT_ID) == (
        f"/v1/accounts/{ACCOUNT_ID}/external_accounts"
    )
    assert BankAccount.stripe_list_path() == "/v1/account/external_accounts"


def test_bank_account_api_retrieve_uses_its_owner(known_customer, fake_stripe):
    fake_stripe.store(load_fixture("bank_account"))
    bank_account = BankAccount.sync_from_stripe_data(load_fixture("bank_account"))

    data = bank_account.api_retrieve()

    assert data["id"] == CUSTOMER_BANK_ACCOUNT_ID
    assert (
        fake_stripe.last.path == f"/v1/customers/{CUSTOMER_ID}/sources/{CUSTOMER_BANK_ACCOUNT_ID}"
    )


def test_payout_destination_of_the_platform_is_retrieved_from_its_external_accounts(
    fake_stripe,
):
    fake_stripe.store([load_fixture("bank_account_payout"), account_data()])

    payout = Payout.sync_from_stripe_data(load_fixture("payout"))

    assert payout.destination.stripe_id == ACCOUNT_BANK_ACCOUNT_ID
    assert payout.destination.account.stripe_id == ACCOUNT_ID
    assert (
        fake_stripe.count("get", f"/v1/account/external_accounts/{ACCOUNT_BANK_ACCOUNT_ID}") == 1
    )
    assert fake_stripe.count("get", f"/v1/accounts/{ACCOUNT_ID}") == 1
    assert len(fake_stripe.requests) == 2


def test_payment_method_retrieve_picks_the_path_of_each_kind(fake_stripe):
    fake_stripe.store(
        [
            load_fixture("bank_account"),
            load_fixture("bank_account_payout"),
            load_fixture("card"),
            load_fixture("source"),
        ]
    )
    retrieve = PaymentMethod.stripe_retrieve
    customer = {"customer": CUSTOMER_ID}

    assert retrieve(CUSTOMER_BANK_ACCOUNT_ID, "sk_test_x", customer)["object"] == "bank_account"
    assert (
        fake_stripe.last.path == f"/v1/customers/{CUSTOMER_ID}/sources/{CUSTOMER_BANK_ACCOUNT_ID}"
    )
    retrieve(ACCOUNT_BANK_ACCOUNT_ID, "sk_test_x", {"account": ACCOUNT_ID})
    assert fake_stripe.last.path == (
        f"/v1/accounts/{ACCOUNT_ID}/external_accounts/{ACCOUNT_BANK_ACCOUNT_ID}"
    )
    retrieve(ACCOUNT_BANK_ACCOUNT_ID, "sk_test_x", load_fixture("payout"))
    assert fake_stripe.last.path == f"/v1/account/external_accounts/{ACCOUNT_BANK_ACCOUNT_ID}"
    retrieve(CARD_ID, "sk_test_x", customer)
    assert fake_stripe.last.path == f"/v1/customers/{CUSTOMER_ID}/sources/{CARD_ID}"
    assert retrieve(SOURCE_ID, "sk_test_x", None)["object"] == "source"
    assert fake_stripe.last.path == f"/v1/sources/{SOURCE_ID}"


def test_deleted_bank_account_removes_its_row(known_customer):
    BankAccount.sync_from_stripe_data(load_fixture("bank_account"))

    result = BankAccount.sync_from_stripe_data(
        {"id": CUSTOMER_BANK_ACCOUNT_ID, "object": "bank_account", "deleted": True}
    )

    assert result is None
    assert not BankAccount.objects.filter(stripe_id=CUSTOMER_BANK_ACCOUNT_ID).exists()
    assert PaymentMethod.objects.get(id=CUSTOMER_BANK_ACCOUNT_ID).resolve() is None


def test_bank_account_str_and_dashboard_url(known_customer):
    bank_account = BankAccount.sync_from_stripe_data(load_fixture("bank_account"))

    assert str(bank_account) == (
        f"<bank_name=STRIPE TEST BANK, last4=6789, stripe_id={CUSTOMER_BANK_ACCOUNT_ID}>"
    )
    assert bank_account.get_stripe_dashboard_url() == ""


# -- Source ---------------------------------------------------------------------------------


def test_card_source_fields(known_customer, fake_stripe):
    source = Source.sync_from_stripe_data(load_fixture("source"))

    assert source.stripe_id == SOURCE_ID
    assert source.type == "card"
    assert source.source_data == load_fixture("source")["card"]
    assert source.source_data["last4"] == "4242"
    assert source.flow == "none"
    assert source.status == "chargeable"
    assert source.usage == "reusable"
    assert source.amount is None
    assert source.currency is None
    assert source.client_secret == "src_client_secret_CqMt5XwZ1yQmBv3e9KpLr2Hd"
    assert source.owner["email"] == "jenny.rosen@example.com"
    assert source.customer == known_customer
    assert list(known_customer.sources.all()) == [source]
    assert fake_stripe.requests == []


def test_source_data_follows_the_type(known_customer):
    sepa = {"bank_code": "37040044", "country": "DE", "last4": "3000", "mandate_reference": "M1"}
    data = load_fixture("source", type="sepa_debit", card=None, sepa_debit=sepa)
    data.update(amount=1234, currency="eur", usage="single_use")

    source = Source.sync_from_stripe_data(data)

    assert source.source_data == sepa
    assert source.amount == Decimal("12.34")
    assert source.usage == "single_use"


def test_source_gets_a_payment_method_row(known_customer):
    source = Source.sync_from_stripe_data(load_fixture("source"))

    payment_method = PaymentMethod.objects.get(id=SOURCE_ID)
    assert payment_method.type == "source"
    assert payment_method.resolve() == source


def test_source_unknown_customer_is_retrieved_once(fake_stripe):
    Product.sync_from_stripe_data(load_fixture("product"))
    fake_stripe.store(load_fixture("customer"))
    fake_stripe.reset_requests()

    source = Source.sync_from_stripe_data(load_fixture("source"))

    assert source.customer.stripe_id == CUSTOMER_ID
    assert fake_stripe.count("get", f"/v1/customers/{CUSTOMER_ID}") == 1
    assert len(fake_stripe.requests) == 1


def test_source_str_and_dashboard_url(known_customer):
    source = Source.sync_from_stripe_data(load_fixture("source"))

    assert str(source) == f"<type=card, stripe_id={SOURCE_ID}>"
    assert source.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/sources/{SOURCE_ID}"
    )
    assert Source.stripe_object_path(SOURCE_ID) == f"/v1/sources/{SOURCE_ID}"


# -- Customer sources of every kind, Card deletion ------------------------------------------


def test_customer_sources_of_every_kind_are_synced_from_its_data(fake_stripe):
    Product.sync_from_stripe_data(load_fixture("product"))
    fake_stripe.reset_requests()
    data = load_fixture("customer", default_source=CUSTOMER_BANK_ACCOUNT_ID)
    data["sources"]["data"] += [load_fixture("bank_account"), load_fixture("source")]

    customer = Customer.sync_from_stripe_data(data)

    assert fake_stripe.requests == []
    assert {pm.id: pm.type for pm in PaymentMethod.objects.all()} == {
        CARD_ID: "card",
        CUSTOMER_BANK_ACCOUNT_ID: "bank_account",
        SOURCE_ID: "source",
    }
    assert customer.default_source.resolve() == BankAccount.objects.get()
    assert customer.sources.get().stripe_id == SOURCE_ID
    assert customer.legacy_cards.get().stripe_id == CARD_ID


def test_deleted_card_removes_its_row(known_customer):
    assert Card.objects.filter(stripe_id=CARD_ID).exists()

    assert Card.sync_from_stripe_data(load_fixture("card_deleted")) is None

    assert not Card.objects.filter(stripe_id=CARD_ID).exists()
    assert PaymentMethod.objects.get(id=CARD_ID).resolve() is None


def test_object_names_map_to_payment_method_models():
    assert model_for_stripe_object("bank_account") is BankAccount
    assert model_for_stripe_object("card") is Card
    assert model_for_stripe_object("source") is Source
