"""Plan and Subscription methods that call Stripe: requests sent, mirror afterwards, failures."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from djstripe import stripe_api
from djstripe.models import Customer, Plan, Product, Subscription
from tests.fake_stripe import load_fixture
from tests.stripe_faults import FAILURES, PAYMENT_FAILURES, fail, row
from tests.times import epoch

pytestmark = pytest.mark.django_db

SUBSCRIPTION_ID = "sub_CpJxjJHucuaF7o"
SUBSCRIPTION_PATH = f"/v1/subscriptions/{SUBSCRIPTION_ID}"
ITEM_ID = "si_CpJxEBgGb9Oeyz"
TRIALING_ID = "sub_CqL2vN8tRb4WzY"
LIVE_ID = "sub_LiveD0Wq5vKbX2nRtE"
PRODUCT_ID = "prod_Cox9QV8VzX1SHg"


def in_days(days):
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def subscription(fake_stripe):
    """The customer's active subscription to "gold", mirrored; no request recorded yet."""
    Product.sync_from_stripe_data(load_fixture("product"))
    Customer.sync_from_stripe_data(load_fixture("customer"))
    fake_stripe.reset_requests()
    return Subscription.objects.get(stripe_id=SUBSCRIPTION_ID)


def subscription_data(**overrides):
    return load_fixture("subscription", **overrides)


# -- Plan.get_or_create -----------------------------------------------------------------------


def test_get_or_create_returns_the_mirrored_plan_without_a_request(subscription, fake_stripe):
    plan, created = Plan.get_or_create(id="gold", amount=Decimal("99"), currency="usd")

    assert (plan.stripe_id, created) == ("gold", False)
    assert plan.amount == Decimal("10.00")
    assert fake_stripe.requests == []


def test_get_or_create_creates_the_plan_and_its_product(fake_stripe):
    fake_stripe.route("post", "/v1/plans", load_fixture("plan_product_embedded", amount=2000))

    with stripe_api.count_requests() as requests:
        plan, created = Plan.get_or_create(
            id="gold",
            name="Gold",
            amount=Decimal("20.00"),
            currency="usd",
            interval="month",
            nickname="Gold monthly",
            trial_period_days=14,
            metadata={"tier": "3"},
        )

    assert requests.count == 1
    sent = fake_stripe.last
    assert (sent.method, sent.path) == ("post", "/v1/plans")
    assert sent.params == {
        "id": "gold",
        "amount": "2000",
        "currency": "usd",
        "interval": "month",
        "nickname": "Gold monthly",
        "product": {"name": "Gold"},
        "trial_period_days": "14",
        "metadata": {"tier": "3"},
        "expand": ["product"],
    }
    assert sent.header("Authorization") == "Bearer sk_test_djstripe"
    assert created is True
    assert plan.amount == Decimal("20.00")
    assert plan.product.stripe_id == PRODUCT_ID
    assert Plan.objects.get(stripe_id="gold") == plan


def test_get_or_create_with_a_product_converts_a_zero_decimal_amount(fake_stripe):
    product = Product.sync_from_stripe_data(load_fixture("product"))
    fake_stripe.route("post", "/v1/plans", load_fixture("plan_jpy"))

    plan, created = Plan.get_or_create(
        id="gold-jpy",
        name="Gold (yen)",
        amount=Decimal("1000"),
        currency="jpy",
        interval="month",
        product=product,
    )

    params = fake_stripe.last.params
    assert params["amount"] == "1000"
    assert params["product"] == PRODUCT_ID
    assert params["nickname"] == "Gold (yen)"  # with a product, the name is the nickname
    assert created is True
    assert plan.amount == Decimal("1000")


def test_get_or_create_mirrors_a_plan_that_stripe_already_has(fake_stripe):
    fake_stripe.fail("post", "/v1/plans", status=400, error={"code": "resource_already_exists"})
    fake_stripe.route("get", "/v1/plans/gold", load_fixture("plan_product_embedded"))

    plan, created = Plan.get_or_create(
        id="gold", name="Gold", amount=10, currency="usd", interval="month"
    )

    assert (plan.stripe_id, created) == ("gold", False)
    assert fake_stripe.count() == 2
    assert fake_stripe.last.params == {"expand": ["product"]}


