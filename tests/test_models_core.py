"""Charge, Refund, Dispute, Event, FileUpload and Payout, synced from their fixtures."""

from decimal import Decimal

import pytest

from djstripe.models import (
    Account,
    BankAccount,
    Card,
    Charge,
    Customer,
    Dispute,
    Event,
    FileUpload,
    Payout,
    Refund,
    model_for_stripe_object,
)
from tests.fake_stripe import load_fixture
from tests.times import utc

pytestmark = pytest.mark.django_db

CHARGE_ID = "ch_1CPfJXF5yC65fO414nRpaepi"
DISPUTED_CHARGE_ID = "ch_1CQ3nXF5yC65fO41VbR2ePa9"
CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
INVOICE_ID = "in_1CPfJYF5yC65fO41BRDG97XG"
CARD_ID = "card_1CPJFDF5yC65fO41pVKlqPJO"
REFUND_ID = "re_1CPfJXF5yC65fO41oOoVHNp6"
DISPUTE_ID = "dp_1CPfJXF5yC65fO41jhaAUiuG"
PAYOUT_ID = "po_1CPfJYF5yC65fO41QWt44BwS"
PAYOUT_BANK_ACCOUNT_ID = "ba_1CPfJYF5yC65fO41USSubWJ1"
FILE_ID = "file_1CPfJZF5yC65fO41ezrDzTFg"
# The payout's bank account, the account that owns it and that account's logo.
PAYOUT_WORLD = ("bank_account_payout", "account", "file_upload")

BALANCE_TRANSACTION = {
    "amount": 2000,
    "available_on": 1527638400,
    "created": 1527084610,
    "currency": "usd",
    "description": None,
    "exchange_rate": None,
    "fee": 88,
    "fee_details": [
        {
            "amount": 88,
            "application": None,
            "currency": "usd",
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }
    ],
    "id": "txn_1CPfJXF5yC65fO41dBHkQU4f",
    "net": 1912,
    "object": "balance_transaction",
    "source": CHARGE_ID,
    "status": "pending",
    "type": "charge",
}


@pytest.fixture
def stripe_account(fake_stripe):
    """The fake Stripe, holding what charges point at (customer, invoice and their relations)."""
    names = ["customer", "invoice", "subscription", "plan", "product", "card"]
    fake_stripe.store([load_fixture(name) for name in names])
    return fake_stripe


# -- Charge ---------------------------------------------------------------------------------


