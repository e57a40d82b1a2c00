"""A deletion in Stripe never cascades into local data that Stripe still has."""

import pytest
from django.test import override_settings

from djstripe.models import Charge, Customer, Plan, Product, Subscription
from tests.fake_stripe import load_fixture
from tests.webhook_client import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_stripe")]


def deletion_event(event_type: str, obj: dict, n: int = 1) -> dict:
    return {
        **load_fixture("event_plan_deleted"),
        "id": f"evt_deletion{n}",
        "type": event_type,
        "data": {"object": obj},
    }


@override_settings(DJSTRIPE_WEBHOOK_SYNC_MODE="payload")
def test_a_deleted_plan_stays_while_subscriptions_use_it(client, fake_stripe):
    fake_stripe.store(load_fixture("product"))
    Subscription.sync_from_stripe_data(load_fixture("subscription"))
    unused = Plan.sync_from_stripe_data(load_fixture("plan", id="unused-plan"))
    plan_id = Subscription.objects.get().plan_id

    assert (
        post_webhook(client, deletion_event("plan.deleted", load_fixture("plan"))).status_code
        == 200
    )
    assert (
        post_webhook(
            client, deletion_event("plan.deleted", load_fixture("plan", id=unused.stripe_id), 2)
        ).status_code
        == 200
    )

    subscription = Subscription.objects.get()
    assert subscription.plan_id == plan_id and subscription.plan.stripe_id == plan_id
    assert not Plan.objects.filter(stripe_id="unused-plan").exists()


def test_a_deleted_product_stays_while_plans_use_it(fake_stripe):
    Plan.sync_from_stripe_data(load_fixture("plan_product_embedded"))
    Product.stripe_objects_deleted({"prod_Cox9QV8VzX1SHg"})
    assert Plan.objects.get().product.stripe_id == "prod_Cox9QV8VzX1SHg"
    Plan.objects.all().delete()
    Product.stripe_objects_deleted({"prod_Cox9QV8VzX1SHg"})
    assert not Product.objects.exists()


def test_a_deleted_customer_is_purged_and_keeps_its_charges(fake_stripe, django_user_model):
    fake_stripe.store([load_fixture(n) for n in ("invoice", "subscription", "product")])
    customer = Customer.sync_from_stripe_data(load_fixture("customer"))
    user = django_user_model.objects.create_user("jenny")
    Customer.objects.filter(pk=customer.pk).update(subscriber=user)
    Charge.sync_from_stripe_data(load_fixture("charge"))

    Customer.sync_from_stripe_data(load_fixture("customer_deleted"))

    customer.refresh_from_db()
    assert customer.date_purged is not None
    assert customer.subscriber is None
    assert Charge.objects.get().customer == customer