def test_get_or_create_uses_the_key_it_is_given(fake_stripe):
    fake_stripe.route("post", "/v1/plans", load_fixture("plan_product_embedded", livemode=True))

    plan, _created = Plan.get_or_create(
        id="gold",
        name="Gold",
        amount=10,
        currency="usd",
        interval="month",
        api_key="sk_live_djstripe",
    )

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"
    assert plan.livemode is True


@pytest.mark.parametrize("fault, error", FAILURES)
def test_get_or_create_failure_creates_nothing(fake_stripe, fault, error):
    fail(fake_stripe, "post", "/v1/plans", fault)

    with pytest.raises(error):
        Plan.get_or_create(id="gold", name="Gold", amount=10, currency="usd", interval="month")

    assert not Plan.objects.exists()
    assert not Product.objects.exists()
    assert fake_stripe.count() == 1


# -- Subscription.update ----------------------------------------------------------------------


def test_update_to_another_plan_sets_the_item_plan(subscription, fake_stripe):
    fake_stripe.store(subscription_data())
    silver = Plan.sync_from_stripe_data(load_fixture("plan", id="silver", amount=2500))
    fake_stripe.route(
        "post", SUBSCRIPTION_PATH, subscription_data(plan=load_fixture("plan", id="silver"))
    )

    with stripe_api.count_requests() as requests:
        updated = subscription.update(plan=silver)

    # The item's id is not mirrored: the subscription is read first.
    assert requests.requests == [("GET", SUBSCRIPTION_PATH), ("POST", SUBSCRIPTION_PATH)]
    assert fake_stripe.last.params == {
        "items": [{"id": ITEM_ID, "plan": "silver"}],
        "prorate": "false",
    }
    assert updated.plan_id == "silver"
    assert Subscription.objects.get(stripe_id=SUBSCRIPTION_ID).plan_id == "silver"


def test_update_quantity_with_a_plan_id_and_the_proration_policy(subscription, fake_stripe):
    fake_stripe.store(subscription_data())
    fake_stripe.route("post", SUBSCRIPTION_PATH, subscription_data(quantity=5))

    with override_settings(DJSTRIPE_PRORATION_POLICY=True):
        updated = subscription.update(plan="gold", quantity=5)

    assert fake_stripe.last.params == {
        "items": [{"id": ITEM_ID, "plan": "gold", "quantity": "5"}],
        "prorate": "true",
    }
    assert updated.quantity == 5


def test_update_other_fields_is_one_request(subscription, fake_stripe):
    proration_date = timezone.now().replace(microsecond=0)
    trial_end = in_days(30).replace(microsecond=0)
    coupon_data = load_fixture("coupon")
    fake_stripe.route(
        "post",
        SUBSCRIPTION_PATH,
        subscription_data(tax_percent=8.25, metadata={"order": "42"}, trial_end=epoch(trial_end)),
    )

    updated = subscription.update(
        application_fee_percent=Decimal("10"),
        coupon=coupon_data["id"],
        prorate=True,
        proration_date=proration_date,
        metadata={"order": "42"},
        tax_percent=Decimal("8.25"),
        trial_end=trial_end,
    )

    assert fake_stripe.count() == 1
    assert fake_stripe.last.params == {
        "application_fee_percent": "10",
        "coupon": coupon_data["id"],
        "prorate": "true",
        "proration_date": epoch(proration_date),
        "metadata": {"order": "42"},
        "tax_percent": "8.25",
        "trial_end": epoch(trial_end),
    }
    assert updated.tax_percent == Decimal("8.25")
    assert updated.metadata == {"order": "42"}
    assert updated.trial_end == trial_end


