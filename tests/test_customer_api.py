"""Customer methods that call Stripe, and its subscription queries: requests, mirror, failures."""

import datetime
import threading
from decimal import Decimal

import pytest
import stripe
from django.db import transaction
from django.utils import timezone

from djstripe import stripe_api
from djstripe.exceptions import MultipleSubscriptionException
from djstripe.models import (
    Account,
    Card,
    Charge,
    Coupon,
    Customer,
    IdempotencyKey,
    Invoice,
    InvoiceItem,
    Plan,
    Product,
    Refund,
    Source,
    Subscription,
    UpcomingInvoice,
)
from tests.fake_stripe import error_body, load_fixture
from tests.stripe_data import empty_list
from tests.stripe_faults import PAYMENT_FAILURES as FAILURES
from tests.stripe_faults import fail as inject
from tests.stripe_faults import mirror as every_row
from tests.threads import run_concurrently
from tests.times import in_future

pytestmark = pytest.mark.django_db

CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
LIVE_CUSTOMER_ID = "cus_D0Wq5vKbX2nRtE"
CARD_ID = "card_1CPJFDF5yC65fO41pVKlqPJO"
SOURCE_ID = "src_1CPfJYF5yC65fO41xq5hIGtT"
SUBSCRIPTION_ID = "sub_CpJxjJHucuaF7o"
INVOICE_ID = "in_1CPfJYF5yC65fO41BRDG97XG"
CHARGE_ID = "ch_1CPfJXF5yC65fO414nRpaepi"
CUSTOMER_PATH = f"/v1/customers/{CUSTOMER_ID}"
SOURCES_PATH = f"{CUSTOMER_PATH}/sources"
LIVE_KEY = "Bearer sk_live_djstripe"
TEST_KEY = "Bearer sk_test_djstripe"

MIRRORED = (Customer, Subscription, Charge, Refund, Invoice, InvoiceItem, Card, Source, Coupon)


def fail(fake, method, path, fault):
    """As Stripe fails, with its "No such customer" message for a 404."""
    message = f"No such customer: {CUSTOMER_ID}"
    error = {"message": message, "code": "resource_missing"} if fault == 404 else {}
    inject(fake, method, path, fault, **error)


def mirror():
    """Every mirrored row, as stored: what a failed call must leave as it was."""
    return every_row(*MIRRORED)


def new_customer(request, stripe_id="cus_New1", livemode=False):
    """Stripe's answer to creating a customer with ``request``'s parameters."""
    return load_fixture(
        "customer_live",
        id=stripe_id,
        livemode=livemode,
        email=request.params.get("email"),
        metadata=request.params.get("metadata", {}),
        description=None,
        sources=empty_list(f"/v1/customers/{stripe_id}/sources"),
        subscriptions=empty_list(f"/v1/customers/{stripe_id}/subscriptions"),
    )


def new_charge(request, stripe_id="ch_New1"):
    """Stripe's answer to creating a charge with ``request``'s parameters."""
    params = request.params
    return load_fixture(
        "charge",
        id=stripe_id,
        amount=int(params["amount"]),
        amount_refunded=0,
        currency=params["currency"],
        customer=params.get("customer"),
        captured=params.get("capture") != "false",
        description=params.get("description"),
        metadata=params.get("metadata", {}),
        invoice=None,
        refunds=empty_list(f"/v1/charges/{stripe_id}/refunds"),
        statement_descriptor=params.get("statement_descriptor"),
    )


@pytest.fixture
def customer(fake_stripe, subscriber):
    """The subscriber's customer, its card and its subscription, mirrored and in Stripe."""
    Product.sync_from_stripe_data(load_fixture("product"))
    customer = Customer.sync_from_stripe_data(load_fixture("customer"))
    Customer.objects.filter(pk=customer.pk).update(subscriber=subscriber)
    fake_stripe.store(load_fixture("customer"))
    fake_stripe.reset_requests()
    customer.refresh_from_db()
    return customer


@pytest.fixture
def live_customer(fake_stripe):
    """A live customer, mirrored and in Stripe; no request recorded yet."""
    Product.sync_from_stripe_data(load_fixture("product"))
    customer = Customer.sync_from_stripe_data(load_fixture("customer_live"))
    fake_stripe.store(load_fixture("customer_live"))
    fake_stripe.reset_requests()
    return customer


