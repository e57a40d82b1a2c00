"""Invoice.upcoming and Invoice.retry: requests sent, mirror afterwards, failures."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from djstripe import stripe_api
from djstripe.models import Charge, Customer, Invoice, Plan, Subscription, UpcomingInvoice
from tests.fake_stripe import load_fixture
from tests.stripe_faults import FAILURES, PAYMENT_FAILURES, fail, row
from tests.times import epoch

pytestmark = pytest.mark.django_db

CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
LIVE_CUSTOMER_ID = "cus_D0Wq5vKbX2nRtE"
SUBSCRIPTION_ID = "sub_CpJxjJHucuaF7o"
ITEM_ID = "si_CpJxEBgGb9Oeyz"
INVOICE_ID = "in_1CPfJYF5yC65fO41BRDG97XG"
CHARGE_ID = "ch_1CPfJXF5yC65fO414nRpaepi"
UPCOMING_PATH = "/v1/invoices/upcoming"
PAY_PATH = f"/v1/invoices/{INVOICE_ID}/pay"


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE"}]


# -- Invoice.upcoming -------------------------------------------------------------------------


def test_upcoming_is_a_preview_built_in_memory(known_customer, fake_stripe):
    fake_stripe.route("get", UPCOMING_PATH, load_fixture("upcoming_invoice"))

    with stripe_api.count_requests() as requests, CaptureQueriesContext(connection) as queries:
        upcoming = Invoice.upcoming(customer=known_customer)

    assert requests.requests == [("GET", UPCOMING_PATH)]
    assert fake_stripe.last.params == {"customer": CUSTOMER_ID}
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_djstripe"
    assert isinstance(upcoming, UpcomingInvoice)
    assert upcoming.pk is None
    assert upcoming.customer == known_customer
    assert upcoming.total == 17.5
    assert upcoming.invoiceitems.count() == len(load_fixture("upcoming_invoice")["lines"]["data"])
    assert writes(queries) == []
    assert not Invoice.objects.exists()


def test_upcoming_preview_of_another_plan_for_the_subscription(known_customer, fake_stripe):
    fake_stripe.store(load_fixture("subscription"))
    fake_stripe.route("get", UPCOMING_PATH, load_fixture("upcoming_invoice"))
    subscription = Subscription.objects.get(stripe_id=SUBSCRIPTION_ID)
    plan = Plan.objects.get(stripe_id="gold")
    proration_date = timezone.now().replace(microsecond=0)
    trial_end = proration_date + datetime.timedelta(days=3)

    with CaptureQueriesContext(connection) as queries:
        upcoming = Invoice.upcoming(
            customer=CUSTOMER_ID,
            coupon="25OFF",
            subscription=subscription,
            subscription_plan=plan,
            subscription_prorate=True,
            subscription_proration_date=proration_date,
            subscription_quantity=2,
            subscription_trial_end=trial_end,
        )

    # The item's id is not mirrored: the subscription is read first.
    assert [(r.method, r.path) for r in fake_stripe.requests] == [
        ("get", f"/v1/subscriptions/{SUBSCRIPTION_ID}"),
        ("get", UPCOMING_PATH),
    ]
    assert fake_stripe.last.params == {
        "customer": CUSTOMER_ID,
        "coupon": "25OFF",
        "subscription": SUBSCRIPTION_ID,
        "subscription_items": [{"id": ITEM_ID, "plan": "gold", "quantity": "2"}],
        "subscription_prorate": "true",
        "subscription_proration_date": epoch(proration_date),
        "subscription_trial_end": epoch(trial_end),
    }
    assert upcoming is not None
    assert writes(queries) == []


def test_upcoming_preview_of_a_new_subscription_and_extra_parameters(known_customer, fake_stripe):
    fake_stripe.route("get", UPCOMING_PATH, load_fixture("upcoming_invoice"))

    Invoice.upcoming(customer=CUSTOMER_ID, subscription_plan="gold", expand=["customer"])

    assert fake_stripe.count() == 1
    assert fake_stripe.last.params == {
        "customer": CUSTOMER_ID,
        "subscription_items": [{"plan": "gold"}],
        "expand": ["customer"],
    }


def test_upcoming_for_a_live_customer_uses_the_live_key(fake_stripe):
    live = Customer.sync_from_stripe_data(load_fixture("customer_live"))
    preview = load_fixture("upcoming_invoice", customer=LIVE_CUSTOMER_ID, livemode=True)
    for line in preview["lines"]["data"]:
        line["livemode"] = True
    fake_stripe.route("get", UPCOMING_PATH, preview)
    Subscription.sync_from_stripe_data(
        load_fixture("subscription", customer=LIVE_CUSTOMER_ID, livemode=True)
    )

    upcoming = Invoice.upcoming(customer=live)

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"
    assert upcoming.livemode is True


def test_upcoming_with_an_explicit_key(known_customer, fake_stripe):
    fake_stripe.route("get", UPCOMING_PATH, load_fixture("upcoming_invoice"))

    Invoice.upcoming(api_key="sk_test_other", customer=known_customer)

    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_other"


def test_upcoming_is_none_when_stripe_has_nothing_to_preview(known_customer, fake_stripe):
    fake_stripe.fail(
        "get",
        UPCOMING_PATH,
        status=404,
        error={
            "code": "invoice_upcoming_none",
            "message": f"No upcoming invoices for customer: {CUSTOMER_ID}",
        },
    )

    assert Invoice.upcoming(customer=known_customer) is None
    assert fake_stripe.count() == 1


@pytest.mark.parametrize("fault, error", FAILURES)
def test_upcoming_failure_raises_and_writes_nothing(known_customer, fake_stripe, fault, error):
    # A 404 other than "nothing to preview" (here: no such customer) is an error.
    fail(fake_stripe, "get", UPCOMING_PATH, fault, code="resource_missing")

    with CaptureQueriesContext(connection) as queries, pytest.raises(error):
        Invoice.upcoming(customer=known_customer)

    assert writes(queries) == []


# -- Invoice.retry ----------------------------------------------------------------------------


def open_invoice_data(**overrides):
    unpaid = {"paid": False, "closed": False, "charge": None, "amount_paid": 0}
    return load_fixture("invoice", **{**unpaid, "amount_remaining": 2000, **overrides})


@pytest.fixture
def open_invoice(known_customer):
    return Invoice.sync_from_stripe_data(open_invoice_data())


def test_retry_pays_the_invoice_and_mirrors_it(open_invoice, fake_stripe):
    fake_stripe.route("post", PAY_PATH, load_fixture("invoice", charge=load_fixture("charge")))

    with stripe_api.count_requests() as requests:
        assert open_invoice.retry() is True

    assert requests.requests == [("POST", PAY_PATH)]
    assert fake_stripe.last.params == {"expand": ["charge"]}
    invoice = Invoice.objects.get(stripe_id=INVOICE_ID)
    assert invoice.paid is True
    assert invoice.status == "Paid"
    assert invoice.charge == Charge.objects.get(stripe_id=CHARGE_ID)


def test_retry_of_a_live_invoice_uses_the_live_key(fake_stripe):
    Customer.sync_from_stripe_data(load_fixture("customer_live"))
    data = open_invoice_data(id="in_live", customer=LIVE_CUSTOMER_ID, livemode=True, lines=None)
    live = Invoice.sync_from_stripe_data(data)
    fake_stripe.reset_requests()
    fake_stripe.route("post", "/v1/invoices/in_live/pay", {**data, "paid": True})

    assert live.retry() is True

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


@pytest.mark.parametrize(
    "state", [{"paid": True}, {"closed": True}, {"forgiven": True}], ids=lambda s: next(iter(s))
)
def test_retry_refuses_a_settled_invoice_without_a_request(known_customer, fake_stripe, state):
    invoice = Invoice.sync_from_stripe_data(open_invoice_data(**state))

    assert invoice.retry() is False

    assert fake_stripe.requests == []


def test_retry_refuses_a_preview(known_customer, fake_stripe):
    upcoming = UpcomingInvoice.sync_from_stripe_data(load_fixture("upcoming_invoice"))

    assert upcoming.retry() is False
    assert fake_stripe.requests == []


@pytest.mark.parametrize("fault, error", PAYMENT_FAILURES)
def test_retry_failure_leaves_the_mirror(open_invoice, fake_stripe, fault, error):
    before = row(Invoice, INVOICE_ID)
    fail(fake_stripe, "post", PAY_PATH, fault)

    with pytest.raises(error):
        open_invoice.retry()

    assert row(Invoice, INVOICE_ID) == before
    assert fake_stripe.count() == 1
