"""sync_subscriber() and subscriber_has_active_subscription(): requests, mirror, failures."""

import pytest
import stripe
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from djstripe import stripe_api
from djstripe.models import Card, Charge, Customer, Invoice, Product, Subscription
from djstripe.sync import sync_subscriber
from djstripe.utils import subscriber_has_active_subscription
from tests.fake_stripe import load_fixture
from tests.stripe_faults import mirror as every_row
from tests.times import in_future

pytestmark = pytest.mark.django_db

CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
LIVE_CUSTOMER_ID = "cus_D0Wq5vKbX2nRtE"
SUBSCRIPTION_ID = "sub_CpJxjJHucuaF7o"
INVOICE_ID = "in_1CPfJYF5yC65fO41BRDG97XG"
CHARGE_ID = "ch_1CPfJXF5yC65fO414nRpaepi"
CARD_ID = "card_1CPJFDF5yC65fO41pVKlqPJO"
LISTS = [
    ("GET", f"/v1/customers/{CUSTOMER_ID}"),
    ("GET", "/v1/subscriptions"),
    ("GET", "/v1/invoices"),
    ("GET", "/v1/charges"),
    ("GET", f"/v1/customers/{CUSTOMER_ID}/sources"),
]


def mirror():
    return every_row(Customer, Subscription, Invoice, Charge, Card)


@pytest.fixture
def stripe_account(fake_stripe):
    """Stripe holds the customer, its card, its invoice and charge, an active and a canceled
    subscription. The product is mirrored already."""
    Product.sync_from_stripe_data(load_fixture("product"))
    fake_stripe.store(
        [
            load_fixture("customer"),
            load_fixture("card"),
            load_fixture("subscription"),
            load_fixture("subscription_canceled", id="sub_Canceled1"),
            load_fixture("invoice"),
            load_fixture("charge"),
        ]
    )
    return fake_stripe


@pytest.fixture
def linked_customer(stripe_account, subscriber):
    """The subscriber's customer, mirrored with nothing of what it owns."""
    data = load_fixture("customer", sources=None, subscriptions=None, default_source=None)
    customer = Customer.sync_from_stripe_data(data)
    Customer.objects.filter(pk=customer.pk).update(subscriber=subscriber)
    stripe_account.reset_requests()
    return customer


def test_sync_subscriber_mirrors_what_the_customer_owns_one_request_per_list(
    linked_customer, stripe_account, subscriber
):
    with stripe_api.count_requests() as requests:
        customer = sync_subscriber(subscriber)

    assert requests.requests == LISTS
    subscriptions = stripe_account.requests[1]
    assert subscriptions.params == {"customer": CUSTOMER_ID, "status": "all", "limit": "100"}
    assert stripe_account.requests[3].params["expand"] == ["data.balance_transaction"]
    assert customer == linked_customer and customer.subscriber == subscriber
    assert customer.default_source_id == CARD_ID
    assert set(customer.subscriptions.values_list("stripe_id", flat=True)) == {
        SUBSCRIPTION_ID,
        "sub_Canceled1",
    }
    assert customer.invoices.get().charge_id == CHARGE_ID
    assert customer.charges.get().invoice_id == INVOICE_ID
    assert customer.legacy_cards.get().stripe_id == CARD_ID


def test_sync_subscriber_follows_every_page(linked_customer, stripe_account, subscriber):
    many = [
        load_fixture("charge_jpy", id=f"ch_Page{n:03}", created=1527516610 + n, invoice=None)
        for n in range(101)
    ]
    stripe_account.store(many)

    sync_subscriber(subscriber)

    assert stripe_account.count("get", "/v1/charges") == 2
    assert Charge.objects.filter(customer=linked_customer).count() == 102


def test_sync_subscriber_without_a_customer_creates_one(stripe_account, subscriber):
    stripe_account.route("post", "/v1/customers", load_fixture("customer"))

    customer = sync_subscriber(subscriber)

    assert stripe_account.requests[0].method == "post"
    assert [(r.method.upper(), r.path) for r in stripe_account.requests[1:]] == LISTS
    assert (customer.stripe_id, customer.subscriber) == (CUSTOMER_ID, subscriber)
    assert customer.subscriptions.count() == 2


@pytest.mark.parametrize(
    "fault, error",
    [
        pytest.param(429, stripe.RateLimitError, id="rate-limited"),
        pytest.param(404, stripe.InvalidRequestError, id="not-found"),
        pytest.param("timeout", stripe.APIConnectionError, id="network"),
    ],
)
def test_a_failed_list_leaves_the_mirror_unchanged(
    linked_customer, stripe_account, subscriber, fault, error
):
    before = mirror()
    if fault == "timeout":
        stripe_account.fail("get", "/v1/charges", timeout=True)
    else:
        stripe_account.fail("get", "/v1/charges", status=fault)

    with pytest.raises(error):
        sync_subscriber(subscriber)

    assert mirror() == before


@override_settings(STRIPE_LIVE_MODE=True)
def test_sync_subscriber_in_live_mode_uses_the_live_customer_and_key(fake_stripe, subscriber):
    data = load_fixture("customer_live")
    fake_stripe.store(data)
    customer = Customer.sync_from_stripe_data(data)
    Customer.objects.filter(pk=customer.pk).update(subscriber=subscriber)
    fake_stripe.reset_requests()

    assert sync_subscriber(subscriber) == customer

    assert fake_stripe.requests[0].path == f"/v1/customers/{LIVE_CUSTOMER_ID}"
    keys = {request.header("Authorization") for request in fake_stripe.requests}
    assert keys == {"Bearer sk_live_djstripe"}


# -- subscriber_has_active_subscription -----------------------------------------------------


@pytest.fixture
def active_customer(linked_customer):
    """The subscriber's customer with a subscription to gold whose period runs on."""
    data = load_fixture("subscription", current_period_end=in_future())
    Subscription.sync_from_stripe_data(data)
    return linked_customer


def test_a_subscriber_with_an_active_subscription(active_customer, subscriber, fake_stripe):
    assert subscriber_has_active_subscription(subscriber) is True
    assert subscriber_has_active_subscription(subscriber, "gold") is True
    assert subscriber_has_active_subscription(subscriber, "silver") is False
    assert fake_stripe.requests == []


def test_a_subscriber_whose_subscription_is_over(linked_customer, subscriber):
    Subscription.sync_from_stripe_data(load_fixture("subscription"))  # its period ended in 2018

    assert subscriber_has_active_subscription(subscriber) is False


def test_a_subscriber_without_a_customer_has_none_and_gets_none(subscriber, fake_stripe):
    assert subscriber_has_active_subscription(subscriber) is False
    assert not Customer.objects.exists()
    assert fake_stripe.requests == []


def test_only_the_configured_mode_counts(active_customer, subscriber):
    with override_settings(STRIPE_LIVE_MODE=True):
        assert subscriber_has_active_subscription(subscriber) is False


def test_an_anonymous_user_has_none():
    assert subscriber_has_active_subscription(AnonymousUser()) is False