# -- get_or_create ----------------------------------------------------------------------------


def test_get_or_create_creates_the_stripe_customer_with_an_idempotency_key(
    subscriber, fake_stripe
):
    fake_stripe.route("post", "/v1/customers", new_customer)

    with stripe_api.count_requests() as requests:
        customer, created = Customer.get_or_create(subscriber)

    assert created is True
    assert requests.requests == [("POST", "/v1/customers")]
    assert fake_stripe.last.params == {
        "email": "jenny.rosen@example.com",
        "metadata": {"djstripe_subscriber": str(subscriber.pk)},
    }
    key = IdempotencyKey.objects.get(action=f"customer:create:{subscriber.pk}", livemode=False)
    assert fake_stripe.last.header("Idempotency-Key") == str(key.uuid)
    assert fake_stripe.last.header("Authorization") == TEST_KEY
    stored = Customer.objects.get(stripe_id="cus_New1")
    assert (stored.subscriber, stored.livemode) == (subscriber, False)
    assert stored.email == subscriber.email
    assert customer == stored and customer.subscriber == subscriber


def test_get_or_create_finds_the_existing_customer_without_a_request(customer, fake_stripe):
    assert Customer.get_or_create(customer.subscriber) == (customer, False)
    assert fake_stripe.requests == []


def test_get_or_create_in_live_mode_uses_the_live_key(subscriber, fake_stripe):
    fake_stripe.route("post", "/v1/customers", lambda r: new_customer(r, "cus_Live1", True))

    customer, created = Customer.get_or_create(subscriber, livemode=True)

    assert created is True
    assert fake_stripe.last.header("Authorization") == LIVE_KEY
    assert (customer.stripe_id, customer.livemode, customer.subscriber) == (
        "cus_Live1",
        True,
        subscriber,
    )
    assert IdempotencyKey.objects.filter(livemode=True).count() == 1


def test_a_purged_customer_does_not_count_and_its_creation_key_is_not_reused(
    subscriber, fake_stripe
):
    fake_stripe.route("post", "/v1/customers", new_customer, times=1)
    first, _ = Customer.get_or_create(subscriber)
    first_key = fake_stripe.last.header("Idempotency-Key")
    fake_stripe.route("delete", "/v1/customers/cus_New1", {"id": "cus_New1", "deleted": True})
    first.purge()
    fake_stripe.route("post", "/v1/customers", lambda r: new_customer(r, "cus_New2"))

    second, created = Customer.get_or_create(subscriber)

    assert created is True
    assert second.stripe_id == "cus_New2"
    assert fake_stripe.last.header("Idempotency-Key") != first_key
    assert Customer.objects.get(stripe_id="cus_New1").date_purged is not None


def test_get_or_create_keeps_the_customer_another_process_linked_first(subscriber, fake_stripe):
    def another_process_wins(request):
        # Meanwhile another process, whose key differed, linked its own customer.
        other = Customer.sync_from_stripe_data(new_customer(request, "cus_Other1"))
        Customer.objects.filter(pk=other.pk).update(subscriber=subscriber)
        return new_customer(request, "cus_Mine1")

    fake_stripe.route("post", "/v1/customers", another_process_wins)

    customer, created = Customer.get_or_create(subscriber)

    assert (customer.stripe_id, created) == ("cus_Other1", False)
    assert Customer.objects.get(stripe_id="cus_Mine1").subscriber is None


@pytest.mark.parametrize("fault, error", FAILURES)
def test_get_or_create_failure_mirrors_nothing(subscriber, fake_stripe, fault, error):
    fail(fake_stripe, "post", "/v1/customers", fault)

    with pytest.raises(error):
        Customer.get_or_create(subscriber)

    assert not Customer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_get_or_create_makes_one_stripe_customer(django_user_model, fake_stripe):
    subscriber = django_user_model.objects.create(username="sam", email="sam@example.com")
    both_sent = threading.Barrier(2)
    created_by_key = {}
    lock = threading.Lock()

    def create(request):
        # Stripe answers a repeated idempotency key with the first response.
        both_sent.wait(timeout=10)
        with lock:
            key = request.header("Idempotency-Key")
            stripe_id = f"cus_Concurrent{len(created_by_key) + 1}"
            return created_by_key.setdefault(key, new_customer(request, stripe_id))

    fake_stripe.route("post", "/v1/customers", create)
    results = []

    errors = run_concurrently(lambda: results.append(Customer.get_or_create(subscriber)), 2)

    assert errors == []
    posts = [r for r in fake_stripe.requests if r.path == "/v1/customers"]
    assert len(posts) == 2
    assert posts[0].header("Idempotency-Key") == posts[1].header("Idempotency-Key")
    assert {customer.stripe_id for customer, _created in results} == {"cus_Concurrent1"}
    assert Customer.objects.count() == 1
    assert Customer.objects.get().subscriber == subscriber


