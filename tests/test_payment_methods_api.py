"""Card and Source methods that call Stripe: requests sent, mirror afterwards, failures."""

import pytest
import stripe
from django.db import connection
from django.test.utils import CaptureQueriesContext

from djstripe import stripe_api
from djstripe.models import BankAccount, Card, Customer, PaymentMethod, Source
from tests.fake_stripe import load_fixture
from tests.stripe_faults import FAILURES, PAYMENT_FAILURES, fail, row

pytestmark = pytest.mark.django_db

CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
LIVE_CUSTOMER_ID = "cus_D0Wq5vKbX2nRtE"
CARD_ID = "card_1CPJFDF5yC65fO41pVKlqPJO"
SOURCE_ID = "src_1CPfJYF5yC65fO41xq5hIGtT"
BANK_ACCOUNT_ID = "ba_1CQ8cRF5yC65fO41tYh2LpZm"
CARD_PATH = f"/v1/customers/{CUSTOMER_ID}/sources/{CARD_ID}"
SOURCE_PATH = f"/v1/customers/{CUSTOMER_ID}/sources/{SOURCE_ID}"


@pytest.fixture
def live_customer(fake_stripe):
    """A live customer with a card, mirrored; no request recorded yet."""
    data = load_fixture("customer_live")
    data["sources"]["data"] = [load_fixture("card", id="card_live", customer=LIVE_CUSTOMER_ID)]
    customer = Customer.sync_from_stripe_data(data)
    fake_stripe.reset_requests()
    return customer


# -- Card.remove ------------------------------------------------------------------------------


def test_remove_deletes_the_card_in_stripe_then_in_the_mirror(known_customer, fake_stripe):
    fake_stripe.store(load_fixture("card"))
    card = Card.objects.get(stripe_id=CARD_ID)
    assert known_customer.default_source_id == CARD_ID

    with stripe_api.count_requests() as requests:
        assert card.remove() is None

    assert requests.requests == [("DELETE", CARD_PATH)]
    assert fake_stripe.last.params == {}
    assert fake_stripe.stored(CARD_ID) is None
    assert not Card.objects.filter(stripe_id=CARD_ID).exists()
    known_customer.refresh_from_db()
    assert known_customer.default_source_id is None
    # The pointer row stays, so charges made with the card still say so.
    assert PaymentMethod.objects.filter(id=CARD_ID).exists()


def test_remove_a_card_that_stripe_no_longer_has(known_customer, fake_stripe):
    card = Card.objects.get(stripe_id=CARD_ID)
    fake_stripe.fail("delete", CARD_PATH, status=404, error={"code": "resource_missing"})

    card.remove()

    assert fake_stripe.count() == 1
    assert not Card.objects.filter(stripe_id=CARD_ID).exists()


def test_remove_a_live_card_uses_the_live_key(live_customer, fake_stripe):
    fake_stripe.store(load_fixture("card", id="card_live", customer=LIVE_CUSTOMER_ID))
    card = Card.objects.get(stripe_id="card_live")
    assert card.livemode is True

    card.remove()

    assert fake_stripe.last.path == f"/v1/customers/{LIVE_CUSTOMER_ID}/sources/card_live"
    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


@pytest.mark.parametrize(
    "fault, error",
    [
        pytest.param(429, stripe.RateLimitError, id="rate-limited"),
        pytest.param("timeout", stripe.APIConnectionError, id="network"),
    ],
)
def test_remove_failure_leaves_the_mirror(known_customer, fake_stripe, fault, error):
    card = Card.objects.get(stripe_id=CARD_ID)
    before = row(Card, CARD_ID)
    fail(fake_stripe, "delete", CARD_PATH, fault)

    with pytest.raises(error):
        card.remove()

    assert row(Card, CARD_ID) == before
    known_customer.refresh_from_db()
    assert known_customer.default_source_id == CARD_ID


# -- Card.create_token ------------------------------------------------------------------------


def token_data():
    card = {k: v for k, v in load_fixture("card").items() if k != "customer"}
    return {
        "id": "tok_1CPfJYF5yC65fO41aBcDeFgH",
        "object": "token",
        "card": card,
        "client_ip": None,
        "created": 1527084600,
        "livemode": False,
        "type": "card",
        "used": False,
    }


def test_create_token_sends_the_card_and_returns_the_token(fake_stripe):
    fake_stripe.route("post", "/v1/tokens", token_data())

    with CaptureQueriesContext(connection) as queries:
        token = Card.create_token("4242424242424242", 8, 2030, None, name="Jenny Rosen")

    assert token == token_data()
    assert fake_stripe.count() == 1
    assert fake_stripe.last.params == {
        "card": {
            "number": "4242424242424242",
            "exp_month": "8",
            "exp_year": "2030",
            "name": "Jenny Rosen",
        }
    }
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_djstripe"
    assert queries.captured_queries == []  # a token is not mirrored


def test_create_token_sends_the_cvc(fake_stripe):
    fake_stripe.route("post", "/v1/tokens", token_data())

    assert Card.create_token("4242424242424242", 8, 2030, "123") == token_data()

    assert fake_stripe.last.params["card"]["cvc"] == "123"


