"""Charge.refund and Charge.capture: requests sent, mirror afterwards, failures."""

import itertools
from decimal import Decimal

import pytest

from djstripe import stripe_api
from djstripe.models import Charge, Customer, Product, Refund
from tests.fake_stripe import load_fixture
from tests.stripe_faults import PAYMENT_FAILURES as FAILURES
from tests.stripe_faults import fail, mirror

pytestmark = pytest.mark.django_db

CHARGE_ID = "ch_1CPfJXF5yC65fO414nRpaepi"  # 20.00 usd, 5.00 of it refunded
JPY_CHARGE_ID = "ch_1CQ2mWF5yC65fO41Jq8Ty3Lk"  # 500 jpy
CHARGE_PATH = f"/v1/charges/{CHARGE_ID}"
CAPTURE_PATH = f"{CHARGE_PATH}/capture"
LIVE_CUSTOMER_ID = "cus_D0Wq5vKbX2nRtE"


def stripe_refunds(fake):
    """Answer POST /v1/refunds as Stripe does: the charge it names changes too."""
    numbers = itertools.count(1)

    def refund(request):
        charge = fake.stored(request.params["charge"])
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = int(request.params.get("amount", remaining))
        data = load_fixture(
            "refund",
            id=f"re_New{next(numbers)}",
            amount=amount,
            charge=charge["id"],
            currency=charge["currency"],
            reason=request.params.get("reason"),
        )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, data)
        charge["refunds"]["total_count"] += 1
        fake.store(charge)
        return data

    fake.route("post", "/v1/refunds", refund)


@pytest.fixture
def charges(fake_stripe):
    """A usd charge (partly refunded) and a jpy charge, mirrored and in Stripe."""
    Product.sync_from_stripe_data(load_fixture("product"))
    Customer.sync_from_stripe_data(load_fixture("customer"))
    for name in ("charge", "charge_jpy"):
        Charge.sync_from_stripe_data(load_fixture(name, invoice=None))
        fake_stripe.store(load_fixture(name, invoice=None))
    stripe_refunds(fake_stripe)
    fake_stripe.reset_requests()
    return fake_stripe


# -- refund ---------------------------------------------------------------------------------


def test_full_refund_refunds_what_remains_and_mirrors_the_charge(charges):
    charge = Charge.objects.get(stripe_id=CHARGE_ID)

    with stripe_api.count_requests() as requests:
        refunded = charge.refund()

    assert requests.requests == [("POST", "/v1/refunds"), ("GET", CHARGE_PATH)]
    assert charges.requests[0].params == {"charge": CHARGE_ID}
    assert isinstance(refunded, Charge) and refunded == charge
    assert (refunded.amount_refunded, refunded.refunded) == (Decimal("20.00"), True)
    amounts = Refund.objects.filter(charge=charge).values_list("amount", flat=True)
    assert sorted(amounts) == [Decimal("5.00"), Decimal("15.00")]


def test_partial_refund_sends_minor_units_and_a_reason(charges):
    charge = Charge.objects.get(stripe_id=CHARGE_ID)

    refunded = charge.refund(Decimal("5.00"), reason="requested_by_customer")

    assert charges.requests[0].params == {
        "charge": CHARGE_ID,
        "amount": "500",
        "reason": "requested_by_customer",
    }
    assert (refunded.amount_refunded, refunded.refunded) == (Decimal("10.00"), False)
    assert Refund.objects.get(stripe_id="re_New1").amount == Decimal("5.00")


def test_refund_in_a_zero_decimal_currency_is_not_multiplied(charges):
    charge = Charge.objects.get(stripe_id=JPY_CHARGE_ID)

    refunded = charge.refund(Decimal("500"))

    assert charges.requests[0].params == {"charge": JPY_CHARGE_ID, "amount": "500"}
    assert (refunded.amount_refunded, refunded.refunded) == (Decimal("500"), True)