# -- subscribe --------------------------------------------------------------------------------


def new_subscription(request):
    params = request.params
    item = params["items"][0]
    return load_fixture(
        "subscription",
        id="sub_New1",
        customer=params["customer"],
        quantity=int(item.get("quantity", 1)),
        metadata=params.get("metadata", {}),
        current_period_end=in_future(),
    )


def test_subscribe_sends_one_request_when_plan_and_customer_are_known(customer, fake_stripe):
    fake_stripe.route("post", "/v1/subscriptions", new_subscription)
    trial_end = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)

    with stripe_api.count_requests() as requests:
        subscription = customer.subscribe(
            Plan.objects.get(stripe_id="gold"),
            charge_immediately=False,
            application_fee_percent=Decimal("5.5"),
            coupon=Coupon.sync_from_stripe_data(load_fixture("coupon")),
            quantity=2,
            metadata={"order": "42"},
            tax_percent=Decimal("12.50"),
            trial_end=trial_end,
        )

    assert requests.requests == [("POST", "/v1/subscriptions")]
    assert fake_stripe.last.params == {
        "customer": CUSTOMER_ID,
        "items": [{"plan": "gold", "quantity": "2"}],
        "application_fee_percent": "5.5",
        "coupon": "25OFF",
        "metadata": {"order": "42"},
        "tax_percent": "12.50",
        "trial_end": str(int(trial_end.timestamp())),
    }
    assert isinstance(subscription, Subscription)
    assert (subscription.stripe_id, subscription.quantity) == ("sub_New1", 2)
    assert subscription.customer == customer
    assert subscription.plan.stripe_id == "gold"


def test_subscribe_takes_a_plan_id_and_a_trial_ending_now(customer, fake_stripe):
    fake_stripe.route("post", "/v1/subscriptions", new_subscription)

    customer.subscribe("gold", charge_immediately=False, trial_end="now")

    assert fake_stripe.last.params == {
        "customer": CUSTOMER_ID,
        "items": [{"plan": "gold"}],
        "trial_end": "now",
    }


def test_subscribe_charging_immediately_sends_an_invoice(customer, fake_stripe):
    fake_stripe.route("post", "/v1/subscriptions", new_subscription)
    # Stripe invoiced the new subscription itself: there is nothing left to invoice.
    nothing = error_body(400, "Nothing to invoice for customer")
    fake_stripe.route("post", "/v1/invoices", nothing)

    with stripe_api.count_requests() as requests:
        subscription = customer.subscribe("gold")

    assert requests.requests == [("POST", "/v1/subscriptions"), ("POST", "/v1/invoices")]
    assert fake_stripe.last.params == {"customer": CUSTOMER_ID}
    assert subscription.stripe_id == "sub_New1"


def test_subscribe_for_a_live_customer_uses_the_live_key(live_customer, fake_stripe):
    fake_stripe.route(
        "post",
        "/v1/subscriptions",
        lambda r: {**new_subscription(r), "livemode": True},
    )

    subscription = live_customer.subscribe("gold", charge_immediately=False)

    assert fake_stripe.last.header("Authorization") == LIVE_KEY
    assert subscription.livemode is True


# -- charge ---------------------------------------------------------------------------------


