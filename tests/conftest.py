"""Shared pytest configuration: the fake Stripe transport, fixture loading, shared fixtures."""

import pytest

from djstripe.models import Customer, Product
from tests.fake_stripe import load_fixture

pytest_plugins = ["tests.fake_stripe_plugin"]


@pytest.fixture
def subscriber(django_user_model):
    """A user, Jenny Rosen: who a customer can belong to."""
    return django_user_model.objects.create(username="jenny", email="jenny.rosen@example.com")


@pytest.fixture
def known_customer(fake_stripe):
    """The product and the customer (with its card and subscription) mirrored; no request
    recorded yet."""
    Product.sync_from_stripe_data(load_fixture("product"))
    customer = Customer.sync_from_stripe_data(load_fixture("customer"))
    fake_stripe.reset_requests()
    return customer
