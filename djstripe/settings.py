"""djstripe's settings, read from Django's settings at use time.

``from djstripe import settings as djstripe_settings`` then
``djstripe_settings.STRIPE_SECRET_KEY``: every attribute is looked up in
``django.conf.settings`` when first read, so nothing is read at import time.
Values are then remembered until a setting changes (``setting_changed``, sent
by ``override_settings``): the webhook path reads several per request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

DEFAULT_STRIPE_API_VERSION = "2018-05-21"
API_VERSION_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z_]+)?$")
API_VERSION_EXPECTED = "expected a date like 2018-05-21, optionally with a .name"
WEBHOOK_VALIDATIONS = ("verify_signature", "retrieve_event", None)


def _default_subscriber_request_callback(request):
    return request.user


# name -> default. Callables as defaults are computed at read time.
DEFAULTS: dict[str, Any] = {
    "STRIPE_LIVE_MODE": False,
    "STRIPE_LIVE_SECRET_KEY": "",
    "STRIPE_TEST_SECRET_KEY": "",
    "STRIPE_LIVE_PUBLIC_KEY": "",
    "STRIPE_TEST_PUBLIC_KEY": "",
    "STRIPE_API_VERSION": DEFAULT_STRIPE_API_VERSION,
    "STRIPE_API_HOST": "",
    "DJSTRIPE_SUBSCRIBER_MODEL": None,
    "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK": _default_subscriber_request_callback,
    "DJSTRIPE_IDEMPOTENCY_KEY_CALLBACK": "djstripe.models.base.default_idempotency_key",
    "DJSTRIPE_PRORATION_POLICY": False,
    "DJSTRIPE_WEBHOOK_URL": r"^webhook/$",
    "DJSTRIPE_WEBHOOK_SECRET": "",
    "DJSTRIPE_WEBHOOK_TOLERANCE": 300,
    "DJSTRIPE_WEBHOOK_EVENT_CALLBACK": None,
    "DJSTRIPE_WEBHOOK_SYNC_MODE": "refetch",
    "DJSTRIPE_SUBSCRIPTION_REDIRECT": None,
    "DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS": (),
    "DJSTRIPE_MAX_NETWORK_RETRIES": 2,
}

WEBHOOK_SYNC_MODES = ("refetch", "payload")


def _read(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def _improperly_configured(name: str, value: Any, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name} = {value!r} is invalid: {expected}.")


def is_api_version(value: Any) -> bool:
    """Whether ``value`` names a Stripe API version: a date like 2018-05-21, maybe with a .name."""
    return isinstance(value, str) and API_VERSION_PATTERN.match(value) is not None


def _stripe_api_version() -> str:
    value = _read("STRIPE_API_VERSION")
    if not is_api_version(value):
        raise _improperly_configured("STRIPE_API_VERSION", value, API_VERSION_EXPECTED)
    return value


def _webhook_secrets() -> tuple[str, ...]:
    value = _read("DJSTRIPE_WEBHOOK_SECRET")
    secrets = (value,) if isinstance(value, str) else value
    if not isinstance(secrets, (list, tuple)) or not all(isinstance(s, str) for s in secrets):
        raise _improperly_configured(
            "DJSTRIPE_WEBHOOK_SECRET", value, "expected a string or a list of strings"
        )
    return tuple(s for s in secrets if s)


def _webhook_validation() -> str | None:
    if hasattr(settings, "DJSTRIPE_WEBHOOK_VALIDATION"):
        value = settings.DJSTRIPE_WEBHOOK_VALIDATION
    else:
        value = "verify_signature" if _webhook_secrets() else "retrieve_event"
    if value not in WEBHOOK_VALIDATIONS:
        raise _improperly_configured(
            "DJSTRIPE_WEBHOOK_VALIDATION", value, f"expected one of {WEBHOOK_VALIDATIONS}"
        )
    return value


def _choice(name: str, choices: tuple) -> Callable[[], Any]:
    def read() -> Any:
        value = _read(name)
        if value not in choices:
            raise _improperly_configured(name, value, f"expected one of {choices}")
        return value

    return read


def _non_negative_int(name: str) -> Callable[[], int]:
    def read() -> int:
        value = _read(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _improperly_configured(name, value, "expected a non-negative integer")
        return value

    return read


def _secret_key() -> str:
    return get_default_api_key(None)


def _public_key() -> str:
    explicit = getattr(settings, "STRIPE_PUBLIC_KEY", None)
    if explicit:
        return explicit
    return _read(
        "STRIPE_LIVE_PUBLIC_KEY" if _read("STRIPE_LIVE_MODE") else "STRIPE_TEST_PUBLIC_KEY"
    )


def get_subscriber_model_name() -> str:
    """The ``app_label.ModelName`` of the subscriber model (the user model by default)."""
    return _read("DJSTRIPE_SUBSCRIBER_MODEL") or settings.AUTH_USER_MODEL


# Settings that need more than a plain read.
COMPUTED: dict[str, Callable[[], Any]] = {
    "STRIPE_API_VERSION": _stripe_api_version,
    "STRIPE_SECRET_KEY": _secret_key,
    "STRIPE_PUBLIC_KEY": _public_key,
    "DJSTRIPE_SUBSCRIBER_MODEL": get_subscriber_model_name,
    "DJSTRIPE_WEBHOOK_SECRET": _webhook_secrets,
    "DJSTRIPE_WEBHOOK_VALIDATION": _webhook_validation,
    "DJSTRIPE_WEBHOOK_SYNC_MODE": _choice("DJSTRIPE_WEBHOOK_SYNC_MODE", WEBHOOK_SYNC_MODES),
    "DJSTRIPE_WEBHOOK_TOLERANCE": _non_negative_int("DJSTRIPE_WEBHOOK_TOLERANCE"),
    "DJSTRIPE_MAX_NETWORK_RETRIES": _non_negative_int("DJSTRIPE_MAX_NETWORK_RETRIES"),
}


# What has been read, until a setting changes.
_remembered: dict[Any, Any] = {}


def _remember(key: Any, read: Callable[[], Any]) -> Any:
    try:
        return _remembered[key]
    except KeyError:
        value = _remembered[key] = read()
        return value


def _forget(**kwargs: Any) -> None:
    _remembered.clear()


setting_changed.connect(_forget, dispatch_uid="djstripe.settings")


def __getattr__(name: str) -> Any:
    if name in COMPUTED:
        return _remember(name, COMPUTED[name])
    if name in DEFAULTS:
        return _remember(name, lambda: _read(name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_default_api_key(livemode: bool | None) -> str:
    """Return the secret key for ``livemode`` (the configured mode's key when None).

    ``livemode`` may come from a request's body: anything but None counts by
    its truth, as an ``if`` would.
    """
    mode = None if livemode is None else bool(livemode)
    return _remember(("api key", mode), lambda: _api_key(mode))


def _api_key(livemode: bool | None) -> str:
    if livemode is None:
        explicit = getattr(settings, "STRIPE_SECRET_KEY", None)
        if explicit:
            return explicit
        livemode = _read("STRIPE_LIVE_MODE")
    return _read("STRIPE_LIVE_SECRET_KEY" if livemode else "STRIPE_TEST_SECRET_KEY")


def get_callback_function(setting_name: str, default: Callable | None = None) -> Callable | None:
    """Return the callable named by a setting: a callable, or a dotted path to one."""
    value = getattr(settings, setting_name, None)
    if value is None:
        value = DEFAULTS.get(setting_name, default) if default is None else default
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as exc:
            raise _improperly_configured(setting_name, value, f"cannot import it ({exc})") from exc
    if not callable(value):
        raise _improperly_configured(setting_name, value, "expected a callable or a dotted path")
    return value


def get_subscriber_model():
    """Return the subscriber model class, validated the way ``get_user_model()`` is."""
    name = get_subscriber_model_name()
    try:
        model = django_apps.get_model(name, require_ready=False)
    except ValueError as exc:
        raise _improperly_configured(
            "DJSTRIPE_SUBSCRIBER_MODEL", name, "expected the form 'app_label.model_name'"
        ) from exc
    except LookupError as exc:
        raise _improperly_configured(
            "DJSTRIPE_SUBSCRIBER_MODEL", name, "that model is not installed"
        ) from exc
    if "email" not in {f.name for f in model._meta.get_fields()} and not hasattr(model, "email"):
        raise _improperly_configured(
            "DJSTRIPE_SUBSCRIBER_MODEL", name, "the model must have an email attribute"
        )
    if name != settings.AUTH_USER_MODEL and not hasattr(
        settings, "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK"
    ):
        raise _improperly_configured(
            "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK",
            None,
            "it must be set when DJSTRIPE_SUBSCRIBER_MODEL is not the user model",
        )
    return model
