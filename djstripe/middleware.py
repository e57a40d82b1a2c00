"""Middleware that sends subscribers without an active subscription to the pay page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, ResolverMatch, resolve

from . import settings as djstripe_settings
from .decorators import get_request_subscriber, subscription_redirect_target
from .utils import subscriber_has_active_subscription

# Entries of DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS that are path patterns.
PATH_PATTERN_PREFIX = "fn:"
# URLs of these apps never need a subscription: Stripe's webhooks, the admin.
ALWAYS_EXEMPT_APPS = ("djstripe", "admin")


def is_exempt_by(entry: str, request: HttpRequest, match: ResolverMatch) -> bool:
    """Whether one DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS entry exempts the request.

    Entries: ``"fn:<pattern>"`` (a shell-style pattern matched against the whole
    path, e.g. ``"fn:/accounts/*"``), ``"[namespace]"``
    (every URL in that namespace), ``"(app_name)"`` (every URL of that app),
    else a URL name, namespaced or not (``"home"``, ``"accounts:login"``).
    """
    if entry.startswith(PATH_PATTERN_PREFIX):
        return fnmatchcase(request.path, entry[len(PATH_PATTERN_PREFIX) :])
    if entry.startswith("[") and entry.endswith("]"):
        return entry[1:-1] in match.namespaces
    if entry.startswith("(") and entry.endswith(")"):
        return entry[1:-1] in match.app_names
    return entry == match.view_name


def is_exempt(request: HttpRequest, match: ResolverMatch, entries: Iterable[str]) -> bool:
    """Whether the request needs no subscription: an exempt URL, the pay or login page."""
    if any(app in match.app_names for app in ALWAYS_EXEMPT_APPS):
        return True
    always_open = (resolve_url(subscription_redirect_target()), resolve_url(settings.LOGIN_URL))
    if request.path in always_open:
        return True
    return any(is_exempt_by(entry, request, match) for entry in entries)


class SubscriptionPaymentMiddleware:
    """Require an active subscription everywhere but in the exempt URLs.

    Add it after ``AuthenticationMiddleware``. Staff and superusers pass;
    anonymous users are sent to log in; subscribers without an active
    subscription go to DJSTRIPE_SUBSCRIPTION_REDIRECT. Exempt: the URLs
    DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS names (see
    :func:`is_exempt_by`), the redirect target and the login page, djstripe's
    own URLs (the webhook) and the admin. Unknown paths pass, to get their 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.redirect_for(request) or self.get_response(request)

    def redirect_for(self, request: HttpRequest) -> HttpResponse | None:
        """The redirect this request gets, or None when it may go on."""
        user = getattr(request, "user", None)
        if user is None:
            raise ImproperlyConfigured(
                "SubscriptionPaymentMiddleware needs request.user: put it after "
                "django.contrib.auth.middleware.AuthenticationMiddleware in MIDDLEWARE."
            )
        if user.is_authenticated and (
            getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
        ):
            return None
        try:
            match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            return None
        entries = djstripe_settings.DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS
        if is_exempt(request, match, entries):
            return None
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        subscriber = get_request_subscriber(request)
        if subscriber is not None and subscriber_has_active_subscription(subscriber):
            return None
        return redirect(subscription_redirect_target())