def test_charge_sends_minor_units_and_mirrors_the_charge(customer, fake_stripe):
    fake_stripe.route("post", "/v1/charges", new_charge)
    card = Card.objects.get(stripe_id=CARD_ID)
    shipping = {"name": "Jenny Rosen", "address": {"line1": "510 Townsend St"}}

    with stripe_api.count_requests() as requests:
        charge = customer.charge(
            Decimal("20.00"),
            capture=False,
            description="Pro plan",
            metadata={"order": "42"},
            shipping=shipping,
            source=card,
            statement_descriptor="DJSTRIPE",
        )

    assert requests.requests == [("POST", "/v1/charges")]
    assert fake_stripe.last.params == {
        "customer": CUSTOMER_ID,
        "amount": "2000",
        "currency": "usd",
        "capture": "false",
        "description": "Pro plan",
        "metadata": {"order": "42"},
        "shipping": shipping,
        "source": CARD_ID,
        "statement_descriptor": "DJSTRIPE",
        "expand": ["balance_transaction"],
    }
    assert isinstance(charge, Charge)
    stored = Charge.objects.get(stripe_id="ch_New1")
    assert stored == charge
    assert (stored.amount, stored.currency, stored.captured) == (Decimal("20.00"), "usd", False)
    assert stored.customer == customer
    assert stored.source_id == CARD_ID


def test_charge_sends_a_fee_and_a_destination_in_minor_units(customer, fake_stripe):
    fake_stripe.route("post", "/v1/charges", new_charge)

    customer.charge(
        Decimal("10"),
        application_fee=Decimal("1.50"),
        destination=Account(stripe_id="acct_1CPJF9F5yC65fO41"),
    )

    params = fake_stripe.last.params
    assert (params["amount"], params["application_fee"]) == ("1000", "150")
    assert params["destination"] == "acct_1CPJF9F5yC65fO41"


def test_charge_in_a_zero_decimal_currency_is_not_multiplied(customer, fake_stripe):
    fake_stripe.route("post", "/v1/charges", new_charge)

    charge = customer.charge(Decimal("500"), currency="JPY")

    assert (fake_stripe.last.params["amount"], fake_stripe.last.params["currency"]) == (
        "500",
        "jpy",
    )
    assert charge.amount == Decimal("500")


@pytest.mark.parametrize("customer_currency, sent", [("eur", "eur"), (None, "usd")])
def test_charge_currency_defaults_to_the_customers_else_usd(
    customer, fake_stripe, customer_currency, sent
):
    fake_stripe.route("post", "/v1/charges", new_charge)
    Customer.objects.filter(pk=customer.pk).update(currency=customer_currency)
    customer.refresh_from_db()

    customer.charge(5)

    assert fake_stripe.last.params["currency"] == sent
    assert fake_stripe.last.params["amount"] == "500"


@pytest.mark.parametrize("amount", [20.0, "20.00", True, None])
def test_charge_refuses_amounts_that_are_not_decimals_before_any_request(
    customer, fake_stripe, amount
):
    with pytest.raises(TypeError, match="Decimal"):
        customer.charge(amount)
    assert fake_stripe.requests == []


def test_charge_for_a_live_customer_uses_the_live_key(live_customer, fake_stripe):
    fake_stripe.route("post", "/v1/charges", lambda r: {**new_charge(r), "livemode": True})

    charge = live_customer.charge(Decimal("1.00"))

    assert fake_stripe.last.header("Authorization") == LIVE_KEY
    assert charge.livemode is True


# -- add_invoice_item -----------------------------------------------------------------------


def new_invoice_item(request):
    params = request.params
    return load_fixture(
        "invoiceitem",
        id="ii_New1",
        amount=int(params["amount"]),
        currency=params["currency"],
        customer=params["customer"],
        description=params.get("description"),
        discountable=params.get("discountable") != "false",
        invoice=params.get("invoice"),
        subscription=params.get("subscription"),
        metadata=params.get("metadata", {}),
    )


def test_add_invoice_item_sends_minor_units_and_mirrors_the_item(customer, fake_stripe):
    fake_stripe.route("post", "/v1/invoiceitems", new_invoice_item)
    subscription = Subscription.objects.get(stripe_id=SUBSCRIPTION_ID)

    with stripe_api.count_requests() as requests:
        item = customer.add_invoice_item(
            Decimal("-5.00"),
            "USD",
            description="Goodwill credit",
            discountable=False,
            metadata={"reason": "outage"},
            subscription=subscription,
        )

    assert requests.requests == [("POST", "/v1/invoiceitems")]
    assert fake_stripe.last.params == {
        "customer": CUSTOMER_ID,
        "amount": "-500",
        "currency": "usd",
        "description": "Goodwill credit",
        "discountable": "false",
        "metadata": {"reason": "outage"},
        "subscription": SUBSCRIPTION_ID,
    }
    assert isinstance(item, InvoiceItem)
    stored = InvoiceItem.objects.get(stripe_id="ii_New1")
    assert (stored.amount, stored.discountable) == (Decimal("-5.00"), False)
    assert stored.invoice_id is None
    assert (stored.customer, stored.subscription) == (customer, subscription)


