"""View decorators that let only paying subscribers through.

A request's subscriber is what DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK
returns for it (``request.user`` by default). Anonymous users are sent to log
in before any subscriber is looked up, so callbacks never see them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from . import settings as djstripe_settings
from .utils import subscriber_has_active_subscription

PayTest = Callable[[Any, Any], bool]


def is_authenticated(request: HttpRequest) -> bool:
    """Whether the request comes from a logged-in user (False without auth middleware)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def get_request_subscriber(request: HttpRequest) -> Any:
    """The subscriber of an authenticated request, per DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK.

    None for anonymous requests: the callback is not called for them.
    """
    if not is_authenticated(request):
        return None
    get_subscriber = djstripe_settings.get_callback_function(
        "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK"
    )
    return get_subscriber(request)


def subscription_redirect_target() -> str:
    """DJSTRIPE_SUBSCRIPTION_REDIRECT: where subscribers without a subscription are sent."""
    target = djstripe_settings.DJSTRIPE_SUBSCRIPTION_REDIRECT
    if not target:
        raise ImproperlyConfigured(
            "DJSTRIPE_SUBSCRIPTION_REDIRECT is not set: name the URL (or give the path) of "
            "the page where subscribers without a subscription are sent."
        )
    return target


def subscriber_passes_pay_test(
    test_func: PayTest, plan: Any = None, pay_page: str | None = None
) -> Callable:
    """Decorate a view so only subscribers for whom ``test_func(subscriber, plan)`` holds see it.

    Others are redirected to ``pay_page`` (a URL name or a path; default
    DJSTRIPE_SUBSCRIPTION_REDIRECT, read at request time); anonymous users to
    the login page.
    """

    def decorator(view_func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view_func)
        def wrapped_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_authenticated(request):
                return redirect_to_login(request.get_full_path())
            subscriber = get_request_subscriber(request)
            if subscriber is not None and test_func(subscriber, plan):
                return view_func(request, *args, **kwargs)
            return redirect(pay_page or subscription_redirect_target())

        return wrapped_view

    return decorator


def subscription_payment_required(
    function: Callable | None = None, *, plan: Any = None, pay_page: str | None = None
) -> Callable:
    """Let through only subscribers with an active subscription (to ``plan``, if given).

    Use it bare (``@subscription_payment_required``) or with arguments
    (``@subscription_payment_required(plan="gold", pay_page="pricing")``);
    see :func:`subscriber_passes_pay_test` for where others are sent.
    """
    decorator = subscriber_passes_pay_test(
        subscriber_has_active_subscription, plan=plan, pay_page=pay_page
    )
    return decorator(function) if function is not None else decorator
