"""Shared pytest configuration: the fake Stripe transport and fixture loading."""

pytest_plugins = ["tests.fake_stripe_plugin"]
