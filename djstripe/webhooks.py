"""The webhook handler registry.

Register handlers from your own ``AppConfig.ready()``::

    from djstripe import webhooks

    @webhooks.handler("customer.subscription")
    def on_subscription_change(event, **kwargs):
        ...

A handler registered for ``"customer"`` receives every ``customer.*`` event;
``"customer.subscription"`` every ``customer.subscription.*`` event; an exact
type only that type. Handlers are called with the keyword ``event=``, in this
order: the global handlers (``handler_all``), then the handlers of each prefix
of the event type from the shortest to the exact type, each group in
registration order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

Handler = Callable[..., Any]

registrations: dict[str, list[Handler]] = defaultdict(list)
registrations_global: list[Handler] = []


def handler(*event_types: str) -> Callable[[Handler], Handler]:
    """Register the decorated function for event types, sub-categories or categories."""
    if not event_types:
        raise TypeError("webhooks.handler() needs at least one event type")

    def decorator(func: Handler) -> Handler:
        for event_type in event_types:
            registrations[event_type].append(func)
        return func

    return decorator


def handler_all(func: Handler | None = None) -> Any:
    """Register the decorated function for every event (usable bare or called)."""

    def decorator(func: Handler) -> Handler:
        registrations_global.append(func)
        return func

    return decorator(func) if func is not None else decorator


def handlers_for(event_type: str) -> Iterator[Handler]:
    """The handlers of ``event_type``, in calling order."""
    yield from registrations_global
    parts = event_type.split(".")
    for end in range(1, len(parts) + 1):
        yield from registrations.get(".".join(parts[:end]), ())


def call_handlers(event: Any) -> None:
    """Call every handler registered for ``event.type`` with ``event=event``."""
    for func in list(handlers_for(event.type)):
        func(event=event)
