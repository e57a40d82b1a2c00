"""djstripe.stripe_api, the one door to Stripe: version, keys, idempotency, retries, counting."""

import pytest
import stripe
from django.test import override_settings

from djstripe import stripe_api
from djstripe.models import Customer
from tests.fake_stripe import load_fixture


def test_every_request_sends_the_pinned_version_and_the_key(fake_stripe):
    fake_stripe.store(load_fixture("customer"))
    data = stripe_api.retrieve("/v1/customers/cus_Cox9sWuLoPAaA8", api_key="sk_test_abc")
    assert data["id"] == "cus_Cox9sWuLoPAaA8"
    assert isinstance(data, dict)
    request = fake_stripe.last
    assert request.header("Stripe-Version") == "2018-05-21"
    assert request.header("Authorization") == "Bearer sk_test_abc"
    assert request.header("Idempotency-Key") is None


def test_version_can_be_chosen_per_request(fake_stripe):
    fake_stripe.store(load_fixture("customer"))
    stripe_api.request(
        "get",
        "/v1/customers/cus_Cox9sWuLoPAaA8",
        api_key="sk_test_abc",
        stripe_version="2017-08-15",
    )
    assert fake_stripe.last.header("Stripe-Version") == "2017-08-15"
    stripe_api.retrieve("/v1/customers/cus_Cox9sWuLoPAaA8", api_key="sk_test_abc")
    assert fake_stripe.last.header("Stripe-Version") == "2018-05-21"


def test_creates_carry_the_idempotency_key(fake_stripe):
    fake_stripe.route("post", "/v1/customers", load_fixture("customer"))
    stripe_api.create(
        "/v1/customers", api_key="sk_test_abc", idempotency_key="key-1", email="a@example.com"
    )
    assert fake_stripe.last.header("Idempotency-Key") == "key-1"
    assert fake_stripe.last.params == {"email": "a@example.com"}


def test_requests_are_counted_across_nested_counters(fake_stripe):
    fake_stripe.store(load_fixture("customer"))
    with stripe_api.count_requests() as outer:
        stripe_api.retrieve("/v1/customers/cus_Cox9sWuLoPAaA8", api_key="sk_test_abc")
        with stripe_api.count_requests() as inner:
            stripe_api.retrieve("/v1/customers/cus_Cox9sWuLoPAaA8", api_key="sk_test_abc")
    stripe_api.retrieve("/v1/customers/cus_Cox9sWuLoPAaA8", api_key="sk_test_abc")
    assert outer.count == 2
    assert inner.count == 1
    assert inner.requests == [("GET", "/v1/customers/cus_Cox9sWuLoPAaA8")]


def test_stripe_errors_propagate_unwrapped(fake_stripe):
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_api.retrieve("/v1/customers/cus_missing", api_key="sk_test_abc")
    assert error.value.http_status == 404
    assert error.value.code == "resource_missing"
    fake_stripe.fail("get", "/v1/customers/cus_1", status=429)
    with pytest.raises(stripe.RateLimitError):
        stripe_api.retrieve("/v1/customers/cus_1", api_key="sk_test_abc")


def test_a_request_without_a_key_is_refused_before_sending(fake_stripe):
    with pytest.raises(stripe.AuthenticationError, match="No Stripe API key"):
        stripe_api.retrieve("/v1/customers/cus_1", api_key="")
    assert fake_stripe.requests == []


@override_settings(DJSTRIPE_MAX_NETWORK_RETRIES=1)
def test_network_retries_reuse_the_idempotency_key(fake_stripe, monkeypatch):
    monkeypatch.setattr(stripe.HTTPClient, "_sleep_time_seconds", lambda self, n: 0)
    fake_stripe.fail("post", "/v1/customers", status=500, times=1)
    fake_stripe.route("post", "/v1/customers", load_fixture("customer"))
    stripe_api.create("/v1/customers", api_key="sk_test_abc", email="a@example.com")
    assert fake_stripe.count("post", "/v1/customers") == 2
    first, second = fake_stripe.requests
    assert first.header("Idempotency-Key") == second.header("Idempotency-Key") is not None


def test_list_all_follows_every_page(fake_stripe):
    customers = [
        load_fixture("customer", id=f"cus_{n:04d}", created=1_500_000_000 + n) for n in range(250)
    ]
    fake_stripe.store(customers)
    with stripe_api.count_requests() as counter:
        ids = [c["id"] for c in stripe_api.list_all("/v1/customers", api_key="sk_test_abc")]
    assert len(ids) == 250 == len(set(ids))
    assert counter.count == 3
    assert fake_stripe.requests[1].params["starting_after"] == ids[99]


@override_settings(STRIPE_TEST_SECRET_KEY="sk_test_t", STRIPE_LIVE_SECRET_KEY="sk_live_l")
@pytest.mark.django_db
def test_the_object_livemode_chooses_the_key(fake_stripe):
    fake_stripe.store([load_fixture("customer"), load_fixture("customer_live")])
    test_customer = Customer(stripe_id="cus_Cox9sWuLoPAaA8", livemode=False)
    live_customer = Customer(stripe_id=load_fixture("customer_live")["id"], livemode=True)
    test_customer.api_retrieve()
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_t"
    live_customer.api_retrieve()
    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_l"
    live_customer.api_retrieve(api_key="sk_test_override")
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_override"


def test_api_host_setting_points_requests_elsewhere(fake_stripe):
    with override_settings(STRIPE_API_HOST="http://127.0.0.1:9"):
        client = stripe_api._client()
    assert client._requestor.base_addresses["api"] == "http://127.0.0.1:9"