def test_add_invoice_item_to_an_invoice_given_by_id(customer, fake_stripe):
    fake_stripe.route("post", "/v1/invoiceitems", new_invoice_item)
    fake_stripe.store([load_fixture("invoice"), load_fixture("charge")])

    item = customer.add_invoice_item(500, "jpy", invoice=INVOICE_ID)

    assert fake_stripe.requests[0].params == {
        "customer": CUSTOMER_ID,
        "amount": "500",
        "currency": "jpy",
        "invoice": INVOICE_ID,
    }
    assert item.invoice.stripe_id == INVOICE_ID
    assert item.amount == Decimal("500")


def test_add_invoice_item_refuses_a_float(customer, fake_stripe):
    with pytest.raises(TypeError):
        customer.add_invoice_item(5.0, "usd")
    assert fake_stripe.requests == []


# -- add_card ---------------------------------------------------------------------------------


def new_card(request):
    return load_fixture("card", id="card_New1", last4="1881", customer=CUSTOMER_ID)


def test_add_card_attaches_it_and_makes_it_the_default(customer, fake_stripe):
    fake_stripe.route("post", SOURCES_PATH, new_card)

    with stripe_api.count_requests() as requests:
        card = customer.add_card("tok_visa")

    assert requests.requests == [("POST", SOURCES_PATH), ("POST", CUSTOMER_PATH)]
    assert fake_stripe.requests[0].params == {"source": "tok_visa"}
    assert fake_stripe.requests[1].params == {"default_source": "card_New1"}
    assert isinstance(card, Card)
    assert (card.stripe_id, card.last4, card.customer) == ("card_New1", "1881", customer)
    customer.refresh_from_db()
    assert customer.default_source_id == "card_New1"
    assert set(customer.legacy_cards.values_list("stripe_id", flat=True)) == {CARD_ID, "card_New1"}


def test_add_card_without_making_it_the_default(customer, fake_stripe):
    fake_stripe.route("post", SOURCES_PATH, new_card)

    with stripe_api.count_requests() as requests:
        customer.add_card("tok_visa", set_default=False)

    assert requests.requests == [("POST", SOURCES_PATH)]
    customer.refresh_from_db()
    assert customer.default_source_id == CARD_ID


def test_add_card_mirrors_a_source_as_a_source(customer, fake_stripe):
    fake_stripe.route("post", SOURCES_PATH, load_fixture("source"))

    source = customer.add_card(SOURCE_ID)

    assert fake_stripe.requests[0].params == {"source": SOURCE_ID}
    assert isinstance(source, Source)
    customer.refresh_from_db()
    assert customer.default_source_id == SOURCE_ID


@pytest.mark.parametrize("fault, error", FAILURES)
def test_add_card_whose_default_fails_keeps_the_card_and_the_old_default(
    customer, fake_stripe, fault, error
):
    fake_stripe.route("post", SOURCES_PATH, new_card)
    fail(fake_stripe, "post", CUSTOMER_PATH, fault)

    with pytest.raises(error):
        customer.add_card("tok_visa")

    # The card is attached in Stripe, so it is mirrored; the default did not change.
    assert Card.objects.filter(stripe_id="card_New1", customer=customer).exists()
    customer.refresh_from_db()
    assert customer.default_source_id == CARD_ID


def test_add_card_for_a_live_customer_uses_the_live_key(live_customer, fake_stripe):
    path = f"/v1/customers/{LIVE_CUSTOMER_ID}/sources"
    card = load_fixture("card", id="card_Live1", customer=LIVE_CUSTOMER_ID)
    fake_stripe.route("post", path, card)

    live_customer.add_card("tok_visa")

    assert [r.header("Authorization") for r in fake_stripe.requests] == [LIVE_KEY, LIVE_KEY]
    assert Card.objects.get(stripe_id="card_Live1").livemode is True


