"""djstripe's system checks: one stable id and one exact message per problem."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.checks import Error, Warning, run_checks
from django.test import override_settings

from djstripe import checks


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_test_settings_pass_every_check():
    assert run_checks(tags=["djstripe"]) == []


def test_checks_run_under_their_tags():
    with override_settings(STRIPE_API_VERSION="latest", STRIPE_TEST_SECRET_KEY="pk_test_x"):
        assert set(ids(run_checks(tags=["djstripe"]))) == {"djstripe.C001", "djstripe.C003"}
        assert ids(run_checks(tags=["security"])) == ["djstripe.C003"]


# -- settings readers ---------------------------------------------------------------------


@override_settings(STRIPE_API_VERSION="2018-5-21")
def test_c001_malformed_api_version():
    assert checks.check_api_version() == [
        Error(
            "STRIPE_API_VERSION = '2018-5-21' is invalid: expected a date like 2018-05-21, "
            "optionally with a .name.",
            id="djstripe.C001",
        )
    ]


@override_settings(STRIPE_API_VERSION="2019-02-19.preview")
def test_c001_accepts_a_named_version():
    assert checks.check_api_version() == []


@override_settings(DJSTRIPE_WEBHOOK_SYNC_MODE="eventually", DJSTRIPE_WEBHOOK_TOLERANCE=-1)
def test_c002_invalid_setting_values():
    assert checks.check_setting_values() == [
        Error(
            "DJSTRIPE_WEBHOOK_SYNC_MODE = 'eventually' is invalid: expected one of "
            "('refetch', 'payload').",
            id="djstripe.C002",
        ),
        Error(
            "DJSTRIPE_WEBHOOK_TOLERANCE = -1 is invalid: expected a non-negative integer.",
            id="djstripe.C002",
        ),
    ]


@override_settings(DJSTRIPE_WEBHOOK_SECRET=42)
def test_c002_reports_a_bad_webhook_secret_once():
    assert checks.check_setting_values() == [
        Error(
            "DJSTRIPE_WEBHOOK_SECRET = 42 is invalid: expected a string or a list of strings.",
            id="djstripe.C002",
        )
    ]
    assert checks.check_webhook_validation() == []  # not reported twice


# -- keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["sk_test_abc", "rk_test_abc"])
def test_secret_and_restricted_test_keys_pass(key):
    with override_settings(STRIPE_TEST_SECRET_KEY=key):
        assert checks.check_secret_keys() == []


@override_settings(STRIPE_TEST_SECRET_KEY="pk_test_abc", STRIPE_LIVE_SECRET_KEY="whatever")
def test_c003_not_a_secret_key():
    assert checks.check_secret_keys() == [
        Error(
            "STRIPE_TEST_SECRET_KEY is not a Stripe secret key: expected a key starting with "
            "sk_test_ or rk_test_.",
            id="djstripe.C003",
        ),
        Error(
            "STRIPE_LIVE_SECRET_KEY is not a Stripe secret key: expected a key starting with "
            "sk_live_ or rk_live_.",
            id="djstripe.C003",
        ),
    ]


@override_settings(STRIPE_TEST_SECRET_KEY="sk_live_abc", STRIPE_LIVE_SECRET_KEY="rk_test_abc")
def test_c004_a_key_of_the_other_mode():
    assert checks.check_secret_keys() == [
        Error(
            "STRIPE_TEST_SECRET_KEY holds a live mode key: test mode needs a key starting with "
            "sk_test_ or rk_test_.",
            id="djstripe.C004",
        ),
        Error(
            "STRIPE_LIVE_SECRET_KEY holds a test mode key: live mode needs a key starting with "
            "sk_live_ or rk_live_.",
            id="djstripe.C004",
        ),
    ]


@override_settings(STRIPE_SECRET_KEY="sk_test_abc", STRIPE_LIVE_MODE=True)
def test_c004_stripe_secret_key_follows_the_configured_mode():
    assert ids(checks.check_secret_keys()) == ["djstripe.C004"]
    assert checks.check_secret_keys()[0].msg.startswith("STRIPE_SECRET_KEY holds a test")


@override_settings(STRIPE_TEST_SECRET_KEY="sk_test_very_secret_value")
def test_messages_never_show_a_key():
    with override_settings(STRIPE_LIVE_SECRET_KEY="sk_test_very_secret_value"):
        messages = run_checks(tags=["djstripe"])
    assert messages and all("very_secret" not in message.msg for message in messages)


@override_settings(STRIPE_TEST_PUBLIC_KEY="sk_test_abc", STRIPE_LIVE_PUBLIC_KEY="rk_live_abc")
def test_c005_a_secret_key_in_a_publishable_key_setting():
    assert checks.check_public_keys() == [
        Error(
            "STRIPE_TEST_PUBLIC_KEY holds a secret key: publishable keys are sent to browsers, "
            "so it must be a publishable key (pk_test_ or pk_live_).",
            id="djstripe.C005",
        ),
        Error(
            "STRIPE_LIVE_PUBLIC_KEY holds a secret key: publishable keys are sent to browsers, "
            "so it must be a publishable key (pk_test_ or pk_live_).",
            id="djstripe.C005",
        ),
    ]


@override_settings(STRIPE_TEST_SECRET_KEY="")
def test_w001_no_secret_key_for_the_configured_mode():
    assert checks.check_secret_key_present() == [
        Warning(
            "No Stripe secret key for test mode: STRIPE_TEST_SECRET_KEY is not set.",
            hint="djstripe cannot make requests to Stripe until it is.",
            id="djstripe.W001",
        )
    ]
    with override_settings(STRIPE_SECRET_KEY="sk_test_abc"):
        assert checks.check_secret_key_present() == []


@override_settings(STRIPE_LIVE_MODE=True, STRIPE_LIVE_SECRET_KEY="")
def test_w001_in_live_mode():
    assert [m.msg for m in checks.check_secret_key_present()] == [
        "No Stripe secret key for live mode: STRIPE_LIVE_SECRET_KEY is not set."
    ]


# -- webhooks -----------------------------------------------------------------------------


@override_settings(DJSTRIPE_WEBHOOK_VALIDATION="verify_signature", DJSTRIPE_WEBHOOK_SECRET="")
def test_c006_signature_validation_without_a_secret():
    assert checks.check_webhook_validation() == [
        Error(
            "DJSTRIPE_WEBHOOK_VALIDATION is 'verify_signature' but DJSTRIPE_WEBHOOK_SECRET is "
            "not set: every webhook would be rejected.",
            id="djstripe.C006",
        )
    ]


@override_settings(DJSTRIPE_WEBHOOK_SECRET=["whsec_a", "sk_test_oops"])
def test_w002_a_secret_that_is_not_a_signing_secret():
    assert checks.check_webhook_validation() == [
        Warning(
            "DJSTRIPE_WEBHOOK_SECRET holds a value that does not start with whsec_.",
            hint="Copy the endpoint's signing secret from the Stripe dashboard's webhook "
            "settings.",
            id="djstripe.W002",
        )
    ]


@override_settings(DJSTRIPE_WEBHOOK_VALIDATION=None, STRIPE_LIVE_MODE=True)
def test_c007_no_validation_in_live_mode():
    assert checks.check_webhook_validation() == [
        Error(
            "DJSTRIPE_WEBHOOK_VALIDATION is None in live mode: anyone could post made-up "
            "events to the webhook endpoint.",
            id="djstripe.C007",
        )
    ]
    with override_settings(STRIPE_LIVE_MODE=False):
        assert checks.check_webhook_validation() == []


# -- the subscriber and callbacks --------------------------------------------------------


@override_settings(DJSTRIPE_SUBSCRIBER_MODEL="auth.Group")
def test_c008_subscriber_model_without_email():
    # The callback is set, so only the missing email is reported.
    with override_settings(DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK=lambda request: None):
        assert checks.check_subscriber_model() == [
            Error(
                "DJSTRIPE_SUBSCRIBER_MODEL = 'auth.Group' is invalid: the model must have an "
                "email attribute.",
                id="djstripe.C008",
            )
        ]


@override_settings(DJSTRIPE_SUBSCRIBER_MODEL="shop.Team")
def test_c008_subscriber_model_not_installed():
    assert checks.check_subscriber_model() == [
        Error(
            "DJSTRIPE_SUBSCRIBER_MODEL = 'shop.Team' is invalid: that model is not installed.",
            id="djstripe.C008",
        )
    ]


@override_settings(DJSTRIPE_SUBSCRIBER_MODEL="djstripe.Account")  # has an email
def test_c008_a_subscriber_model_that_is_not_the_user_needs_a_callback():
    assert checks.check_subscriber_model() == [
        Error(
            "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK = None is invalid: it must be set when "
            "DJSTRIPE_SUBSCRIBER_MODEL is not the user model.",
            id="djstripe.C008",
        )
    ]
    with override_settings(DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK=lambda request: None):
        assert checks.check_subscriber_model() == []


@override_settings(
    DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK="tests.nowhere.callback",
    DJSTRIPE_WEBHOOK_EVENT_CALLBACK=42,
)
def test_c009_callbacks_that_are_not_callable():
    errors = checks.check_callbacks()
    assert ids(errors) == ["djstripe.C009", "djstripe.C009"]
    assert errors[0].msg.startswith(
        "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK = 'tests.nowhere.callback' is invalid: "
        "cannot import it ("
    )
    assert errors[1].msg == (
        "DJSTRIPE_WEBHOOK_EVENT_CALLBACK = 42 is invalid: expected a callable or a dotted path."
    )


# -- subscription requirements -----------------------------------------------------------


@pytest.mark.parametrize("value", ["home", ["home", 3], {"home": 1}])
def test_c010_exception_urls_must_be_a_list_of_strings(value):
    with override_settings(DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS=value):
        assert checks.check_subscription_exception_urls() == [
            Error(
                f"DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS = {value!r} is invalid: "
                "expected a list or tuple of strings.",
                id="djstripe.C010",
            )
        ]


@override_settings(
    DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS=("home", "[shop]", "(store)", "fn:/docs/*")
)
def test_every_exception_url_form_passes():
    assert checks.check_subscription_exception_urls() == []


@override_settings(DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS=["fn:docs/*", "home"])
def test_c011_a_path_pattern_that_cannot_match():
    assert checks.check_subscription_exception_urls() == [
        Error(
            "DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS entry 'fn:docs/*' can never match: "
            "a path pattern covers the whole path, so it starts with / or *, e.g. "
            "'fn:/accounts/*'.",
            id="djstripe.C011",
        )
    ]


def test_c012_middleware_without_a_redirect():
    middleware = [*settings.MIDDLEWARE, "djstripe.middleware.SubscriptionPaymentMiddleware"]
    with override_settings(MIDDLEWARE=middleware):
        assert checks.check_subscription_redirect() == [
            Error(
                "djstripe.middleware.SubscriptionPaymentMiddleware is in MIDDLEWARE but "
                "DJSTRIPE_SUBSCRIPTION_REDIRECT is not set: it names where subscribers without "
                "a subscription are sent.",
                id="djstripe.C012",
            )
        ]
        with override_settings(DJSTRIPE_SUBSCRIPTION_REDIRECT="pricing"):
            assert checks.check_subscription_redirect() == []
    assert checks.check_subscription_redirect() == []