def test_charge_fields(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge"))

    assert charge.stripe_id == CHARGE_ID
    assert charge.livemode is False
    assert charge.created == utc(2018, 5, 23, 14, 10, 10)
    assert charge.amount == Decimal("20.00")
    assert charge.amount_refunded == Decimal("5.00")
    assert charge.currency == "usd"
    assert charge.captured is True
    assert charge.paid is True
    assert charge.refunded is False
    assert charge.status == "succeeded"
    assert charge.outcome["seller_message"] == "Payment complete."
    assert charge.fraud_details == {}
    assert charge.fraudulent is False
    assert charge.receipt_sent is False
    assert charge.failure_code is None
    assert charge.statement_descriptor is None
    assert charge.source_type == "card"
    assert charge.source_stripe_id == CARD_ID
    assert charge.fee is None  # the balance transaction came as an id
    assert charge.fee_details is None
    assert charge.account is None
    assert charge.transfer is None
    assert charge.disputed is False


def test_charge_zero_decimal_currency(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge_jpy"))

    assert charge.amount == Decimal("500")
    assert charge.amount_refunded == Decimal("0")
    assert str(charge) == f"<amount=¥500 JPY, status=succeeded, stripe_id={charge.stripe_id}>"


def test_charge_relations_fetch_unknown_ids_once(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge"))

    assert charge.customer.stripe_id == CUSTOMER_ID
    assert charge.invoice.stripe_id == INVOICE_ID
    assert stripe_account.count("get", f"/v1/customers/{CUSTOMER_ID}") == 1
    assert stripe_account.count("get", f"/v1/invoices/{INVOICE_ID}") == 1
    assert stripe_account.count("get", "/v1/charges*") == 0
    assert list(charge.customer.charges.all()) == [charge]
    assert list(charge.invoice.charges.all()) == [charge]


def test_charge_source_is_the_embedded_card(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge"))

    card = charge.source.resolve()
    assert isinstance(card, Card)
    assert card.stripe_id == CARD_ID
    assert card.last4 == "4242"
    assert stripe_account.count("get", f"/v1/customers/{CUSTOMER_ID}/sources/{CARD_ID}") == 0


def test_charge_source_that_is_no_payment_method(stripe_account):
    # An account debit: the charge's source is a connected account.
    data = load_fixture("charge", source={"id": "acct_1CR7sTL2kWq9XyZb", "object": "account"})

    charge = Charge.sync_from_stripe_data(data)

    assert charge.source is None
    assert charge.source_type == "account"
    assert charge.source_stripe_id == "acct_1CR7sTL2kWq9XyZb"
    assert not Account.objects.exists()


def test_charge_refunds_come_from_the_embedded_list(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge"))

    refund = charge.refunds.get()
    assert refund.stripe_id == REFUND_ID
    assert refund.amount == Decimal("5.00")
    assert refund.reason == "requested_by_customer"
    assert stripe_account.count("get", "/v1/refunds*") == 0
    assert stripe_account.count("get", "/v1/charges*") == 0


def test_charge_expanded_relations_cost_no_request(fake_stripe):
    fake_stripe.store(load_fixture("product"))

    charge = Charge.sync_from_stripe_data(load_fixture("charge_expanded"))

    assert charge.customer.email == "jenny.rosen@example.com"
    assert charge.invoice.stripe_id == INVOICE_ID
    assert fake_stripe.count("get", "/v1/customers*") == 0
    assert fake_stripe.count("get", "/v1/invoices*") == 0


def test_charge_resync_is_idempotent(stripe_account):
    first = Charge.sync_from_stripe_data(load_fixture("charge"))
    stripe_account.reset_requests()

    second = Charge.sync_from_stripe_data(load_fixture("charge", amount_refunded=2000))

    assert second.pk == first.pk
    assert second.amount_refunded == Decimal("20.00")
    assert Charge.objects.count() == 1
    assert Refund.objects.count() == 1
    assert stripe_account.requests == []


def test_charge_fee_from_expanded_balance_transaction(stripe_account):
    data = load_fixture("charge", balance_transaction=BALANCE_TRANSACTION)

    charge = Charge.sync_from_stripe_data(data)

    assert charge.fee == Decimal("0.88")
    assert charge.fee_details[0]["type"] == "stripe_fee"


@pytest.mark.parametrize(
    "fraud_details, fraudulent",
    [
        ({}, False),
        ({"stripe_report": "fraudulent"}, True),
        ({"user_report": "fraudulent"}, True),
        ({"user_report": "safe"}, False),
    ],
)
def test_charge_fraudulent_comes_from_fraud_details(stripe_account, fraud_details, fraudulent):
    charge = Charge.sync_from_stripe_data(load_fixture("charge", fraud_details=fraud_details))

    assert charge.fraudulent is fraudulent
    assert charge.fraud_details == fraud_details


def test_charge_disputed(stripe_account):
    stripe_account.store(load_fixture("dispute"))

    charge = Charge.sync_from_stripe_data(load_fixture("charge_disputed"))

    assert charge.disputed is True
    assert charge.dispute.stripe_id == DISPUTE_ID
    assert stripe_account.count("get", f"/v1/disputes/{DISPUTE_ID}") == 1
    # The dispute asks for its charge, which is the one being synced.
    assert stripe_account.count("get", "/v1/charges*") == 0


def test_charge_str_and_dashboard_url(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge"))

    assert str(charge) == f"<amount=$20.00 USD, status=succeeded, stripe_id={CHARGE_ID}>"
    assert charge.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/payments/{CHARGE_ID}"
    )


def test_live_charge_uses_the_live_key(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge", livemode=True))

    assert charge.livemode is True
    assert (
        charge.get_stripe_dashboard_url() == f"https://dashboard.stripe.com/payments/{CHARGE_ID}"
    )
    assert stripe_account.requests
    for request in stripe_account.requests:
        assert request.header("Authorization") == "Bearer sk_live_djstripe"


def test_charge_retrieve_expands_the_balance_transaction(stripe_account):
    stripe_account.store(load_fixture("charge"))
    charge = Charge.sync_from_stripe_data(load_fixture("charge"))
    stripe_account.reset_requests()

    data = charge.api_retrieve()

    assert data["id"] == CHARGE_ID
    assert stripe_account.last.path == f"/v1/charges/{CHARGE_ID}"
    assert stripe_account.last.params["expand"] == ["balance_transaction"]


# -- Refund ---------------------------------------------------------------------------------


def test_refund_of_a_known_charge(stripe_account):
    charge = Charge.sync_from_stripe_data(load_fixture("charge"))
    stripe_account.reset_requests()

    refund = Refund.sync_from_stripe_data(load_fixture("refund", status="pending"))

    assert stripe_account.requests == []
    assert refund.charge == charge
    assert refund.amount == Decimal("5.00")
    assert refund.currency == "usd"
    assert refund.balance_transaction == "txn_1CQxr2F5yC65fO41Zp4mNq6G"
    assert refund.status == "pending"
    assert refund.reason == "requested_by_customer"
    assert refund.failure_reason is None
    assert refund.created == utc(2018, 5, 24, 14, 10)
    assert Refund.objects.count() == 1


def test_refund_of_an_unknown_charge_retrieves_it_once(stripe_account):
    stripe_account.store(load_fixture("charge"))

    refund = Refund.sync_from_stripe_data(load_fixture("refund"))

    assert refund.charge.stripe_id == CHARGE_ID
    assert stripe_account.count("get", f"/v1/charges/{CHARGE_ID}") == 1
    assert Refund.objects.count() == 1


def test_refund_str_and_dashboard_url(stripe_account):
    Charge.sync_from_stripe_data(load_fixture("charge"))

    refund = Refund.objects.get()

    assert str(refund) == f"<amount=$5.00 USD, status=succeeded, stripe_id={REFUND_ID}>"
    assert refund.get_stripe_dashboard_url() == ""


# -- Dispute --------------------------------------------------------------------------------


def test_dispute_fields(stripe_account):
    stripe_account.store(load_fixture("charge_disputed"))

    dispute = Dispute.sync_from_stripe_data(load_fixture("dispute"))

    assert dispute.stripe_id == DISPUTE_ID
    assert dispute.amount == 1000
    assert dispute.currency == "usd"
    assert dispute.reason == "general"
    assert dispute.status == "needs_response"
    assert dispute.is_charge_refundable is False
    assert dispute.evidence["uncategorized_text"] is None
    assert dispute.evidence_details["submission_count"] == 0
    assert dispute.created == utc(2018, 6, 1, 14, 10, 10)


def test_dispute_of_an_unknown_charge_retrieves_it_once(stripe_account):
    stripe_account.store(load_fixture("charge_disputed"))

    dispute = Dispute.sync_from_stripe_data(load_fixture("dispute"))

    assert stripe_account.count("get", f"/v1/charges/{DISPUTED_CHARGE_ID}") == 1
    assert stripe_account.count("get", "/v1/disputes*") == 0
    charge = Charge.objects.get(stripe_id=DISPUTED_CHARGE_ID)
    assert charge.dispute == dispute
    assert charge.disputed is True
    assert list(dispute.charges.all()) == [charge]


def test_dispute_of_a_known_charge_costs_no_request(stripe_account):
    stripe_account.store(load_fixture("dispute"))
    Charge.sync_from_stripe_data(load_fixture("charge_disputed"))
    stripe_account.reset_requests()

    dispute = Dispute.sync_from_stripe_data(load_fixture("dispute", status="under_review"))

    assert stripe_account.requests == []
    assert dispute.status == "under_review"
    assert Dispute.objects.count() == 1


def test_dispute_with_embedded_charge(stripe_account):
    charge_data = load_fixture("charge_disputed")

    Dispute.sync_from_stripe_data(load_fixture("dispute", charge=charge_data))

    assert stripe_account.count("get", "/v1/charges*") == 0
    assert Charge.objects.get().dispute_id == DISPUTE_ID


def test_dispute_str_and_dashboard_url(stripe_account):
    stripe_account.store(load_fixture("charge_disputed"))

    dispute = Dispute.sync_from_stripe_data(load_fixture("dispute"))

    assert str(dispute) == f"<amount=$10.00 USD, status=needs_response, stripe_id={DISPUTE_ID}>"
    assert dispute.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/disputes/{DISPUTE_ID}"
    )


# -- Event ----------------------------------------------------------------------------------


def test_event_fields(fake_stripe):
    event = Event.sync_from_stripe_data(load_fixture("event_charge_succeeded"))

    assert event.stripe_id == "evt_1CPfJXF5yC65fO41cVt7qLsA"
    assert event.type == "charge.succeeded"
    assert event.api_version == "2018-05-21"
    assert event.request_id == "req_CpJyL4zWq8nKcE"
    assert event.idempotency_key is None
    assert event.livemode is False
    assert event.created == utc(2018, 5, 23, 14, 10, 10)
    assert event.data["object"]["id"] == CHARGE_ID


def test_event_data_is_not_synced(fake_stripe):
    Event.sync_from_stripe_data(load_fixture("event_charge_succeeded"))

    assert fake_stripe.requests == []
    assert not Charge.objects.exists()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "request_value, request_id, idempotency_key",
    [
        ({"id": "req_1", "idempotency_key": "key-1"}, "req_1", "key-1"),
        ({"id": None, "idempotency_key": None}, None, None),  # an automatic event
        ("req_old", "req_old", None),  # older API versions sent the bare id
    ],
)
def test_event_request(fake_stripe, request_value, request_id, idempotency_key):
    data = load_fixture("event_customer_created", request=request_value)

    event = Event.sync_from_stripe_data(data)

    assert event.request_id == request_id
    assert event.idempotency_key == idempotency_key


def test_event_without_request_is_an_old_entry(fake_stripe):
    data = load_fixture("event_customer_created")
    del data["request"]

    event = Event.sync_from_stripe_data(data)

    assert event.request_id == ""


def test_event_type_parts(fake_stripe):
    event = Event.sync_from_stripe_data(load_fixture("event_customer_subscription_updated"))

    assert event.parts == ["customer", "subscription", "updated"]
    assert event.category == "customer"
    assert event.verb == "updated"


@pytest.mark.parametrize(
    "fixture, has_customer",
    [
        ("event_customer_created", True),  # the customer itself
        ("event_charge_succeeded", True),  # the object's customer
        ("event_customer_subscription_updated", True),
        ("event_plan_deleted", False),
    ],
)
def test_event_customer_is_looked_up_locally(fake_stripe, fixture, has_customer):
    customer = Customer.objects.create(stripe_id=CUSTOMER_ID, livemode=False)

    event = Event.sync_from_stripe_data(load_fixture(fixture))

    assert event.customer == (customer if has_customer else None)
    assert fake_stripe.requests == []


def test_event_customer_unknown_locally(fake_stripe):
    event = Event.sync_from_stripe_data(load_fixture("event_customer_created"))

    assert event.customer is None


def test_event_resync_str_and_dashboard_url(fake_stripe):
    first = Event.sync_from_stripe_data(load_fixture("event_invoice_created"))
    event = Event.sync_from_stripe_data(load_fixture("event_invoice_created"))

    assert event.pk == first.pk
    assert Event.objects.count() == 1
    assert str(event) == f"<type=invoice.created, stripe_id={event.stripe_id}>"
    assert event.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/events/{event.stripe_id}"
    )


# -- FileUpload -----------------------------------------------------------------------------


def test_file_upload(fake_stripe):
    upload = FileUpload.sync_from_stripe_data(load_fixture("file_upload"))
    again = FileUpload.sync_from_stripe_data(load_fixture("file_upload"))

    assert again.pk == upload.pk
    assert upload.stripe_id == FILE_ID
    assert upload.filename == "logo.png"
    assert upload.purpose == "business_logo"
    assert upload.size == 9863
    assert upload.type == "png"
    assert upload.url == f"https://files.stripe.com/files/{FILE_ID}"
    assert upload.created == utc(2018, 5, 7, 23, 59, 20)
    assert upload.livemode is False  # from the test key it was read with
    assert str(upload) == f"<filename=logo.png, size=9863, stripe_id={FILE_ID}>"
    assert upload.get_stripe_dashboard_url() == ""
    assert fake_stripe.requests == []


def test_file_object_names():
    assert model_for_stripe_object("file_upload") is FileUpload
    assert model_for_stripe_object("file") is FileUpload


# -- Payout ---------------------------------------------------------------------------------


def test_payout_fields_and_destination(fake_stripe):
    fake_stripe.store([load_fixture(name) for name in PAYOUT_WORLD])

    payout = Payout.sync_from_stripe_data(load_fixture("payout"))

    assert payout.stripe_id == PAYOUT_ID
    assert payout.amount == Decimal("11.00")
    assert payout.currency == "usd"
    assert payout.arrival_date == utc(2018, 5, 27, 14, 10, 10)
    assert payout.method == "standard"
    assert payout.status == "in_transit"
    assert payout.type == "bank_account"
    assert payout.failure_code is None
    assert payout.description == "STRIPE TRANSFER"
    assert isinstance(payout.destination, BankAccount)
    assert payout.destination.stripe_id == PAYOUT_BANK_ACCOUNT_ID
    assert list(payout.destination.payouts.all()) == [payout]
    bank_account_gets = [r for r in fake_stripe.requests if PAYOUT_BANK_ACCOUNT_ID in r.path]
    assert len(bank_account_gets) == 1


def test_payout_resync_is_idempotent(fake_stripe):
    fake_stripe.store([load_fixture(name) for name in PAYOUT_WORLD])
    first = Payout.sync_from_stripe_data(load_fixture("payout"))
    fake_stripe.reset_requests()

    payout = Payout.sync_from_stripe_data(load_fixture("payout", status="paid"))

    assert payout.pk == first.pk
    assert payout.status == "paid"
    assert Payout.objects.count() == 1
    assert fake_stripe.requests == []


def test_payout_to_a_debit_card_has_no_bank_account(fake_stripe):
    data = load_fixture("payout", type="card", destination="card_1CR8aBF5yC65fO41Wq9tNvXc")

    payout = Payout.sync_from_stripe_data(data)

    assert payout.destination is None
    assert fake_stripe.requests == []


def test_payout_str_and_dashboard_url(fake_stripe):
    fake_stripe.store([load_fixture(name) for name in PAYOUT_WORLD])

    payout = Payout.sync_from_stripe_data(load_fixture("payout"))

    assert str(payout) == f"<amount=$11.00 USD, status=in_transit, stripe_id={PAYOUT_ID}>"
    assert payout.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/payouts/{PAYOUT_ID}"
    )