def test_refund_of_everything_that_remains_is_allowed(charges):
    charge = Charge.objects.get(stripe_id=CHARGE_ID)

    assert charge.refund(Decimal("15.00")).refunded is True


@pytest.mark.parametrize("amount", [Decimal("15.01"), Decimal("0"), Decimal("-1.00"), 16])
def test_refund_of_more_than_remains_is_refused_before_any_request(charges, amount):
    charge = Charge.objects.get(stripe_id=CHARGE_ID)
    before = mirror(Charge, Refund)

    with pytest.raises(ValueError, match=r"\$15\.00 USD not yet refunded"):
        charge.refund(amount)

    assert charges.requests == []
    assert mirror(Charge, Refund) == before


def test_refund_of_a_float_is_refused(charges):
    with pytest.raises(TypeError):
        Charge.objects.get(stripe_id=CHARGE_ID).refund(1.5)
    assert charges.requests == []


@pytest.mark.parametrize("fault, error", FAILURES)
def test_failed_refund_leaves_the_mirror_unchanged(charges, fault, error):
    charge = Charge.objects.get(stripe_id=CHARGE_ID)
    before = mirror(Charge, Refund)
    fail(charges, "post", "/v1/refunds", fault)

    with pytest.raises(error):
        charge.refund(Decimal("1.00"))

    assert charges.count() == 1
    assert mirror(Charge, Refund) == before


# -- capture --------------------------------------------------------------------------------


@pytest.fixture
def uncaptured(fake_stripe):
    """An authorized, uncaptured charge, mirrored; Stripe answers a capture with it captured."""
    Product.sync_from_stripe_data(load_fixture("product"))
    Customer.sync_from_stripe_data(load_fixture("customer"))
    data = load_fixture("charge", invoice=None, captured=False, amount_refunded=0)
    data["refunds"]["data"] = []
    charge = Charge.sync_from_stripe_data(data)
    fake_stripe.route("post", CAPTURE_PATH, {**data, "captured": True})
    fake_stripe.reset_requests()
    return charge


def test_capture_sends_one_request_and_mirrors_the_captured_charge(uncaptured, fake_stripe):
    with stripe_api.count_requests() as requests:
        captured = uncaptured.capture()

    assert requests.requests == [("POST", CAPTURE_PATH)]
    assert fake_stripe.last.params == {"expand": ["balance_transaction"]}
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_djstripe"
    assert isinstance(captured, Charge) and captured == uncaptured
    assert Charge.objects.get(stripe_id=CHARGE_ID).captured is True


@pytest.mark.parametrize("fault, error", FAILURES)
def test_failed_capture_leaves_the_mirror_unchanged(uncaptured, fake_stripe, fault, error):
    before = mirror(Charge, Refund)
    fail(fake_stripe, "post", CAPTURE_PATH, fault)

    with pytest.raises(error):
        uncaptured.capture()

    assert mirror(Charge, Refund) == before


# -- live mode ------------------------------------------------------------------------------


@pytest.fixture
def live_charge(fake_stripe):
    """A live charge, mirrored and in Stripe."""
    Customer.sync_from_stripe_data(load_fixture("customer_live"))
    data = load_fixture(
        "charge_jpy", id="ch_Live1", livemode=True, customer=LIVE_CUSTOMER_ID, invoice=None
    )
    data["refunds"]["url"] = "/v1/charges/ch_Live1/refunds"
    fake_stripe.store(data)
    stripe_refunds(fake_stripe)
    fake_stripe.route("post", "/v1/charges/ch_Live1/capture", data)
    charge = Charge.sync_from_stripe_data(data)
    fake_stripe.reset_requests()
    return charge


@pytest.mark.parametrize("call", [Charge.refund, Charge.capture], ids=["refund", "capture"])
def test_a_live_charge_uses_the_live_key(live_charge, fake_stripe, call):
    call(live_charge)

    keys = {request.header("Authorization") for request in fake_stripe.requests}
    assert keys == {"Bearer sk_live_djstripe"}
    assert Charge.objects.get(stripe_id="ch_Live1").livemode is True
