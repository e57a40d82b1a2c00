"""Who may see what: the pay decorators, the subscription middleware, the view mixins.

This module is also the URLconf of its tests (``ROOT_URLCONF``), so that every
form of DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS has a URL to match.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import include, path
from django.utils import timezone
from django.views.generic import TemplateView

from djstripe.decorators import subscriber_passes_pay_test, subscription_payment_required
from djstripe.middleware import SubscriptionPaymentMiddleware
from djstripe.mixins import PaymentsContextMixin, SubscriptionMixin
from djstripe.models import Customer, IdempotencyKey, Plan, Subscription
from djstripe.utils import clear_expired_idempotency_keys, get_friendly_currency_amount
from tests.fake_stripe import load_fixture


def ok(request, *args, **kwargs):
    return HttpResponse("ok")


shop_patterns = [path("", ok, name="index"), path("cart/", ok, name="cart")]
billing_patterns = ([path("", ok, name="index")], "billing")

urlpatterns = [
    path("", ok, name="home"),
    path("account/", ok, name="account"),
    path("pricing/", ok, name="pricing"),
    path("login/", ok, name="login"),
    path("docs/<slug:page>/", ok, name="docs"),
    # namespace "shop", app_name "store": "[shop]" and "(store)" both match it
    path("shop/", include((shop_patterns, "store"), namespace="shop")),
    path("billing/", include(billing_patterns)),
    path("protected/", subscription_payment_required(ok), name="protected"),
    path(
        "gold/",
        subscription_payment_required(plan="gold", pay_page="/pricing/?plan=gold")(ok),
        name="gold",
    ),
    path("silver/", subscription_payment_required(plan="silver")(ok), name="silver"),
    path("admin/", admin.site.urls),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
]

SETTINGS = {
    "LOGIN_URL": "/login/",
    "DJSTRIPE_SUBSCRIPTION_REDIRECT": "pricing",
}
FUTURE = int(time.time()) + 30 * 24 * 3600

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def access_settings(settings):
    for name, value in SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("jenny", "jenny.rosen@example.com", "pw")


@pytest.fixture
def paying_user(user, fake_stripe):
    """A user whose customer has an active subscription to "gold"."""
    fake_stripe.store([load_fixture("product"), load_fixture("plan")])
    Customer.sync_from_stripe_data(load_fixture("customer"))
    Subscription.sync_from_stripe_data(load_fixture("subscription", current_period_end=FUTURE))
    Customer.objects.filter(stripe_id="cus_Cox9sWuLoPAaA8").update(subscriber=user)
    return user


def get(request_user, url: str):
    request = RequestFactory().get(url)
    request.user = request_user
    return request


def middleware_response(request_user, url: str, exceptions=()):
    with override_settings(DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS=exceptions):
        return SubscriptionPaymentMiddleware(ok)(get(request_user, url))


def assert_redirects_to(response, url: str):
    assert response.status_code == 302
    assert response["Location"] == url


# -- the decorators -----------------------------------------------------------------------


def test_bare_decorator_lets_a_paying_subscriber_through(client, paying_user):
    client.force_login(paying_user)
    response = client.get("/protected/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_bare_decorator_sends_others_to_the_redirect_setting(client, user):
    client.force_login(user)
    assert_redirects_to(client.get("/protected/"), "/pricing/")


def test_bare_decorator_sends_anonymous_users_to_log_in(client):
    assert_redirects_to(client.get("/protected/?x=1"), "/login/?next=/protected/%3Fx%3D1")


def test_an_expired_subscription_does_not_count(client, paying_user):
    Subscription.objects.update(current_period_end=timezone.now() - timezone.timedelta(days=1))
    client.force_login(paying_user)
    assert_redirects_to(client.get("/protected/"), "/pricing/")


def test_decorator_with_a_plan_and_a_pay_page(client, paying_user):
    client.force_login(paying_user)
    assert client.get("/gold/").status_code == 200
    # Subscribed to gold, not to silver: sent to DJSTRIPE_SUBSCRIPTION_REDIRECT.
    assert_redirects_to(client.get("/silver/"), "/pricing/")


def test_decorator_pay_page_is_used_for_others(client, user):
    client.force_login(user)
    assert_redirects_to(client.get("/gold/"), "/pricing/?plan=gold")


def test_decorator_without_any_pay_page_is_improperly_configured(client, user, settings):
    settings.DJSTRIPE_SUBSCRIPTION_REDIRECT = None
    client.force_login(user)
    with pytest.raises(ImproperlyConfigured, match="DJSTRIPE_SUBSCRIPTION_REDIRECT"):
        client.get("/protected/")


def test_subscriber_passes_pay_test_calls_the_test_with_subscriber_and_plan(user):
    calls = []

    def test_func(subscriber, plan):
        calls.append((subscriber, plan))
        return plan == "gold"

    allowed = subscriber_passes_pay_test(test_func, plan="gold", pay_page="account")(ok)
    refused = subscriber_passes_pay_test(test_func, plan="silver", pay_page="account")(ok)

    assert allowed(get(user, "/x/")).status_code == 200
    assert_redirects_to(refused(get(user, "/x/")), "/account/")
    assert calls == [(user, "gold"), (user, "silver")]
    assert allowed.__name__ == "ok"


def test_the_subscriber_comes_from_the_request_callback(user, settings):
    settings.DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK = lambda request: "the team"
    seen = []
    view = subscriber_passes_pay_test(lambda s, p: seen.append(s) or True)(ok)
    assert view(get(user, "/x/")).status_code == 200
    assert seen == ["the team"]


# -- the middleware -----------------------------------------------------------------------


def test_middleware_lets_a_paying_subscriber_through(paying_user):
    assert middleware_response(paying_user, "/account/").content == b"ok"


def test_middleware_redirects_a_subscriber_without_a_subscription(user):
    assert_redirects_to(middleware_response(user, "/account/"), "/pricing/")


def test_middleware_sends_anonymous_users_to_log_in():
    response = middleware_response(AnonymousUser(), "/account/")
    assert_redirects_to(response, "/login/?next=/account/")


def test_middleware_lets_anonymous_users_see_exempt_urls():
    assert middleware_response(AnonymousUser(), "/", ["home"]).content == b"ok"
    assert middleware_response(AnonymousUser(), "/login/").content == b"ok"


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_middleware_lets_staff_through(user, flag):
    setattr(user, flag, True)
    assert middleware_response(user, "/account/").content == b"ok"


@pytest.mark.parametrize(
    "exception, url",
    [
        ("home", "/"),
        ("shop:cart", "/shop/cart/"),
        ("[shop]", "/shop/"),
        ("[shop]", "/shop/cart/"),
        ("(store)", "/shop/cart/"),
        ("(billing)", "/billing/"),
        ("[billing]", "/billing/"),
        ("fn:/docs/*", "/docs/intro/"),
        ("fn:/account/", "/account/"),
        ("fn:*/cart/", "/shop/cart/"),
    ],
)
def test_middleware_exemptions(user, exception, url):
    assert middleware_response(user, url, [exception]).content == b"ok"


@pytest.mark.parametrize(
    "exception, url",
    [
        ("home", "/account/"),
        ("cart", "/shop/cart/"),  # a namespaced URL is named with its namespace
        ("shop:index", "/shop/cart/"),
        ("[store]", "/shop/cart/"),  # "store" is the app name, not the namespace
        ("(shop)", "/shop/cart/"),  # and "shop" the namespace, not the app name
        ("fn:/doc/*", "/docs/intro/"),
        ("fn:/docs/", "/docs/intro/"),  # a pattern covers the whole path
    ],
)
def test_middleware_non_exemptions(user, exception, url):
    assert_redirects_to(middleware_response(user, url, [exception]), "/pricing/")


@pytest.mark.parametrize("url", ["/pricing/", "/login/", "/admin/", "/stripe/webhook/"])
def test_middleware_always_exempts_the_pay_page_login_admin_and_webhook(user, url):
    assert middleware_response(user, url).content == b"ok"


def test_middleware_lets_unknown_paths_through_to_their_404(user):
    assert middleware_response(user, "/no/such/page/").content == b"ok"


def test_middleware_in_the_stack(client, user, paying_user, settings):
    middleware = "djstripe.middleware.SubscriptionPaymentMiddleware"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, middleware]
    assert_redirects_to(client.get("/account/"), "/login/?next=/account/")
    client.force_login(paying_user)
    assert client.get("/account/").status_code == 200
    assert client.get("/nowhere/").status_code == 404
    # The webhook is reached without a session (and refuses an unsigned body itself).
    client.logout()
    response = client.post("/stripe/webhook/", data="{}", content_type="application/json")
    assert response.status_code == 400


def test_middleware_needs_the_authentication_middleware():
    request = RequestFactory().get("/account/")
    with pytest.raises(ImproperlyConfigured, match="AuthenticationMiddleware"):
        SubscriptionPaymentMiddleware(ok)(request)


# -- the mixins ---------------------------------------------------------------------------


class PlansView(PaymentsContextMixin, TemplateView):
    template_name = "unused.html"


class SubscriptionView(SubscriptionMixin, TemplateView):
    template_name = "unused.html"


def context_of(view_class, request_user) -> dict:
    view = view_class()
    view.setup(get(request_user, "/x/"))
    return view.get_context_data()


def test_payments_context_mixin(fake_stripe, settings):
    fake_stripe.store(load_fixture("product"))
    Plan.sync_from_stripe_data(load_fixture("plan"))
    Plan.sync_from_stripe_data(load_fixture("plan", id="gold-live", livemode=True))

    context = context_of(PlansView, AnonymousUser())

    assert context["STRIPE_PUBLIC_KEY"] == "pk_test_djstripe"
    assert [plan.stripe_id for plan in context["plans"]] == ["gold"]
    settings.STRIPE_LIVE_MODE = True
    context = context_of(PlansView, AnonymousUser())
    assert context["STRIPE_PUBLIC_KEY"] == "pk_live_djstripe"
    assert [plan.stripe_id for plan in context["plans"]] == ["gold-live"]


def test_subscription_mixin_gives_the_customer_and_subscription(paying_user, fake_stripe):
    context = context_of(SubscriptionView, paying_user)

    assert context["customer"].stripe_id == "cus_Cox9sWuLoPAaA8"
    assert context["subscription"].stripe_id == "sub_CpJxjJHucuaF7o"
    assert [s.stripe_id for s in context["subscriptions"]] == ["sub_CpJxjJHucuaF7o"]
    assert "plans" in context and "STRIPE_PUBLIC_KEY" in context
    assert fake_stripe.count("post") == 0


def test_subscription_mixin_creates_no_customer(user, fake_stripe):
    context = context_of(SubscriptionView, user)

    assert context["customer"] is None and context["subscription"] is None
    assert fake_stripe.requests == [] and Customer.objects.count() == 0


def test_subscription_mixin_for_anonymous_users(fake_stripe):
    Customer.sync_from_stripe_data(load_fixture("customer"))  # no subscriber: not theirs

    context = context_of(SubscriptionView, AnonymousUser())

    assert context["customer"] is None and context["subscription"] is None


def test_subscription_mixin_with_several_valid_subscriptions(paying_user, fake_stripe):
    Subscription.sync_from_stripe_data(
        load_fixture("subscription", id="sub_second", current_period_end=FUTURE)
    )

    context = context_of(SubscriptionView, paying_user)

    assert context["subscription"] is None
    stripe_ids = {s.stripe_id for s in context["subscriptions"]}
    assert stripe_ids == {"sub_CpJxjJHucuaF7o", "sub_second"}


# -- expired idempotency keys ------------------------------------------------------------


def make_key(action: str, age: timezone.timedelta) -> IdempotencyKey:
    key = IdempotencyKey.objects.create(action=action, livemode=False)
    IdempotencyKey.objects.filter(pk=key.pk).update(created=timezone.now() - age)
    return key


def test_clear_expired_idempotency_keys():
    make_key("customer:create:1", timezone.timedelta(hours=25))
    make_key("customer:create:2", timezone.timedelta(days=3))
    fresh = make_key("customer:create:3", timezone.timedelta(hours=23))

    assert clear_expired_idempotency_keys() == 2

    assert list(IdempotencyKey.objects.all()) == [fresh]
    assert clear_expired_idempotency_keys() == 0


def test_clear_expired_idempotency_keys_command(capsys):
    make_key("customer:create:1", timezone.timedelta(hours=25))

    call_command("djstripe_clear_expired_idempotency_keys")

    assert capsys.readouterr().out == "Deleted 1 expired idempotency key(s).\n"
    assert IdempotencyKey.objects.count() == 0


# -- amounts for display -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("20.00"), "usd", "$20.00 USD"),
        (500, "JPY", "¥500 JPY"),
        (Decimal("1234.5"), "eur", "€1,234.50 EUR"),
        (Decimal("5"), None, "5.00 "),
        (None, "usd", ""),
    ],
)
def test_get_friendly_currency_amount(amount, currency, shown):
    assert get_friendly_currency_amount(amount, currency) == shown