def test_update_of_a_live_subscription_uses_the_live_key(fake_stripe):
    Customer.sync_from_stripe_data(load_fixture("customer_live"))
    live = Subscription.sync_from_stripe_data(
        subscription_data(id=LIVE_ID, livemode=True, customer="cus_D0Wq5vKbX2nRtE")
    )
    fake_stripe.route(
        "post",
        f"/v1/subscriptions/{LIVE_ID}",
        subscription_data(id=LIVE_ID, livemode=True, customer="cus_D0Wq5vKbX2nRtE"),
    )

    live.update(metadata={"a": "b"})

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


@pytest.mark.parametrize("fault, error", PAYMENT_FAILURES)
def test_update_failure_leaves_the_mirror(subscription, fake_stripe, fault, error):
    fake_stripe.store(subscription_data())
    before = row(Subscription, SUBSCRIPTION_ID)
    fail(fake_stripe, "post", SUBSCRIPTION_PATH, fault)

    with pytest.raises(error):
        subscription.update(plan="silver")

    assert row(Subscription, SUBSCRIPTION_ID) == before
    assert fake_stripe.count("post", SUBSCRIPTION_PATH) == 1


# -- Subscription.extend ----------------------------------------------------------------------


def test_extend_without_a_trial_starts_one_after_the_period(subscription, fake_stripe):
    fake_stripe.store(subscription_data())
    expected_end = subscription.current_period_end + datetime.timedelta(days=7)

    with stripe_api.count_requests() as requests:
        extended = subscription.extend(datetime.timedelta(days=7))

    assert requests.count == 1
    assert fake_stripe.last.params == {"trial_end": epoch(expected_end), "prorate": "false"}
    assert extended.trial_end == expected_end


def test_extend_a_running_trial_moves_its_end(subscription, fake_stripe):
    trial_end = in_days(3).replace(microsecond=0)
    fake_stripe.store(subscription_data(trial_end=epoch(trial_end), status="trialing"))
    subscription = Subscription.sync_from_stripe_data(fake_stripe.stored(SUBSCRIPTION_ID))

    extended = subscription.extend(datetime.timedelta(days=10))

    assert extended.trial_end == trial_end + datetime.timedelta(days=10)
    assert fake_stripe.last.params["trial_end"] == epoch(trial_end + datetime.timedelta(days=10))


@pytest.mark.parametrize("days", [0, -1])
def test_extend_needs_a_positive_delta(subscription, fake_stripe, days):
    with pytest.raises(ValueError):
        subscription.extend(datetime.timedelta(days=days))

    assert fake_stripe.requests == []


@pytest.mark.parametrize("fault, error", FAILURES)
def test_extend_failure_leaves_the_mirror(subscription, fake_stripe, fault, error):
    before = row(Subscription, SUBSCRIPTION_ID)
    fail(fake_stripe, "post", SUBSCRIPTION_PATH, fault)

    with pytest.raises(error):
        subscription.extend(datetime.timedelta(days=1))

    assert row(Subscription, SUBSCRIPTION_ID) == before


# -- Subscription.cancel and reactivate -------------------------------------------------------


def test_cancel_is_at_period_end_by_default(subscription, fake_stripe):
    fake_stripe.route(
        "post",
        SUBSCRIPTION_PATH,
        subscription_data(cancel_at_period_end=True, canceled_at=1528000000),
    )

    with stripe_api.count_requests() as requests:
        canceled = subscription.cancel()

    assert requests.requests == [("POST", SUBSCRIPTION_PATH)]
    assert fake_stripe.last.params == {"cancel_at_period_end": "true"}
    assert canceled.status == "active"
    assert canceled.cancel_at_period_end is True
    assert Subscription.objects.get(stripe_id=SUBSCRIPTION_ID).cancel_at_period_end is True


@override_settings(DJSTRIPE_PRORATION_POLICY=True)
def test_cancel_is_at_once_when_the_proration_policy_is_on(subscription, fake_stripe):
    fake_stripe.store(subscription_data())

    canceled = subscription.cancel()

    assert [(r.method, r.path) for r in fake_stripe.requests] == [("delete", SUBSCRIPTION_PATH)]
    assert fake_stripe.last.params == {}
    assert canceled.status == "canceled"
    assert canceled.ended_at is not None


