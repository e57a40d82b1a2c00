"""pytest plugin with the `fake_stripe` fixture (register: `-p tests.fake_stripe_plugin`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.fake_stripe import FakeStripe


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """Install a FakeStripe as stripe.default_http_client, no retries; fail on unexpected calls."""
    fake = FakeStripe()
    saved_client, saved_retries = stripe.default_http_client, stripe.max_network_retries
    stripe.default_http_client = fake
    stripe.max_network_retries = 0
    try:
        yield fake
    finally:
        stripe.default_http_client = saved_client
        stripe.max_network_retries = saved_retries
    if fake.unexpected:
        pytest.fail(
            "Unexpected Stripe requests:\n  " + "\n  ".join(fake.unexpected), pytrace=False
        )
