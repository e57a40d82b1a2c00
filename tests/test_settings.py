"""djstripe.settings: read at use time, with clear errors for bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from djstripe import settings as djstripe_settings


def test_settings_are_read_at_use_time():
    assert djstripe_settings.STRIPE_API_VERSION == "2018-05-21"
    with override_settings(STRIPE_API_VERSION="2019-02-19"):
        assert djstripe_settings.STRIPE_API_VERSION == "2019-02-19"
    assert djstripe_settings.STRIPE_API_VERSION == "2018-05-21"


def test_values_are_remembered_until_a_setting_changes(settings, monkeypatch):
    settings.STRIPE_TEST_SECRET_KEY = "sk_test_first"
    reads = []
    real_read = djstripe_settings._read
    monkeypatch.setattr(
        djstripe_settings, "_read", lambda name: reads.append(name) or real_read(name)
    )

    for _ in range(2):
        assert djstripe_settings.get_default_api_key(False) == "sk_test_first"
        assert djstripe_settings.DJSTRIPE_WEBHOOK_TOLERANCE == 300
    assert reads == ["STRIPE_TEST_SECRET_KEY", "DJSTRIPE_WEBHOOK_TOLERANCE"]

    settings.STRIPE_TEST_SECRET_KEY = "sk_test_second"  # sends setting_changed
    assert djstripe_settings.get_default_api_key(False) == "sk_test_second"


def test_defaults_apply_when_unset():
    assert djstripe_settings.DJSTRIPE_PRORATION_POLICY is False
    assert djstripe_settings.DJSTRIPE_WEBHOOK_TOLERANCE == 300
    assert djstripe_settings.DJSTRIPE_SUBSCRIPTION_REQUIRED_EXCEPTION_URLS == ()


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NOT_A_SETTING"):
        djstripe_settings.NOT_A_SETTING  # noqa: B018


@pytest.mark.parametrize("version", ["2018-05-21", "2017-08-15", "2020-08-27.preview"])
def test_api_version_accepts_dates_with_optional_name(version):
    with override_settings(STRIPE_API_VERSION=version):
        assert djstripe_settings.STRIPE_API_VERSION == version


@pytest.mark.parametrize("version", ["latest", "2018-5-21", "", 20180521, "2018-05-21.Bad"])
def test_api_version_rejects_malformed_values(version):
    with override_settings(STRIPE_API_VERSION=version):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.STRIPE_API_VERSION  # noqa: B018
    assert str(error.value) == (
        f"STRIPE_API_VERSION = {version!r} is invalid: expected a date like 2018-05-21, "
        "optionally with a .name."
    )


@override_settings(STRIPE_TEST_SECRET_KEY="sk_test_a", STRIPE_LIVE_SECRET_KEY="sk_live_b")
def test_default_api_key_follows_livemode():
    assert djstripe_settings.get_default_api_key(True) == "sk_live_b"
    assert djstripe_settings.get_default_api_key(False) == "sk_test_a"
    assert djstripe_settings.get_default_api_key(None) == "sk_test_a"
    with override_settings(STRIPE_LIVE_MODE=True):
        assert djstripe_settings.get_default_api_key(None) == "sk_live_b"
        assert djstripe_settings.STRIPE_SECRET_KEY == "sk_live_b"
    with override_settings(STRIPE_SECRET_KEY="sk_test_explicit"):
        assert djstripe_settings.STRIPE_SECRET_KEY == "sk_test_explicit"
        assert djstripe_settings.get_default_api_key(None) == "sk_test_explicit"
        # An object's own mode still decides.
        assert djstripe_settings.get_default_api_key(True) == "sk_live_b"


@override_settings(STRIPE_TEST_PUBLIC_KEY="pk_test_a", STRIPE_LIVE_PUBLIC_KEY="pk_live_b")
def test_public_key_follows_the_mode():
    assert djstripe_settings.STRIPE_PUBLIC_KEY == "pk_test_a"
    with override_settings(STRIPE_LIVE_MODE=True):
        assert djstripe_settings.STRIPE_PUBLIC_KEY == "pk_live_b"
    with override_settings(STRIPE_PUBLIC_KEY="pk_test_explicit"):
        assert djstripe_settings.STRIPE_PUBLIC_KEY == "pk_test_explicit"


def test_webhook_secret_accepts_one_or_several():
    with override_settings(DJSTRIPE_WEBHOOK_SECRET="whsec_1"):
        assert djstripe_settings.DJSTRIPE_WEBHOOK_SECRET == ("whsec_1",)
    with override_settings(DJSTRIPE_WEBHOOK_SECRET=["whsec_1", "whsec_2"]):
        assert djstripe_settings.DJSTRIPE_WEBHOOK_SECRET == ("whsec_1", "whsec_2")
    with override_settings(DJSTRIPE_WEBHOOK_SECRET=42):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.DJSTRIPE_WEBHOOK_SECRET  # noqa: B018
    assert str(error.value) == (
        "DJSTRIPE_WEBHOOK_SECRET = 42 is invalid: expected a string or a list of strings."
    )


def test_webhook_validation_defaults_by_secret():
    with override_settings(DJSTRIPE_WEBHOOK_SECRET="whsec_1"):
        assert djstripe_settings.DJSTRIPE_WEBHOOK_VALIDATION == "verify_signature"
    with override_settings(DJSTRIPE_WEBHOOK_SECRET=""):
        assert djstripe_settings.DJSTRIPE_WEBHOOK_VALIDATION == "retrieve_event"
    with override_settings(DJSTRIPE_WEBHOOK_VALIDATION="trust_me"):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.DJSTRIPE_WEBHOOK_VALIDATION  # noqa: B018
    assert str(error.value) == (
        "DJSTRIPE_WEBHOOK_VALIDATION = 'trust_me' is invalid: expected one of "
        "('verify_signature', 'retrieve_event', None)."
    )


def test_webhook_sync_mode_choices():
    with override_settings(DJSTRIPE_WEBHOOK_SYNC_MODE="payload"):
        assert djstripe_settings.DJSTRIPE_WEBHOOK_SYNC_MODE == "payload"
    with override_settings(DJSTRIPE_WEBHOOK_SYNC_MODE="fast"):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.DJSTRIPE_WEBHOOK_SYNC_MODE  # noqa: B018
    assert str(error.value) == (
        "DJSTRIPE_WEBHOOK_SYNC_MODE = 'fast' is invalid: expected one of ('refetch', 'payload')."
    )


@pytest.mark.parametrize("name", ["DJSTRIPE_WEBHOOK_TOLERANCE", "DJSTRIPE_MAX_NETWORK_RETRIES"])
@pytest.mark.parametrize("value", [-1, "300", True])
def test_counts_must_be_non_negative_integers(name, value):
    with override_settings(**{name: value}):
        with pytest.raises(ImproperlyConfigured) as error:
            getattr(djstripe_settings, name)
    assert str(error.value) == (f"{name} = {value!r} is invalid: expected a non-negative integer.")


def _callback(request):
    return "called"


def test_get_callback_function_accepts_callables_and_paths():
    with override_settings(DJSTRIPE_WEBHOOK_EVENT_CALLBACK=_callback):
        assert (
            djstripe_settings.get_callback_function("DJSTRIPE_WEBHOOK_EVENT_CALLBACK") is _callback
        )
    with override_settings(DJSTRIPE_WEBHOOK_EVENT_CALLBACK="tests.test_settings._callback"):
        assert (
            djstripe_settings.get_callback_function("DJSTRIPE_WEBHOOK_EVENT_CALLBACK") is _callback
        )
    assert djstripe_settings.get_callback_function("DJSTRIPE_WEBHOOK_EVENT_CALLBACK") is None
    assert djstripe_settings.get_callback_function("DJSTRIPE_WEBHOOK_EVENT_CALLBACK", len) is len


def test_get_callback_function_default_request_callback():
    callback = djstripe_settings.get_callback_function(
        "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK"
    )

    class Request:
        user = "the user"

    assert callback(Request()) == "the user"


def test_get_callback_function_errors_name_the_setting():
    with override_settings(DJSTRIPE_WEBHOOK_EVENT_CALLBACK="tests.nowhere.nothing"):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.get_callback_function("DJSTRIPE_WEBHOOK_EVENT_CALLBACK")
    assert str(error.value).startswith(
        "DJSTRIPE_WEBHOOK_EVENT_CALLBACK = 'tests.nowhere.nothing' is invalid: cannot import it"
    )
    with override_settings(DJSTRIPE_WEBHOOK_EVENT_CALLBACK=42):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.get_callback_function("DJSTRIPE_WEBHOOK_EVENT_CALLBACK")
    assert str(error.value) == (
        "DJSTRIPE_WEBHOOK_EVENT_CALLBACK = 42 is invalid: expected a callable or a dotted path."
    )


def test_subscriber_model_defaults_to_the_user_model():
    from django.contrib.auth import get_user_model

    assert djstripe_settings.get_subscriber_model() is get_user_model()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "auth",
            "DJSTRIPE_SUBSCRIBER_MODEL = 'auth' is invalid: expected the form "
            "'app_label.model_name'.",
        ),
        (
            "auth.Nobody",
            "DJSTRIPE_SUBSCRIBER_MODEL = 'auth.Nobody' is invalid: that model is not installed.",
        ),
        (
            "auth.Group",
            "DJSTRIPE_SUBSCRIBER_MODEL = 'auth.Group' is invalid: the model must "
            "have an email attribute.",
        ),
    ],
)
def test_subscriber_model_errors(value, message):
    with override_settings(DJSTRIPE_SUBSCRIBER_MODEL=value):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.get_subscriber_model()
    assert str(error.value) == message


def test_subscriber_model_other_than_user_needs_a_request_callback():
    with override_settings(DJSTRIPE_SUBSCRIBER_MODEL="djstripe.Customer"):
        with pytest.raises(ImproperlyConfigured) as error:
            djstripe_settings.get_subscriber_model()
    assert str(error.value) == (
        "DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK = None is invalid: it must be set when "
        "DJSTRIPE_SUBSCRIBER_MODEL is not the user model."
    )
    with override_settings(
        DJSTRIPE_SUBSCRIBER_MODEL="djstripe.Customer",
        DJSTRIPE_SUBSCRIBER_MODEL_REQUEST_CALLBACK=_callback,
    ):
        assert djstripe_settings.get_subscriber_model().__name__ == "Customer"