@pytest.mark.parametrize(
    "at_period_end, policy, method",
    [(False, False, "delete"), (True, True, "post")],
    ids=["at-once-asked", "at-period-end-asked"],
)
def test_cancel_as_asked_whatever_the_policy(
    subscription, fake_stripe, at_period_end, policy, method
):
    fake_stripe.store(subscription_data())

    with override_settings(DJSTRIPE_PRORATION_POLICY=policy):
        subscription.cancel(at_period_end=at_period_end)

    assert [(r.method, r.path) for r in fake_stripe.requests] == [(method, SUBSCRIPTION_PATH)]


def test_cancel_of_a_trialing_subscription_is_at_once(subscription, fake_stripe):
    trialing = Subscription.sync_from_stripe_data(load_fixture("subscription_trialing"))
    fake_stripe.store(load_fixture("subscription_trialing"))

    canceled = trialing.cancel(at_period_end=True)

    assert [(r.method, r.path) for r in fake_stripe.requests] == [
        ("delete", f"/v1/subscriptions/{TRIALING_ID}")
    ]
    assert canceled.status == "canceled"


def test_cancel_of_a_live_subscription_uses_the_live_key(fake_stripe):
    Customer.sync_from_stripe_data(load_fixture("customer_live"))
    data = subscription_data(id=LIVE_ID, livemode=True, customer="cus_D0Wq5vKbX2nRtE")
    live = Subscription.sync_from_stripe_data(data)
    fake_stripe.store(data)

    live.cancel()

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"


@pytest.mark.parametrize("method", ["post", "delete"])
@pytest.mark.parametrize("fault, error", FAILURES)
def test_cancel_failure_leaves_the_mirror(subscription, fake_stripe, fault, error, method):
    before = row(Subscription, SUBSCRIPTION_ID)
    fail(fake_stripe, method, SUBSCRIPTION_PATH, fault)

    with pytest.raises(error):
        subscription.cancel(at_period_end=method == "post")

    assert row(Subscription, SUBSCRIPTION_ID) == before
    assert fake_stripe.count() == 1


def canceling_at_period_end():
    """Stripe's copy of a subscription set to cancel when its (still running) period ends."""
    return subscription_data(
        cancel_at_period_end=True,
        canceled_at=epoch(in_days(-1)),
        current_period_end=epoch(in_days(10)),
    )


def test_reactivate_a_subscription_set_to_cancel_at_period_end(subscription, fake_stripe):
    fake_stripe.store(canceling_at_period_end())
    subscription = Subscription.sync_from_stripe_data(canceling_at_period_end())
    assert subscription.is_status_temporarily_current()

    reactivated = subscription.reactivate()

    assert [(r.method, r.path) for r in fake_stripe.requests] == [("post", SUBSCRIPTION_PATH)]
    assert fake_stripe.last.params == {"cancel_at_period_end": "false"}
    assert reactivated.cancel_at_period_end is False
    assert Subscription.objects.get(stripe_id=SUBSCRIPTION_ID).cancel_at_period_end is False


@pytest.mark.parametrize("fixture", ["subscription_canceled", "subscription"])
def test_reactivate_an_ended_or_running_subscription_does_nothing(
    subscription, fake_stripe, fixture
):
    target = Subscription.sync_from_stripe_data(load_fixture(fixture))
    before = row(Subscription, target.stripe_id)

    assert target.reactivate() is target

    assert fake_stripe.requests == []
    assert row(Subscription, target.stripe_id) == before


@pytest.mark.parametrize("fault, error", FAILURES)
def test_reactivate_failure_leaves_the_mirror(subscription, fake_stripe, fault, error):
    subscription = Subscription.sync_from_stripe_data(canceling_at_period_end())
    before = row(Subscription, SUBSCRIPTION_ID)
    fail(fake_stripe, "post", SUBSCRIPTION_PATH, fault)

    with pytest.raises(error):
        subscription.reactivate()

    assert row(Subscription, SUBSCRIPTION_ID) == before
