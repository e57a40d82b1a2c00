"""System checks for djstripe's configuration (ids djstripe.C001 ...).

Errors (``C``) stop ``manage.py`` commands; warnings (``W``) are printed.
Every check is tagged ``djstripe`` (``manage.py check --tag djstripe``); a
warning can be silenced with ``SILENCED_SYSTEM_CHECKS``. The checks are
registered when ``DjstripeAppConfig.ready()`` imports this module. Messages
never repeat a key's or a secret's value.

==============  =============================================================
djstripe.C001   STRIPE_API_VERSION is malformed
djstripe.C002   another djstripe setting has an invalid value
djstripe.C003   a secret key setting holds something that is not a secret key
djstripe.C004   a secret key setting holds a key of the other mode
djstripe.C005   a publishable key setting holds a secret key
djstripe.W001   no secret key for the configured mode
djstripe.C006   signature validation is on without DJSTRIPE_WEBHOOK_SECRET
djstripe.W002   a webhook secret does not start with ``whsec_``
djstripe.C007   DJSTRIPE_WEBHOOK_VALIDATION is None in live mode
djstripe.C008   the subscriber model is invalid, or lacks its request callback
djstripe.C009   a callback setting names nothing callable
djstripe.C010   DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS is not a list of strings
djstripe.C011   an ``fn:`` exception URL can never match a path
djstripe.C012   SubscriptionPaymentMiddleware is on without DJSTRIPE_SUBSCRIPTION_REDIRECT
==============  =============================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from . import settings as djstripe_settings
from .middleware import PATH_PATTERN_PREFIX

# Settings read through djstripe.settings whose readers validate the value.
VALIDATED_SETTINGS = (
    "DJSTRIPE_WEBHOOK_SECRET",
    "DJSTRIPE_WEBHOOK_VALIDATION",
    "DJSTRIPE_WEBHOOK_SYNC_MODE",
    "DJSTRIPE_WEBHOOK_TOLERANCE",
    "DJSTRIPE_MAX_NETWORK_RETRIES",
)
CALLBACK_SETTINGS = (
    "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK",
    "DJSTRIPE_IDEMPOTENCY_KEY_CALLBACK",
    "DJSTRIPE_WEBHOOK_EVENT_CALLBACK",
)
KEY_PATTERN = re.compile(r"^(sk|rk|pk)_(test|live)_")
MIDDLEWARE_PATH = "djstripe.middleware.SubscriptionPaymentMiddleware"


def _mode(livemode: bool) -> str:
    return "live" if livemode else "test"


def _secret_key_slots() -> list[tuple[str, bool]]:
    """The secret key settings that are set, with the mode each must be in."""
    live_mode = bool(djstripe_settings.STRIPE_LIVE_MODE)
    slots = [("STRIPE_TEST_SECRET_KEY", False), ("STRIPE_LIVE_SECRET_KEY", True)]
    if getattr(settings, "STRIPE_SECRET_KEY", None):
        slots.append(("STRIPE_SECRET_KEY", live_mode))
    return [(name, livemode) for name, livemode in slots if getattr(settings, name, "")]


def _secret_key_errors(name: str, livemode: bool) -> list[CheckMessage]:
    mode = _mode(livemode)
    prefixes = f"sk_{mode}_ or rk_{mode}_"
    match = KEY_PATTERN.match(str(getattr(settings, name)))
    if match is None or match[1] == "pk":
        message = f"{name} is not a Stripe secret key: expected a key starting with {prefixes}."
        return [Error(message, id="djstripe.C003")]
    if (match[2] == "live") != livemode:
        message = (
            f"{name} holds a {_mode(not livemode)} mode key: {mode} mode needs a key starting "
            f"with {prefixes}."
        )
        return [Error(message, id="djstripe.C004")]
    return []


def _read_errors(read: Callable[[], Any], check_id: str) -> list[CheckMessage]:
    """Call ``read``: its ImproperlyConfigured, if it raises one, as an Error with ``check_id``."""
    try:
        read()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id=check_id)]
    return []


@register("djstripe")
def check_api_version(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C001: STRIPE_API_VERSION is a date like 2018-05-21 (with an optional .name)."""
    return _read_errors(lambda: djstripe_settings.STRIPE_API_VERSION, "djstripe.C001")