# -- add_coupon -----------------------------------------------------------------------------


def test_add_coupon_sends_its_id_and_mirrors_the_discount(customer, fake_stripe):
    fake_stripe.route("post", CUSTOMER_PATH, load_fixture("customer_discount"))
    coupon = Coupon.sync_from_stripe_data(load_fixture("coupon"))

    with stripe_api.count_requests() as requests:
        updated = customer.add_coupon(coupon, idempotency_key="coupon-once")

    assert requests.requests == [("POST", CUSTOMER_PATH)]
    assert fake_stripe.last.params == {"coupon": "25OFF"}
    assert fake_stripe.last.header("Idempotency-Key") == "coupon-once"
    assert updated == customer
    assert updated.coupon_id == "25OFF"
    assert updated.coupon_start is not None


def test_add_coupon_takes_an_id(customer, fake_stripe):
    fake_stripe.route("post", CUSTOMER_PATH, load_fixture("customer_discount"))

    customer.add_coupon("25OFF")

    assert fake_stripe.last.params == {"coupon": "25OFF"}
    assert Customer.objects.get(pk=customer.pk).coupon.stripe_id == "25OFF"


# -- purge ----------------------------------------------------------------------------------


def assert_purged(customer):
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.date_purged is not None
    assert (stored.subscriber, stored.default_source) == (None, None)
    assert not Card.objects.filter(customer=stored).exists()
    assert not IdempotencyKey.objects.filter(action__startswith="customer:create:").exists()


def test_purge_deletes_in_stripe_then_forgets_the_subscriber_and_payment_data(
    customer, fake_stripe
):
    Charge.sync_from_stripe_data(load_fixture("charge_jpy"))
    fake_stripe.reset_requests()

    with stripe_api.count_requests() as requests:
        customer.purge()

    assert requests.requests == [("DELETE", CUSTOMER_PATH)]
    assert_purged(customer)
    assert (customer.date_purged is not None, customer.subscriber_id) == (True, None)
    # The row stays, so its charges keep their customer.
    assert Charge.objects.get(stripe_id="ch_1CQ2mWF5yC65fO41Jq8Ty3Lk").customer == customer


def test_purge_of_a_customer_stripe_no_longer_has_purges_it_here(customer, fake_stripe):
    fail(fake_stripe, "delete", CUSTOMER_PATH, 404)

    customer.purge()

    assert_purged(customer)


@pytest.mark.parametrize("fault, error", [p for p in FAILURES if p.values[0] != 404])
def test_purge_failure_leaves_the_mirror_unchanged(customer, fake_stripe, fault, error):
    before = mirror()
    fail(fake_stripe, "delete", CUSTOMER_PATH, fault)

    with pytest.raises(error):
        customer.purge()

    assert mirror() == before


def test_deleting_the_subscriber_purges_its_customers(customer, fake_stripe, subscriber):
    subscriber.delete()

    assert fake_stripe.count("delete", CUSTOMER_PATH) == 1
    assert_purged(customer)


def test_a_stripe_failure_stops_the_deletion_of_the_subscriber(
    customer, fake_stripe, subscriber, django_user_model
):
    before = mirror()
    fail(fake_stripe, "delete", CUSTOMER_PATH, 429)

    with pytest.raises(stripe.RateLimitError), transaction.atomic():
        subscriber.delete()

    assert django_user_model.objects.filter(pk=customer.subscriber_id).exists()
    assert mirror() == before


def test_purge_of_a_live_customer_uses_the_live_key(live_customer, fake_stripe):
    live_customer.purge()

    assert fake_stripe.last.header("Authorization") == LIVE_KEY
    assert live_customer.date_purged is not None


# -- send_invoice and retry_unpaid_invoices ------------------------------------------------


def open_invoice(**overrides):
    fields = {"paid": False, "closed": False, "charge": None, "attempted": False}
    return load_fixture("invoice", **{"id": "in_Open1", **fields, **overrides})


def pay(request):
    invoice_id = request.path_params["invoice"]
    return open_invoice(id=invoice_id, paid=True, closed=True, attempted=True, charge="ch_Paid1")