def test_create_token_with_a_key(fake_stripe):
    fake_stripe.route("post", "/v1/tokens", token_data())

    Card.create_token("4242424242424242", 8, 2030, None, api_key="sk_live_djstripe")

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


@pytest.mark.parametrize("fault, error", PAYMENT_FAILURES)
def test_create_token_failure_raises(fake_stripe, fault, error):
    fail(fake_stripe, "post", "/v1/tokens", fault)

    with pytest.raises(error):
        Card.create_token("4000000000000002", 8, 2030, None)

    assert fake_stripe.count() == 1


# -- Card.api_list and BankAccount.api_list ---------------------------------------------------


@pytest.fixture
def mixed_sources(fake_stripe):
    """The customer's card, bank account and source in Stripe, and another customer's card."""
    fake_stripe.store(
        [
            load_fixture("card"),
            load_fixture("bank_account"),
            load_fixture("source"),
            load_fixture("card", id="card_other", customer="cus_other"),
        ]
    )


def test_card_api_list_lists_the_customers_cards_only(known_customer, fake_stripe, mixed_sources):
    cards = list(Card.api_list(customer=known_customer))

    assert [card["id"] for card in cards] == [CARD_ID]
    assert fake_stripe.count() == 1
    assert fake_stripe.last.path == f"/v1/customers/{CUSTOMER_ID}/sources"
    assert fake_stripe.last.params == {"limit": "100"}  # the customer is in the path only


def test_card_api_list_takes_an_id_and_list_parameters(fake_stripe, mixed_sources):
    cards = list(Card.api_list(customer=CUSTOMER_ID, limit=1))

    assert [card["id"] for card in cards] == [CARD_ID]
    assert fake_stripe.requests[0].params == {"limit": "1"}
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_djstripe"


def test_card_api_list_of_a_live_customer_uses_the_live_key(live_customer, fake_stripe):
    fake_stripe.store(load_fixture("card", id="card_live", customer=LIVE_CUSTOMER_ID))

    assert [card["id"] for card in Card.api_list(customer=live_customer)] == ["card_live"]
    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


def test_card_api_list_needs_a_customer(fake_stripe):
    with pytest.raises(TypeError):
        Card.api_list()

    assert fake_stripe.requests == []


def test_bank_account_api_list_of_a_customer(known_customer, fake_stripe, mixed_sources):
    accounts = list(BankAccount.api_list(customer=known_customer))

    assert [account["id"] for account in accounts] == [BANK_ACCOUNT_ID]
    assert fake_stripe.last.params == {"limit": "100"}


@pytest.mark.parametrize("fault, error", FAILURES)
def test_card_api_list_failure_raises(known_customer, fake_stripe, fault, error):
    fail(fake_stripe, "get", f"/v1/customers/{CUSTOMER_ID}/sources", fault)

    with pytest.raises(error):
        list(Card.api_list(customer=known_customer))


# -- Source.detach ----------------------------------------------------------------------------


@pytest.fixture
def source(known_customer):
    return Source.sync_from_stripe_data(load_fixture("source"))


def test_detach_unlinks_the_source_and_mirrors_it(source, fake_stripe):
    # Stripe answers with the source, consumed; the answer may still name the customer.
    fake_stripe.route("delete", SOURCE_PATH, load_fixture("source", status="consumed"))

    with stripe_api.count_requests() as requests:
        detached = source.detach()

    assert requests.requests == [("DELETE", SOURCE_PATH)]
    assert fake_stripe.last.params == {}
    assert isinstance(detached, Source)
    assert detached.status == "consumed"
    assert detached.customer_id is None
    stored = Source.objects.get(stripe_id=SOURCE_ID)
    assert (stored.status, stored.customer_id) == ("consumed", None)


def test_detach_of_the_default_source_clears_the_default(source, known_customer, fake_stripe):
    Customer.objects.filter(pk=known_customer.pk).update(default_source=SOURCE_ID)
    fake_stripe.route("delete", SOURCE_PATH, load_fixture("source", status="consumed"))

    source.detach()

    known_customer.refresh_from_db()
    assert known_customer.default_source_id is None


def test_detach_of_a_live_source_uses_the_live_key(live_customer, fake_stripe):
    data = load_fixture("source", id="src_live", customer=LIVE_CUSTOMER_ID, livemode=True)
    live = Source.sync_from_stripe_data(data)
    path = f"/v1/customers/{LIVE_CUSTOMER_ID}/sources/src_live"
    fake_stripe.route("delete", path, {**data, "status": "consumed"})

    live.detach()

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


def test_detach_of_a_source_attached_to_no_customer(known_customer, fake_stripe):
    loose = Source.sync_from_stripe_data(load_fixture("source", customer=None))

    with pytest.raises(ValueError):
        loose.detach()

    assert fake_stripe.requests == []


@pytest.mark.parametrize("fault, error", FAILURES)
def test_detach_failure_leaves_the_mirror(source, fake_stripe, fault, error):
    before = row(Source, SOURCE_ID)
    fail(fake_stripe, "delete", SOURCE_PATH, fault)

    with pytest.raises(error):
        source.detach()

    assert row(Source, SOURCE_ID) == before
    assert fake_stripe.count() == 1