@register("djstripe")
def check_setting_values(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C002: the other settings djstripe validates when it reads them are valid."""
    messages: list[str] = []
    for name in VALIDATED_SETTINGS:
        try:
            getattr(djstripe_settings, name)
        except ImproperlyConfigured as exc:
            if str(exc) not in messages:  # the validation reader reads the secret too
                messages.append(str(exc))
    return [Error(message, id="djstripe.C002") for message in messages]


@register("djstripe", Tags.security)
def check_secret_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C003, C004: each secret key set is a secret (or restricted) key of its slot's mode."""
    errors: list[CheckMessage] = []
    for name, livemode in _secret_key_slots():
        errors += _secret_key_errors(name, livemode)
    return errors


@register("djstripe", Tags.security)
def check_public_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C005: publishable key settings, which templates show to browsers, hold no secret key."""
    errors: list[CheckMessage] = []
    for name in ("STRIPE_TEST_PUBLIC_KEY", "STRIPE_LIVE_PUBLIC_KEY", "STRIPE_PUBLIC_KEY"):
        if str(getattr(settings, name, "") or "").startswith(("sk_", "rk_")):
            message = (
                f"{name} holds a secret key: publishable keys are sent to browsers, so it "
                "must be a publishable key (pk_test_ or pk_live_)."
            )
            errors.append(Error(message, id="djstripe.C005"))
    return errors


@register("djstripe")
def check_secret_key_present(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W001: the configured mode has a secret key (djstripe cannot call Stripe without one)."""
    if djstripe_settings.STRIPE_SECRET_KEY:
        return []
    live_mode = bool(djstripe_settings.STRIPE_LIVE_MODE)
    name = "STRIPE_LIVE_SECRET_KEY" if live_mode else "STRIPE_TEST_SECRET_KEY"
    message = f"No Stripe secret key for {_mode(live_mode)} mode: {name} is not set."
    hint = "djstripe cannot make requests to Stripe until it is."
    return [Warning(message, hint=hint, id="djstripe.W001")]


@register("djstripe", Tags.security)
def check_webhook_validation(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C006, W002, C007: webhooks are validated, with a usable secret when by signature."""
    try:
        validation = djstripe_settings.DJSTRIPE_WEBHOOK_VALIDATION
        secrets = djstripe_settings.DJSTRIPE_WEBHOOK_SECRET
    except ImproperlyConfigured:
        return []  # reported by check_setting_values (C002)
    messages: list[CheckMessage] = []
    if validation == "verify_signature" and not secrets:
        message = (
            "DJSTRIPE_WEBHOOK_VALIDATION is 'verify_signature' but DJSTRIPE_WEBHOOK_SECRET is "
            "not set: every webhook would be rejected."
        )
        messages.append(Error(message, id="djstripe.C006"))
    if any(not secret.startswith("whsec_") for secret in secrets):
        message = "DJSTRIPE_WEBHOOK_SECRET holds a value that does not start with whsec_."
        hint = "Copy the endpoint's signing secret from the Stripe dashboard's webhook settings."
        messages.append(Warning(message, hint=hint, id="djstripe.W002"))
    if validation is None and djstripe_settings.STRIPE_LIVE_MODE:
        message = (
            "DJSTRIPE_WEBHOOK_VALIDATION is None in live mode: anyone could post made-up "
            "events to the webhook endpoint."
        )
        messages.append(Error(message, id="djstripe.C007"))
    return messages


@register("djstripe")
def check_subscriber_model(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C008: DJSTRIPE_SUBSCRIBER_MODEL is installed, has an email, and has its request callback."""
    return _read_errors(djstripe_settings.get_subscriber_model, "djstripe.C008")


@register("djstripe")
def check_callbacks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C009: each callback setting that is set names a callable that can be imported."""
    errors: list[CheckMessage] = []
    for name in CALLBACK_SETTINGS:
        errors += _read_errors(
            partial(djstripe_settings.get_callback_function, name), "djstripe.C009"
        )
    return errors


@register("djstripe")
def check_subscription_exception_urls(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """C010, C011: the exception URLs are a list or tuple of strings, their patterns usable."""
    entries = djstripe_settings.DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS
    if not isinstance(entries, (list, tuple)) or not all(isinstance(e, str) for e in entries):
        message = (
            f"DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS = {entries!r} is invalid: expected "
            "a list or tuple of strings."
        )
        return [Error(message, id="djstripe.C010")]
    errors: list[CheckMessage] = []
    for entry in entries:
        pattern = entry[len(PATH_PATTERN_PREFIX) :]
        if entry.startswith(PATH_PATTERN_PREFIX) and not pattern.startswith(("/", "*")):
            message = (
                f"DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS entry {entry!r} can never match: "
                "a path pattern covers the whole path, so it starts with / or *, e.g. "
                "'fn:/accounts/*'."
            )
            errors.append(Error(message, id="djstripe.C011"))
    return errors


@register("djstripe")
def check_subscription_redirect(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """C012: with SubscriptionPaymentMiddleware on, DJSTRIPE_SUBSCRIPTION_REDIRECT is set."""
    if MIDDLEWARE_PATH not in settings.MIDDLEWARE:
        return []
    if djstripe_settings.DJSTRIPE_SUBSCRIPTION_REDIRECT:
        return []
    message = (
        f"{MIDDLEWARE_PATH} is in MIDDLEWARE but DJSTRIPE_SUBSCRIPTION_REDIRECT is not set: "
        "it names where subscribers without a subscription are sent."
    )
    return [Error(message, id="djstripe.C012")]
