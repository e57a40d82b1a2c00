"""djstripe.webhooks: the handler registry and its calling order."""

from types import SimpleNamespace

import pytest

from djstripe import webhooks


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the built-in handlers are put back afterwards)."""
    monkeypatch.setattr(webhooks, "registrations", webhooks.defaultdict(list))
    monkeypatch.setattr(webhooks, "registrations_global", [])
    return webhooks


def test_handlers_run_global_first_then_shortest_prefix_to_exact_type(registry):
    calls = []

    def record(name):
        def handler(event, **kwargs):
            calls.append((name, event.type))

        return handler

    registry.handler("customer.subscription.updated")(record("exact"))
    registry.handler("customer")(record("category"))
    registry.handler("customer.subscription")(record("sub-category"))
    registry.handler_all(record("global bare"))
    registry.handler_all()(record("global called"))
    registry.handler("customer")(record("category, second"))
    registry.handler("charge")(record("other category"))

    registry.call_handlers(SimpleNamespace(type="customer.subscription.updated"))

    assert [name for name, _type in calls] == [
        "global bare",
        "global called",
        "category",
        "category, second",
        "sub-category",
        "exact",
    ]


def test_a_handler_can_serve_several_types(registry):
    seen = []

    @registry.handler("charge.succeeded", "charge.failed")
    def on_charge(event):
        seen.append(event.type)

    registry.call_handlers(SimpleNamespace(type="charge.failed"))
    registry.call_handlers(SimpleNamespace(type="charge.refunded"))
    registry.call_handlers(SimpleNamespace(type="charge.succeeded"))
    assert seen == ["charge.failed", "charge.succeeded"]


def test_prefixes_match_whole_parts_only(registry):
    seen = []
    registry.handler("customer.sub")(lambda event: seen.append(event.type))
    registry.call_handlers(SimpleNamespace(type="customer.subscription.created"))
    assert seen == []


def test_handlers_receive_the_event_by_keyword(registry):
    received = {}

    @registry.handler("plan.created")
    def on_plan(*args, **kwargs):
        received.update(args=args, kwargs=kwargs)

    event = SimpleNamespace(type="plan.created")
    registry.call_handlers(event)
    assert received == {"args": (), "kwargs": {"event": event}}


def test_handler_needs_a_type(registry):
    with pytest.raises(TypeError):
        registry.handler()