@pytest.fixture
def stripe_pays(fake_stripe):
    """Stripe pays an invoice with a new charge, which a retrieve then finds."""
    fake_stripe.route("post", "/v1/invoices/{invoice}/pay", pay)
    fake_stripe.store(load_fixture("charge", id="ch_Paid1", invoice="in_Open1", refunds=None))
    return fake_stripe


def test_send_invoice_creates_and_pays_an_invoice(customer, stripe_pays):
    stripe_pays.route("post", "/v1/invoices", open_invoice())

    with stripe_api.count_requests() as requests:
        assert customer.send_invoice() is True

    assert requests.requests == [
        ("POST", "/v1/invoices"),
        ("POST", "/v1/invoices/in_Open1/pay"),
        ("GET", "/v1/charges/ch_Paid1"),
    ]
    assert stripe_pays.requests[0].params == {"customer": CUSTOMER_ID}
    invoice = Invoice.objects.get(stripe_id="in_Open1")
    assert (invoice.paid, invoice.charge_id, invoice.customer) == (True, "ch_Paid1", customer)


def test_send_invoice_with_nothing_to_invoice_returns_false(customer, fake_stripe):
    code = "invoice_no_customer_line_items"
    error = error_body(400, "Nothing to invoice for customer", code=code)
    fake_stripe.route("post", "/v1/invoices", error)
    before = mirror()

    assert customer.send_invoice() is False

    assert fake_stripe.count() == 1
    assert mirror() == before


def test_send_invoice_whose_payment_is_declined_keeps_the_unpaid_invoice(customer, fake_stripe):
    fake_stripe.route("post", "/v1/invoices", open_invoice())
    fail(fake_stripe, "post", "/v1/invoices/in_Open1/pay", 402)

    with pytest.raises(stripe.CardError):
        customer.send_invoice()

    assert Invoice.objects.get(stripe_id="in_Open1").paid is False


def test_retry_unpaid_invoices_retries_only_the_open_ones(customer, stripe_pays):
    Invoice.sync_from_stripe_data(open_invoice())
    Invoice.sync_from_stripe_data(open_invoice(id="in_Closed1", closed=True))
    stripe_pays.reset_requests()

    customer.retry_unpaid_invoices()

    assert [r.path for r in stripe_pays.requests if r.method == "post"] == [
        "/v1/invoices/in_Open1/pay"
    ]
    assert Invoice.objects.get(stripe_id="in_Open1").paid is True
    assert Invoice.objects.get(stripe_id="in_Closed1").paid is False


# -- upcoming_invoice -----------------------------------------------------------------------


def test_upcoming_invoice_previews_this_customers_next_invoice(customer, fake_stripe):
    fake_stripe.route("get", "/v1/invoices/upcoming", load_fixture("upcoming_invoice"))

    upcoming = customer.upcoming_invoice(coupon="25OFF")

    assert fake_stripe.last.params == {"customer": CUSTOMER_ID, "coupon": "25OFF"}
    assert isinstance(upcoming, UpcomingInvoice)
    assert upcoming.customer == customer


def test_upcoming_invoice_of_a_live_customer_uses_the_live_key(live_customer, fake_stripe):
    data = load_fixture("upcoming_invoice", customer=LIVE_CUSTOMER_ID, livemode=True)
    fake_stripe.route("get", "/v1/invoices/upcoming", data)

    live_customer.upcoming_invoice()

    assert fake_stripe.last.header("Authorization") == LIVE_KEY


# -- failures of every call: the mirror stays as it was ------------------------------------

CALLS = [
    pytest.param(
        lambda c: c.subscribe("gold", charge_immediately=False),
        "post",
        "/v1/subscriptions",
        id="subscribe",
    ),
    pytest.param(lambda c: c.charge(Decimal("10.00")), "post", "/v1/charges", id="charge"),
    pytest.param(
        lambda c: c.add_invoice_item(Decimal("5.00"), "usd"),
        "post",
        "/v1/invoiceitems",
        id="add_invoice_item",
    ),
    pytest.param(lambda c: c.add_card("tok_visa"), "post", SOURCES_PATH, id="add_card"),
    pytest.param(lambda c: c.add_coupon("25OFF"), "post", CUSTOMER_PATH, id="add_coupon"),
    pytest.param(lambda c: c.send_invoice(), "post", "/v1/invoices", id="send_invoice"),
    pytest.param(
        lambda c: c.upcoming_invoice(), "get", "/v1/invoices/upcoming", id="upcoming_invoice"
    ),
]


