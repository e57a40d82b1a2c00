"""Two processes syncing the same Stripe object at once end with one row and no error."""

import pytest

from djstripe.models import Customer, PaymentMethod
from tests.fake_stripe import load_fixture
from tests.threads import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_concurrent_syncs_of_one_customer_make_one_row(fake_stripe):
    fake_stripe.store(load_fixture("product"))
    data = load_fixture("customer")

    errors = run_concurrently(lambda: Customer.sync_from_stripe_data(data), 4)

    assert errors == []
    assert Customer.objects.filter(stripe_id=data["id"]).count() == 1
    assert PaymentMethod.objects.filter(id=data["default_source"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_syncs_keep_one_row_per_object_across_many_rounds(fake_stripe):
    fake_stripe.store(load_fixture("product"))
    for round_number in range(5):
        data = load_fixture("customer", id=f"cus_round{round_number}", sources=None)
        errors = run_concurrently(lambda data=data: Customer.sync_from_stripe_data(data), 3)
        assert errors == []
    assert Customer.objects.count() == 5
