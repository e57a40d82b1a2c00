"""djstripe_sync_models and the other sync commands: what they cost, and what they report."""

import json
import math
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from djstripe import stripe_api
from djstripe.models import (
    Card,
    Charge,
    Coupon,
    Customer,
    Dispute,
    FileUpload,
    Invoice,
    InvoiceItem,
    Payout,
    Plan,
    Product,
    Refund,
    Subscription,
    Transfer,
)
from djstripe.sync import sync_model
from tests.fake_stripe import FIXTURES_DIR, load_fixture

pytestmark = pytest.mark.django_db

# The fixtures' ids, and the prefix each gets in copy n of a fixture.
COPY_IDS = {
    "cus_Cox9sWuLoPAaA8": "cus_n",
    "card_1CPJFDF5yC65fO41pVKlqPJO": "card_n",
    "sub_CpJxjJHucuaF7o": "sub_n",
    "si_CpJxEBgGb9Oeyz": "si_n",
    "in_1CPfJYF5yC65fO41BRDG97XG": "in_n",
    "ii_1CPfJYF5yC65fO41OvzfhxVu": "ii_n",
    "ch_1CPfJXF5yC65fO414nRpaepi": "ch_n",
    "re_1CPfJXF5yC65fO41oOoVHNp6": "re_n",
}

# Per page of customers (each with its card and subscription embedded), whatever
# its size: the query for which customers exist already, the savepoint pair,
# the one query checking the ids given bare (the plans' product), and one
# upsert per model: Customer, PaymentMethod, Card, Plan, Subscription.
QUERIES_PER_CUSTOMER_PAGE = 9

# One of everything the default models list.
WORLD = [
    "file_upload",
    "product",
    "plan",
    "coupon",
    "customer",
    "subscription",
    "subscription_canceled",
    "invoice",
    "invoiceitem",
    "charge",
    "refund",
    "transfer",
]
LISTS = [
    "/v1/files",
    "/v1/products",
    "/v1/plans",
    "/v1/coupons",
    "/v1/customers",
    "/v1/subscriptions",
    "/v1/invoices",
    "/v1/invoiceitems",
    "/v1/charges",
    "/v1/refunds",
    "/v1/disputes",
    "/v1/payouts",
    "/v1/transfers",
]


def copy_of(name, n, **overrides):
    """Fixture ``name`` with the ids of the fixtures' customer (and what it owns) renamed."""
    text = (FIXTURES_DIR / f"{name}.json").read_text()
    for old, prefix in COPY_IDS.items():
        text = text.replace(old, f"{prefix}{n:05d}")
    return {**json.loads(text), **overrides}


def customers(count, start=0):
    """Customers with a card and a subscription each (both embedded), and their plan's product."""
    return [copy_of("customer", n) for n in range(start, start + count)]


