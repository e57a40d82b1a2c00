"""Account.get_default_account and get_connected_account_from_token: requests, mirror, failures."""

import pytest
import stripe
from django.test import override_settings

from djstripe import stripe_api
from djstripe.models import Account, BankAccount
from tests.fake_stripe import load_fixture
from tests.stripe_data import account_data
from tests.stripe_faults import FAILURES, fail

pytestmark = pytest.mark.django_db

ACCOUNT_ID = "acct_1CPJF9F5yC65fO41"
LIVE_ACCOUNT_ID = "acct_1CWq3LHd7yZr4TfN"
BANK_ACCOUNT_ID = "ba_1CPfJYF5yC65fO41USSubWJ1"


# -- get_default_account ----------------------------------------------------------------------


def test_default_account_is_retrieved_once_then_read_from_the_mirror(fake_stripe):
    fake_stripe.route("get", "/v1/account", account_data())

    with stripe_api.count_requests() as requests:
        account = Account.get_default_account()
        again = Account.get_default_account()

    assert requests.requests == [("GET", "/v1/account")]
    assert fake_stripe.last.params == {}
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_djstripe"
    assert account.stripe_id == again.stripe_id == ACCOUNT_ID
    assert account.livemode is False
    assert Account.objects.get() == account
    assert BankAccount.objects.get().account_id == ACCOUNT_ID  # its external account, embedded


def test_default_account_is_retrieved_again_when_its_row_is_gone(fake_stripe):
    fake_stripe.route("get", "/v1/account", account_data())
    Account.get_default_account()
    Account.objects.all().delete()

    account = Account.get_default_account()

    assert account.stripe_id == ACCOUNT_ID
    assert fake_stripe.count("get", "/v1/account") == 2


@override_settings(STRIPE_LIVE_MODE=True)
def test_default_account_in_live_mode_uses_the_live_key(fake_stripe):
    fake_stripe.route("get", "/v1/account", load_fixture("account_live"))

    account = Account.get_default_account()

    assert fake_stripe.last.header("Authorization") == "Bearer sk_live_djstripe"
    assert (account.stripe_id, account.livemode) == (LIVE_ACCOUNT_ID, True)


def test_default_account_per_key(fake_stripe):
    fake_stripe.route("get", "/v1/account", account_data())
    Account.get_default_account()
    fake_stripe.route("get", "/v1/account", load_fixture("account_live"))

    with override_settings(STRIPE_LIVE_MODE=True):
        live = Account.get_default_account()

    assert live.stripe_id == LIVE_ACCOUNT_ID
    assert Account.get_default_account().stripe_id == ACCOUNT_ID
    assert fake_stripe.count() == 2


@pytest.mark.parametrize("fault, error", FAILURES)
def test_default_account_failure_mirrors_nothing(fake_stripe, fault, error):
    fail(fake_stripe, "get", "/v1/account", fault)

    with pytest.raises(error):
        Account.get_default_account()

    assert not Account.objects.exists()
    assert fake_stripe.count() == 1


# -- get_connected_account_from_token ---------------------------------------------------------


def test_connected_account_is_read_with_its_access_token(fake_stripe):
    fake_stripe.route("get", "/v1/account", account_data())

    with stripe_api.count_requests() as requests:
        account = Account.get_connected_account_from_token("sk_test_connected_token")

    assert requests.count == 1
    assert fake_stripe.last.header("Authorization") == "Bearer sk_test_connected_token"
    assert account == Account.objects.get(stripe_id=ACCOUNT_ID)
    assert account.livemode is False


def test_connected_account_mode_is_that_of_its_token(fake_stripe):
    fake_stripe.route("get", "/v1/account", load_fixture("account_live"))

    account = Account.get_connected_account_from_token("sk_live_connected_token")

    assert account.livemode is True


def test_connected_account_objects_are_read_with_its_token(fake_stripe):
    # The logo is a file of the connected account: the platform's key could not read it.
    fake_stripe.store(load_fixture("file_upload"))
    fake_stripe.route("get", "/v1/account", load_fixture("account"))

    account = Account.get_connected_account_from_token("sk_test_connected_token")

    assert [r.path for r in fake_stripe.requests] == [
        "/v1/account",
        f"/v1/files/{account.business_logo_id}",
    ]
    assert {r.header("Authorization") for r in fake_stripe.requests} == {
        "Bearer sk_test_connected_token"
    }


def test_connected_account_with_an_invalid_token(fake_stripe):
    fake_stripe.fail("get", "/v1/account", status=401, error="Invalid API Key provided")

    with pytest.raises(stripe.AuthenticationError):
        Account.get_connected_account_from_token("sk_test_revoked")

    assert not Account.objects.exists()


@pytest.mark.parametrize("fault, error", FAILURES)
def test_connected_account_failure_leaves_the_mirror(fake_stripe, fault, error):
    Account.sync_from_stripe_data(account_data())
    before = Account.objects.values().get()
    fake_stripe.reset_requests()
    fail(fake_stripe, "get", "/v1/account", fault)

    with pytest.raises(error):
        Account.get_connected_account_from_token("sk_test_connected_token")

    assert Account.objects.values().get() == before
    assert fake_stripe.count() == 1
