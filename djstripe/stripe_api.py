"""The only module that talks to Stripe.

Every request goes through :func:`request`: it sends the pinned API version,
the API key chosen by the caller (by livemode), an idempotency key on creates
when one is given, and stripe-python's network retries. Responses come back
as plain dicts (Stripe's JSON), which is what the models sync from.
Requests are counted, so tests and benchmarks can assert how many were made.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

from . import __version__
from . import settings as djstripe_settings

logger = logging.getLogger(__name__)

StripeData = dict[str, Any]

# One client per API base, remade when stripe.default_http_client changes
# (so a replaced HTTP client, a test's fake say, is not kept alive).
_clients: dict[str, tuple[Any, stripe.StripeClient]] = {}
_counters: list[RequestCounter] = []
_counters_lock = threading.Lock()

# The API version that replaces STRIPE_API_VERSION in the current thread (or
# asyncio task), set by djstripe.context_managers.stripe_temporary_api_version.
temporary_api_version: ContextVar[str | None] = ContextVar(
    "djstripe_temporary_api_version", default=None
)


class RequestCounter:
    """Counts the Stripe requests made while it is active (see :func:`count_requests`)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []

    @property
    def count(self) -> int:
        return len(self.requests)

    def __len__(self) -> int:
        return len(self.requests)


@contextmanager
def count_requests() -> Iterator[RequestCounter]:
    """Count the Stripe requests made inside the block, from any thread."""
    counter = RequestCounter()
    with _counters_lock:
        _counters.append(counter)
    try:
        yield counter
    finally:
        with _counters_lock:
            _counters.remove(counter)


def configure_stripe() -> None:
    """Tell stripe-python who is calling and where the API lives (run from ready())."""
    stripe.set_app_info("djstripe", version=__version__, url="https://github.com/djstripe")
    if djstripe_settings.STRIPE_API_HOST:
        stripe.api_base = djstripe_settings.STRIPE_API_HOST


def _client() -> stripe.StripeClient:
    base = djstripe_settings.STRIPE_API_HOST or stripe.api_base
    http_client = stripe.default_http_client
    cached = _clients.get(base)
    if cached is not None and cached[0] is http_client:
        return cached[1]
    client = stripe.StripeClient(
        "sk_unused",  # every request passes its own key
        base_addresses={"api": base},
        http_client=http_client,
    )
    _clients[base] = (http_client, client)
    return client


def api_version() -> str:
    """The API version requests are sent with: a temporary one if set, else the setting."""
    return temporary_api_version.get() or djstripe_settings.STRIPE_API_VERSION


def request(
    method: str,
    path: str,
    *,
    api_key: str,
    params: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    stripe_version: str | None = None,
) -> StripeData:
    """Send one request to Stripe and return its JSON body; stripe errors propagate."""
    if not api_key:
        raise stripe.AuthenticationError(
            "No Stripe API key: set STRIPE_TEST_SECRET_KEY / STRIPE_LIVE_SECRET_KEY."
        )
    options: dict[str, Any] = {
        "api_key": api_key,
        "stripe_version": stripe_version or api_version(),
        "max_network_retries": djstripe_settings.DJSTRIPE_MAX_NETWORK_RETRIES,
    }
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    with _counters_lock:
        for counter in _counters:
            counter.requests.append((method.upper(), path))
    logger.debug("Stripe request %s %s", method.upper(), path)
    response = _client().raw_request(method.lower(), path, **options, **(params or {}))
    return response.data


def retrieve(path: str, *, api_key: str, **params: Any) -> StripeData:
    """GET one object."""
    return request("get", path, api_key=api_key, params=params)


def create(
    path: str, *, api_key: str, idempotency_key: str | None = None, **params: Any
) -> StripeData:
    """POST to a collection, creating an object."""
    return request("post", path, api_key=api_key, params=params, idempotency_key=idempotency_key)


def update(
    path: str, *, api_key: str, idempotency_key: str | None = None, **params: Any
) -> StripeData:
    """POST to an object, updating it."""
    return request("post", path, api_key=api_key, params=params, idempotency_key=idempotency_key)


def delete(path: str, *, api_key: str, **params: Any) -> StripeData:
    """DELETE an object."""
    return request("delete", path, api_key=api_key, params=params)


def iterate_pages(path: str, *, api_key: str, **params: Any) -> Iterator[list[StripeData]]:
    """Yield each page of a list endpoint, following ``has_more`` to the end."""
    params.setdefault("limit", 100)
    while True:
        page = retrieve(path, api_key=api_key, **params)
        items = page["data"]
        if items:
            yield items
        if not page.get("has_more") or not items:
            return
        params["starting_after"] = items[-1]["id"]


def embedded_list_pages(embedded: StripeData, *, api_key: str) -> Iterator[list[StripeData]]:
    """Yield the pages of a list embedded in an object: the items it holds, then the
    ones Stripe left out (``has_more``), read from the list's url."""
    items = embedded.get("data") or []
    if items:
        yield items
    if embedded.get("has_more") and items and embedded.get("url"):
        # The url may carry a query (an upcoming invoice's customer=...): keep it on later pages.
        url = urlsplit(embedded["url"])
        yield from iterate_pages(
            url.path, api_key=api_key, starting_after=items[-1]["id"], **dict(parse_qsl(url.query))
        )


def list_all(path: str, *, api_key: str, **params: Any) -> Iterator[StripeData]:
    """Yield every item of a list endpoint, across all pages."""
    for page in iterate_pages(path, api_key=api_key, **params):
        yield from page
