"""What a sync costs: Stripe requests and SQL queries, for embedded data and bare ids."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from djstripe import stripe_api
from djstripe.currencies import convert_to_stripe_amount
from djstripe.models import (
    Card,
    Charge,
    Customer,
    Invoice,
    InvoiceItem,
    Plan,
    Product,
    Subscription,
)
from tests.fake_stripe import load_fixture

# One upsert per model the invoice touches (Customer, PaymentMethod, Card,
# Product, Plan, Subscription, Charge, Refund, Invoice, InvoiceItem), the
# savepoint pair of the transaction, and reading the invoice back.
EXPANDED_INVOICE_QUERIES = 13


@pytest.mark.django_db
def test_fully_expanded_invoice_costs_no_request_and_a_bounded_number_of_queries(fake_stripe):
    data = load_fixture("invoice_expanded")
    with stripe_api.count_requests() as requests, CaptureQueriesContext(connection) as queries:
        invoice = Invoice.sync_from_stripe_data(data)

    assert requests.count == 0
    assert len(queries) <= EXPANDED_INVOICE_QUERIES, [q["sql"][:80] for q in queries]
    assert not [q for q in queries if q["sql"].startswith("SELECT") and "IN (" in q["sql"]]
    assert invoice.customer.stripe_id == data["customer"]["id"]
    assert invoice.subscription.plan.product.stripe_id == "prod_Cox9QV8VzX1SHg"
    assert invoice.charge.stripe_id == data["charge"]["id"]
    assert InvoiceItem.objects.filter(invoice=invoice).count() == 2


@pytest.mark.django_db
def test_the_same_invoice_with_ids_costs_one_retrieve_per_unknown_object(fake_stripe):
    world = {
        name: load_fixture(name) for name in ("customer", "charge", "subscription", "product")
    }
    fake_stripe.store(list(world.values()))

    Invoice.sync_from_stripe_data(load_fixture("invoice"))

    gets = Counter(request.path for request in fake_stripe.requests)
    assert all(request.method == "get" for request in fake_stripe.requests)
    # The customer brings its subscription and card embedded, so neither is
    # fetched on its own; the plan's product comes as an id and is.
    assert gets == Counter(
        {
            "/v1/customers/cus_Cox9sWuLoPAaA8": 1,
            "/v1/charges/ch_1CPfJXF5yC65fO414nRpaepi": 1,
            "/v1/products/prod_Cox9QV8VzX1SHg": 1,
        }
    )
    for model in (Customer, Charge, Subscription, Plan, Product, Card):
        assert model.objects.exists(), model


@pytest.mark.django_db
def test_ids_already_known_locally_cost_no_request(fake_stripe):
    fake_stripe.store([load_fixture(n) for n in ("customer", "charge", "subscription", "product")])
    Invoice.sync_from_stripe_data(load_fixture("invoice"))
    fake_stripe.reset_requests()

    invoice = Invoice.sync_from_stripe_data(load_fixture("invoice", total=3000))

    assert fake_stripe.requests == []
    assert invoice.total == Decimal("30.00")


@pytest.mark.django_db
def test_zero_decimal_and_two_decimal_charges(fake_stripe):
    fake_stripe.store(
        [load_fixture(n) for n in ("customer", "invoice", "subscription", "product")]
    )
    usd = Charge.sync_from_stripe_data(load_fixture("charge"))
    jpy = Charge.sync_from_stripe_data(load_fixture("charge_jpy"))

    usd.refresh_from_db()
    jpy.refresh_from_db()
    assert usd.amount == Decimal("20.00")
    assert jpy.amount == Decimal("500")
    # Sent back to Stripe, the amounts are its integer minor units again.
    assert convert_to_stripe_amount(usd.amount, usd.currency) == 2000
    assert convert_to_stripe_amount(jpy.amount, jpy.currency) == 500


@pytest.mark.django_db
def test_existing_ids_answers_per_model_whatever_is_asked(fake_stripe):
    from djstripe.models.base import existing_ids

    Customer.sync_from_stripe_data(load_fixture("customer", sources=None, subscriptions=None))
    Plan.sync_from_stripe_data(load_fixture("plan_product_embedded"))
    found = existing_ids(
        {Charge: [], Customer: ["cus_Cox9sWuLoPAaA8", "cus_unknown"], Invoice: [], Plan: ["gold"]}
    )
    assert found == {
        Charge: set(),
        Customer: {"cus_Cox9sWuLoPAaA8"},
        Invoice: set(),
        Plan: {"gold"},
    }