def sync(*args, **options):
    """Run djstripe_sync_models; return (stdout, stderr)."""
    out, err = options.pop("stdout", None) or StringIO(), options.pop("stderr", None) or StringIO()
    call_command("djstripe_sync_models", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def product(fake_stripe):
    """The product of the fixtures' plan, mirrored already."""
    return Product.sync_from_stripe_data(load_fixture("product"))


# -- budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [50, 250])
def test_customers_cost_one_request_and_the_same_queries_per_page(fake_stripe, product, count):
    fake_stripe.store(customers(count))
    queries_after_page = []

    with stripe_api.count_requests() as requests, CaptureQueriesContext(connection) as queries:
        report = sync_model(
            Customer,
            "sk_test_djstripe",
            on_progress=lambda report: queries_after_page.append(len(queries)),
        )

    pages = math.ceil(count / 100)
    assert requests.requests == [("GET", "/v1/customers")] * pages
    assert [r.params["limit"] for r in fake_stripe.requests] == ["100"] * pages
    assert fake_stripe.requests[0].params["expand"] == ["data.default_source"]
    per_page = [b - a for a, b in pairwise([0, *queries_after_page])]
    # Pages of 100 and of 50 cost the same: nothing is queried per object.
    assert per_page == [QUERIES_PER_CUSTOMER_PAGE] * pages, [q["sql"][:60] for q in queries]
    assert (report.synced, report.created, report.updated, report.failed) == (count, count, 0, 0)
    assert Customer.objects.count() == count
    assert Card.objects.count() == count
    assert Subscription.objects.count() == count
    assert Customer.objects.filter(default_source__isnull=True).count() == 0


def test_every_default_model_is_listed_once_with_nothing_fetched_per_object(fake_stripe):
    fake_stripe.store([load_fixture(name) for name in WORLD])

    with stripe_api.count_requests() as requests:
        out, err = sync()

    assert requests.requests == [("GET", path) for path in LISTS]
    for model in (FileUpload, Product, Plan, Coupon, Customer, Card, Invoice, InvoiceItem):
        assert model.objects.exists(), model
    for model in (Charge, Refund, Transfer):
        assert model.objects.exists(), model
    assert Subscription.objects.count() == 2
    assert not Dispute.objects.exists() and not Payout.objects.exists()
    assert "Customer: 1 synced" in out and err == ""


def test_canceled_subscriptions_are_synced_too(fake_stripe, product):
    fake_stripe.store(customers(3))
    fake_stripe.store(
        [copy_of("subscription_canceled", n, id=f"sub_Canceled{n}") for n in range(3)]
    )

    sync("Customer", "Subscription")

    assert fake_stripe.requests[-1].params["status"] == "all"
    assert Subscription.objects.filter(status="canceled").count() == 3
    assert Subscription.objects.count() == 6
    assert len(fake_stripe.requests) == 2


def test_every_line_of_a_long_invoice_is_synced(fake_stripe, product):
    long_invoice = load_fixture("invoice_long")
    lines = long_invoice["lines"]["data"] + load_fixture("invoice_long_lines_page2")["data"]
    fake_stripe.store([load_fixture("customer"), load_fixture("charge"), long_invoice])
    fake_stripe.store_lines(long_invoice["id"], lines)
    sync("Customer")
    fake_stripe.reset_requests()

    sync("Invoice")

    invoice = Invoice.objects.get(stripe_id=long_invoice["id"])
    assert invoice.invoiceitems.count() == 4
    assert [r.path for r in fake_stripe.requests] == [
        "/v1/invoices",
        f"/v1/invoices/{long_invoice['id']}/lines",
    ]


def test_pages_are_written_as_they_come(fake_stripe, product):
    """Each page is written before the next is asked for: nothing is collected first."""
    fake_stripe.store(customers(250))
    mirrored_when_asked = []

    def record(request):
        mirrored_when_asked.append(Customer.objects.count())
        return None  # the store answers

    fake_stripe.route("get", "/v1/customers", record)
    sync("Customer")

    assert mirrored_when_asked == [0, 100, 200]


# -- reports ------------------------------------------------------------------------------


def test_first_run_creates_second_run_updates(fake_stripe, product):
    fake_stripe.store(customers(120))

    first, _ = sync("Customer")
    second, _ = sync("customer")  # model names are not case-sensitive

    assert "Customer: 120 synced (120 created, 0 updated), 0 failed" in first
    assert "Customer: 120 synced (0 created, 120 updated), 0 failed" in second
    assert Customer.objects.count() == 120


def test_a_bad_object_is_reported_and_the_others_are_synced(fake_stripe, product):
    fake_stripe.store(customers(5))
    fake_stripe.store(copy_of("customer", 2, account_balance="a lot"))

    with pytest.raises(CommandError) as raised:
        sync("Customer")

    assert raised.value.returncode == 1
    assert set(Customer.objects.values_list("stripe_id", flat=True)) == {
        "cus_n00000",
        "cus_n00001",
        "cus_n00003",
        "cus_n00004",
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite does not enforce a column's length"
)
def test_a_value_the_database_refuses_fails_that_object_only(fake_stripe, product):
    fake_stripe.store(customers(3))
    fake_stripe.store(copy_of("customer", 1, business_vat_id="X" * 21))  # varchar(20)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        sync("Customer", stdout=out, stderr=err)

    assert "Customer cus_n00001: DataError" in err.getvalue()
    assert "Customer: 2 synced (2 created, 0 updated), 1 failed" in out.getvalue()
    assert Customer.objects.count() == 2


def test_failures_name_the_object_and_the_reason(fake_stripe, product):
    fake_stripe.store(customers(3))
    fake_stripe.store(copy_of("customer", 1, account_balance="a lot"))
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        sync("Customer", stdout=out, stderr=err)

    assert "Customer cus_n00001: StripeDataError: Customer.account_balance" in err.getvalue()
    assert "Customer: 2 synced (2 created, 0 updated), 1 failed" in out.getvalue()


def test_a_stripe_error_fetching_what_an_object_points_at_fails_that_object(fake_stripe, product):
    fake_stripe.store(customers(2))
    sync("Customer")
    # Two charges: one of a mirrored invoice... and one of an invoice Stripe fails to give.
    fake_stripe.store(copy_of("invoice", 0, charge=None))
    sync("Invoice")
    fake_stripe.store([copy_of("charge", 0), copy_of("charge", 1)])
    fake_stripe.fail("get", "/v1/invoices/in_n00001", status=500, times=None)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        sync("Charge", stdout=out, stderr=err)

    assert set(Charge.objects.values_list("stripe_id", flat=True)) == {"ch_n00000"}
    assert "Charge ch_n00001: APIError" in err.getvalue()
    assert "Charge: 1 synced (1 created, 0 updated), 1 failed" in out.getvalue()


def test_a_failed_list_page_stops_that_model_only(fake_stripe, product):
    fake_stripe.store(customers(150))
    fake_stripe.store(load_fixture("coupon"))
    fake_stripe.route(
        "get",
        "/v1/customers",
        lambda request: (
            (500, {"error": {"type": "api_error", "message": "down"}})
            if request.params.get("starting_after")
            else None
        ),
    )
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        sync("Customer", "Coupon", stdout=out, stderr=err)

    assert Customer.objects.count() == 100
    assert Coupon.objects.count() == 1
    assert "Customer: listing stopped: APIError: down" in err.getvalue()


def test_progress_is_shown_every_ten_pages(fake_stripe):
    fake_stripe.store(
        [load_fixture("coupon", id=f"C{n:04}", created=1525822428 + n) for n in range(1001)]
    )

    out, _ = sync("Coupon")

    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Coupon: 1000 synced, 0 failed (") and lines[0].endswith("/s)")
    assert lines[1].startswith("Coupon: 1001 synced (1001 created, 0 updated), 0 failed")
    assert sync("Coupon", verbosity=0)[0].count("\n") == 1


# -- options --------------------------------------------------------------------------------


def test_an_unknown_model_is_refused_with_the_choices(fake_stripe):
    with pytest.raises(CommandError, match="Unknown model.*Widget.*Choose among: .*Customer"):
        sync("Customer", "Widget")
    assert fake_stripe.requests == []


def test_account_and_event_are_synced_only_when_named(fake_stripe):
    fake_stripe.store([load_fixture("account"), load_fixture("file_upload")])

    sync("Event", "Account", "FileUpload")

    # In the order where what an account points at (its logo, a file) comes first.
    assert [r.path for r in fake_stripe.requests] == ["/v1/files", "/v1/accounts", "/v1/events"]


@pytest.mark.parametrize(
    "options, key",
    [
        pytest.param({}, "sk_test_djstripe", id="configured mode"),
        pytest.param({"livemode": True}, "sk_live_djstripe", id="livemode"),
        pytest.param({"testmode": True}, "sk_test_djstripe", id="testmode"),
        pytest.param({"api_key": "sk_test_other"}, "sk_test_other", id="api key"),
    ],
)
def test_the_key_is_chosen_by_mode_or_given(fake_stripe, options, key):
    sync("Coupon", **options)

    assert fake_stripe.last.header("Authorization") == f"Bearer {key}"


@override_settings(STRIPE_LIVE_MODE=True)
def test_the_configured_mode_is_the_default(fake_stripe):
    sync("Coupon")

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


# -- the other commands ---------------------------------------------------------------------


def test_sync_plans_from_stripe_brings_their_products(fake_stripe):
    fake_stripe.store([load_fixture("product"), load_fixture("plan"), load_fixture("plan_jpy")])
    out = StringIO()

    call_command("djstripe_sync_plans_from_stripe", stdout=out)

    assert [(r.path, r.params["expand"]) for r in fake_stripe.requests] == [
        ("/v1/plans", ["data.product"])
    ]
    assert Plan.objects.count() == 2
    assert Plan.objects.get(stripe_id="gold").product.name == "Gold Special"
    assert out.getvalue() == "Synced 2 plan(s) (2 created, 0 updated); 0 failed.\n"


@pytest.fixture
def subscribers(django_user_model, fake_stripe, product):
    """Jenny, whose customer is mirrored and in Stripe, and Ann, who has none yet."""
    jenny = django_user_model.objects.create(username="jenny", email="jenny.rosen@example.com")
    ann = django_user_model.objects.create(username="ann", email="ann@example.com")
    fake_stripe.store([load_fixture("customer"), load_fixture("card")])
    customer = Customer.sync_from_stripe_data(load_fixture("customer"))
    Customer.objects.filter(pk=customer.pk).update(subscriber=jenny)
    fake_stripe.reset_requests()
    return jenny, ann


@pytest.fixture
def created_customer(fake_stripe):
    """Stripe's answer to creating a customer (cus_Ann), which it then keeps."""

    def create(request):
        stripe_id = "cus_Ann"
        empty = {"object": "list", "data": [], "has_more": False, "url": ""}
        data = load_fixture(
            "customer",
            id=stripe_id,
            email=request.params["email"],
            metadata=request.params["metadata"],
            default_source=None,
            sources={**empty, "url": f"/v1/customers/{stripe_id}/sources"},
            subscriptions={**empty, "url": f"/v1/customers/{stripe_id}/subscriptions"},
        )
        fake_stripe.store(data)
        return data

    return create


def test_init_customers_creates_one_for_each_subscriber_without(
    fake_stripe, subscribers, created_customer
):
    jenny, ann = subscribers
    fake_stripe.route("post", "/v1/customers", created_customer)
    out = StringIO()

    call_command("djstripe_init_customers", stdout=out)

    assert [(r.method, r.path) for r in fake_stripe.requests] == [("post", "/v1/customers")]
    assert fake_stripe.last.params["metadata"] == {"djstripe_subscriber": str(ann.pk)}
    assert Customer.objects.get(subscriber=ann).stripe_id == "cus_Ann"
    assert out.getvalue().endswith("Created 1 customer(s); 0 failed.\n")

    call_command("djstripe_init_customers", stdout=out)
    assert len(fake_stripe.requests) == 1


def test_init_customers_reports_a_failure_and_goes_on(
    fake_stripe, django_user_model, created_customer
):
    for name in ("bea", "cid"):
        django_user_model.objects.create(username=name, email=f"{name}@example.com")
    fake_stripe.fail("post", "/v1/customers", status=429, times=1)
    fake_stripe.route("post", "/v1/customers", created_customer)
    err = StringIO()

    with pytest.raises(CommandError, match="1 subscriber"):
        call_command("djstripe_init_customers", stdout=StringIO(), stderr=err)

    assert "RateLimitError" in err.getvalue()
    assert Customer.objects.count() == 1


def test_sync_customers_syncs_each_subscriber(fake_stripe, subscribers, created_customer):
    jenny, ann = subscribers
    fake_stripe.route("post", "/v1/customers", created_customer)
    fake_stripe.store(load_fixture("subscription_canceled", id="sub_Canceled1"))
    out = StringIO()

    call_command("djstripe_sync_customers", stdout=out)

    jennys = Customer.objects.get(subscriber=jenny)
    assert jennys.subscriptions.filter(stripe_id="sub_Canceled1").exists()
    assert Customer.objects.get(subscriber=ann).stripe_id == "cus_Ann"
    assert out.getvalue().splitlines() == [
        f"Synced subscriber {jenny.pk} (jenny): customer cus_Cox9sWuLoPAaA8",
        f"Synced subscriber {ann.pk} (ann): customer cus_Ann",
        "Synced 2 subscriber(s); 0 failed.",
    ]


def test_sync_customers_reports_a_failure_and_goes_on(fake_stripe, subscribers, created_customer):
    jenny, ann = subscribers
    fake_stripe.route("post", "/v1/customers", created_customer)
    fake_stripe.fail("get", "/v1/customers/cus_Cox9sWuLoPAaA8", status=500)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 subscriber"):
        call_command("djstripe_sync_customers", stdout=out, stderr=err)

    assert f"Subscriber {jenny.pk} (jenny): APIError" in err.getvalue()
    assert "Synced 1 subscriber(s); 1 failed." in out.getvalue()
    assert Customer.objects.get(subscriber=ann).stripe_id == "cus_Ann"
