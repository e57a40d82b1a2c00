"""Context managers for code that calls Stripe through djstripe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import stripe_api
from .settings import API_VERSION_EXPECTED, is_api_version


@contextmanager
def stripe_temporary_api_version(version: str, validate: bool = True) -> Iterator[None]:
    """Send djstripe's Stripe requests made inside the block with API version ``version``.

    Only the current thread (or asyncio task) is affected: other threads and
    concurrent requests keep STRIPE_API_VERSION. Blocks nest; leaving one
    restores the version that was in use. ``validate`` checks that
    ``version`` has the form STRIPE_API_VERSION must have (ValueError if not).
    Requests that name their own version (checking a webhook's event with
    the event's version) keep it.
    """
    if validate and not is_api_version(version):
        raise ValueError(f"Stripe API version {version!r} is invalid: {API_VERSION_EXPECTED}.")
    token = stripe_api.temporary_api_version.set(version)
    try:
        yield
    finally:
        stripe_api.temporary_api_version.reset(token)