@pytest.mark.parametrize("call, method, path", CALLS)
@pytest.mark.parametrize("fault, error", FAILURES)
def test_a_failed_call_leaves_the_mirror_unchanged(
    customer, fake_stripe, call, method, path, fault, error
):
    before = mirror()
    fail(fake_stripe, method, path, fault)

    with pytest.raises(error):
        call(customer)

    assert fake_stripe.count() == 1
    assert mirror() == before


# -- balance, sources and subscriptions, read from the mirror ------------------------------


@pytest.mark.parametrize(
    "balance, currency, credits, pending",
    [
        (-1500, "usd", Decimal("15.00"), Decimal("0.00")),
        (2500, "usd", Decimal("0.00"), Decimal("25.00")),
        (0, "usd", Decimal("0.00"), Decimal("0.00")),
        (-500, "jpy", Decimal("500"), Decimal("0")),
    ],
)
def test_credits_and_pending_charges_read_the_account_balance(
    customer, balance, currency, credits, pending
):
    customer.account_balance, customer.currency = balance, currency

    assert (customer.credits, customer.pending_charges) == (credits, pending)


def test_a_customer_with_a_default_source_can_be_charged_until_purged(customer):
    assert customer.has_valid_source() and customer.can_charge()

    customer.default_source = None
    assert not customer.has_valid_source() and not customer.can_charge()

    customer.default_source_id, customer.date_purged = CARD_ID, timezone.now()
    assert customer.has_valid_source() and not customer.can_charge()


def test_legacy_cards_are_the_customers_cards(customer):
    assert list(customer.legacy_cards.values_list("stripe_id", flat=True)) == [CARD_ID]


def add_subscription(stripe_id, status="active", plan="gold", **overrides):
    data = load_fixture("subscription", id=stripe_id, status=status, **overrides)
    data["plan"]["id"] = plan
    data["items"]["data"][0]["plan"]["id"] = plan
    return Subscription.sync_from_stripe_data(data)


@pytest.fixture
def subscriptions(customer):
    """The fixture's subscription (its period over), a current one, a trial and a canceled one."""
    now = int(timezone.now().timestamp())
    add_subscription("sub_Current", current_period_end=in_future())
    add_subscription("sub_Trial", status="trialing", plan="silver", current_period_end=in_future())
    add_subscription("sub_Gone", status="canceled", ended_at=now, current_period_end=in_future())
    return customer


def ids(queryset):
    return set(queryset.values_list("stripe_id", flat=True))


def test_subscription_querysets(subscriptions):
    customer = subscriptions

    assert ids(customer.valid_subscriptions) == {SUBSCRIPTION_ID, "sub_Current", "sub_Trial"}
    assert ids(customer.active_subscriptions) == {"sub_Current", "sub_Trial"}


def test_has_active_subscription_to_a_plan(subscriptions):
    customer = subscriptions

    assert customer.has_active_subscription(Plan.objects.get(stripe_id="gold"))
    assert customer.has_active_subscription("silver")
    assert not customer.has_active_subscription("platinum")
    assert customer.has_any_active_subscription()


def test_has_active_subscription_without_a_plan_needs_a_single_valid_subscription(subscriptions):
    with pytest.raises(TypeError):
        subscriptions.has_active_subscription()
    with pytest.raises(MultipleSubscriptionException):
        subscriptions.subscription  # noqa: B018


def test_the_one_valid_subscription(customer):
    only = Subscription.objects.get(stripe_id=SUBSCRIPTION_ID)

    assert customer.subscription == only
    # Its period ended in 2018: it is valid (not canceled) but not active.
    assert customer.has_active_subscription() is False
    assert customer.has_any_active_subscription() is False

    Subscription.objects.filter(pk=only.pk).update(
        current_period_end=timezone.now() + datetime.timedelta(days=1)
    )
    assert customer.has_active_subscription() is True


def test_no_subscription(live_customer):
    assert live_customer.subscription is None
    assert live_customer.has_active_subscription() is False
    assert live_customer.has_any_active_subscription() is False
