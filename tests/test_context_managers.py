"""stripe_temporary_api_version: another API version for one block of one thread."""

from __future__ import annotations

import threading

import pytest

from djstripe import stripe_api
from djstripe.context_managers import stripe_temporary_api_version
from tests.fake_stripe import load_fixture

CUSTOMER_PATH = "/v1/customers/cus_Cox9sWuLoPAaA8"


@pytest.fixture
def customer_in_stripe(fake_stripe):
    fake_stripe.store(load_fixture("customer"))
    return fake_stripe


def retrieve_customer() -> None:
    stripe_api.retrieve(CUSTOMER_PATH, api_key="sk_test_djstripe")


def sent_versions(fake) -> list[str]:
    return [request.header("Stripe-Version") for request in fake.requests]


def test_requests_in_the_block_use_the_version(customer_in_stripe):
    retrieve_customer()
    with stripe_temporary_api_version("2019-02-19"):
        retrieve_customer()
    retrieve_customer()

    assert sent_versions(customer_in_stripe) == ["2018-05-21", "2019-02-19", "2018-05-21"]


def test_blocks_nest_and_restore_on_errors(customer_in_stripe):
    with stripe_temporary_api_version("2019-02-19"):
        with pytest.raises(RuntimeError):
            with stripe_temporary_api_version("2020-03-02"):
                retrieve_customer()
                raise RuntimeError("boom")
        retrieve_customer()
    retrieve_customer()

    assert sent_versions(customer_in_stripe) == ["2020-03-02", "2019-02-19", "2018-05-21"]


def test_a_version_given_by_the_caller_wins(customer_in_stripe):
    with stripe_temporary_api_version("2019-02-19"):
        stripe_api.request(
            "get", CUSTOMER_PATH, api_key="sk_test_djstripe", stripe_version="2017-08-15"
        )

    assert sent_versions(customer_in_stripe) == ["2017-08-15"]


@pytest.mark.parametrize("version", ["latest", "2019-2-19", "", None])
def test_the_version_is_validated(version):
    with pytest.raises(ValueError, match="expected a date like 2018-05-21"):
        with stripe_temporary_api_version(version):
            pass  # pragma: no cover
    assert stripe_api.api_version() == "2018-05-21"


def test_validation_can_be_skipped():
    with stripe_temporary_api_version("next-preview", validate=False):
        assert stripe_api.api_version() == "next-preview"
    assert stripe_api.api_version() == "2018-05-21"


def test_the_version_never_leaks_into_another_thread(customer_in_stripe):
    inside = threading.Event()
    other_thread_done = threading.Event()
    versions: dict[str, str] = {}

    def other_thread() -> None:
        inside.wait(5)
        versions["other, during the block"] = stripe_api.api_version()
        retrieve_customer()
        other_thread_done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with stripe_temporary_api_version("2019-02-19"):
        inside.set()
        assert other_thread_done.wait(5)
        versions["this thread, in the block"] = stripe_api.api_version()
        retrieve_customer()
    thread.join(5)

    assert versions == {
        "other, during the block": "2018-05-21",
        "this thread, in the block": "2019-02-19",
    }
    assert sent_versions(customer_in_stripe) == ["2018-05-21", "2019-02-19"]


def test_a_block_in_another_thread_does_not_change_this_one(customer_in_stripe):
    entered, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        with stripe_temporary_api_version("2020-03-02"):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert entered.wait(5)
    try:
        retrieve_customer()
    finally:
        release.set()
        thread.join(5)

    assert sent_versions(customer_in_stripe) == ["2018-05-21"]
