"""The contract every Stripe-backed model keeps, checked model by model.

Each ``Test<Model>Contract`` class names its model, its fixture and where
Stripe keeps the object; the mixin holds the checks, like Django's own
``SessionTestsMixin``.
"""

from __future__ import annotations

import pytest
from django.apps import apps

from djstripe import models
from djstripe.models import StripeObject
from tests.fake_stripe import load_fixture, store_fixture_account


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_app_config("djstripe").get_models()
    }


@pytest.mark.django_db
class StripeModelContract:
    """Checks shared by every model: subclasses set ``model``, ``fixture``, ``retrieve_path``."""

    model: type[StripeObject]
    fixture: str
    retrieve_path: str
    dashboard_url: str | None = None  # expected test-mode URL; None when Stripe has no page

    @pytest.fixture(autouse=True)
    def world(self, fake_stripe):
        store_fixture_account(fake_stripe)
        self.fake = fake_stripe

    def sync(self):
        return self.model.sync_from_stripe_data(load_fixture(self.fixture))

    def test_sync_creates_exactly_one_row(self):
        data = load_fixture(self.fixture)
        instance = self.sync()
        assert isinstance(instance, self.model)
        assert self.model.objects.filter(stripe_id=data["id"]).count() == 1
        assert instance.stripe_id == data["id"]
        assert instance.livemode is False

    def test_syncing_again_changes_nothing(self):
        first = self.sync()
        counts = row_counts()
        self.fake.reset_requests()
        second = self.sync()
        assert second.pk == first.pk
        assert row_counts() == counts
        assert self.fake.requests == []  # everything it points at is known now
        fields = [
            f.attname for f in self.model._meta.concrete_fields if f.name != "djstripe_updated"
        ]
        assert [getattr(second, f) for f in fields] == [getattr(first, f) for f in fields]

    def test_str_names_the_object(self):
        instance = self.sync()
        text = str(instance)
        assert instance.stripe_id in text
        assert instance.str_parts() and all(isinstance(part, str) for part in instance.str_parts())

    def test_dashboard_url_follows_livemode(self):
        instance = self.sync()
        if self.dashboard_url is None:
            assert instance.get_stripe_dashboard_url() == ""
            return
        assert instance.get_stripe_dashboard_url() == self.dashboard_url
        instance.livemode = True
        assert instance.get_stripe_dashboard_url() == self.dashboard_url.replace("/test/", "/")

    def test_api_retrieve_requests_the_right_path(self):
        instance = self.sync()
        self.fake.reset_requests()
        data = instance.api_retrieve()
        assert data["id"] == instance.stripe_id
        assert [(r.method, r.path) for r in self.fake.requests] == [("get", self.retrieve_path)]
        assert self.fake.last.header("Authorization") == "Bearer sk_test_djstripe"


DASHBOARD = "https://dashboard.stripe.com/test/"


class TestChargeContract(StripeModelContract):
    model = models.Charge
    fixture = "charge"
    retrieve_path = "/v1/charges/ch_1CPfJXF5yC65fO414nRpaepi"
    dashboard_url = DASHBOARD + "payments/ch_1CPfJXF5yC65fO414nRpaepi"


class TestCustomerContract(StripeModelContract):
    model = models.Customer
    fixture = "customer"
    retrieve_path = "/v1/customers/cus_Cox9sWuLoPAaA8"
    dashboard_url = DASHBOARD + "customers/cus_Cox9sWuLoPAaA8"


class TestDisputeContract(StripeModelContract):
    model = models.Dispute
    fixture = "dispute"
    retrieve_path = "/v1/disputes/dp_1CPfJXF5yC65fO41jhaAUiuG"
    dashboard_url = DASHBOARD + "disputes/dp_1CPfJXF5yC65fO41jhaAUiuG"


class TestEventContract(StripeModelContract):
    model = models.Event
    fixture = "event_customer_created"
    retrieve_path = "/v1/events/" + load_fixture("event_customer_created")["id"]
    dashboard_url = DASHBOARD + "events/" + load_fixture("event_customer_created")["id"]

    @pytest.fixture(autouse=True)
    def stored_event(self, world):
        self.fake.store(load_fixture(self.fixture))


class TestPayoutContract(StripeModelContract):
    model = models.Payout
    fixture = "payout"
    retrieve_path = "/v1/payouts/po_1CPfJYF5yC65fO41QWt44BwS"
    dashboard_url = DASHBOARD + "payouts/po_1CPfJYF5yC65fO41QWt44BwS"


class TestBankAccountContract(StripeModelContract):
    model = models.BankAccount
    fixture = "bank_account"
    retrieve_path = "/v1/customers/cus_Cox9sWuLoPAaA8/sources/ba_1CQ8cRF5yC65fO41tYh2LpZm"


class TestCardContract(StripeModelContract):
    model = models.Card
    fixture = "card"
    retrieve_path = "/v1/customers/cus_Cox9sWuLoPAaA8/sources/card_1CPJFDF5yC65fO41pVKlqPJO"


class TestSourceContract(StripeModelContract):
    model = models.Source
    fixture = "source"
    retrieve_path = "/v1/sources/src_1CPfJYF5yC65fO41xq5hIGtT"
    dashboard_url = DASHBOARD + "sources/src_1CPfJYF5yC65fO41xq5hIGtT"


class TestCouponContract(StripeModelContract):
    model = models.Coupon
    fixture = "coupon"
    retrieve_path = "/v1/coupons/25OFF"
    dashboard_url = DASHBOARD + "coupons/25OFF"


class TestInvoiceContract(StripeModelContract):
    model = models.Invoice
    fixture = "invoice"
    retrieve_path = "/v1/invoices/in_1CPfJYF5yC65fO41BRDG97XG"
    dashboard_url = DASHBOARD + "invoices/in_1CPfJYF5yC65fO41BRDG97XG"


class TestInvoiceItemContract(StripeModelContract):
    model = models.InvoiceItem
    fixture = "invoiceitem"
    retrieve_path = "/v1/invoiceitems/ii_1CPfJYF5yC65fO41OvzfhxVu"
    dashboard_url = DASHBOARD + "invoices/in_1CPfJYF5yC65fO41BRDG97XG"


class TestPlanContract(StripeModelContract):
    model = models.Plan
    fixture = "plan"
    retrieve_path = "/v1/plans/gold"
    dashboard_url = DASHBOARD + "plans/gold"


class TestProductContract(StripeModelContract):
    model = models.Product
    fixture = "product"
    retrieve_path = "/v1/products/prod_Cox9QV8VzX1SHg"
    dashboard_url = DASHBOARD + "products/prod_Cox9QV8VzX1SHg"


class TestSubscriptionContract(StripeModelContract):
    model = models.Subscription
    fixture = "subscription"
    retrieve_path = "/v1/subscriptions/sub_CpJxjJHucuaF7o"
    dashboard_url = DASHBOARD + "subscriptions/sub_CpJxjJHucuaF7o"


class TestAccountContract(StripeModelContract):
    model = models.Account
    fixture = "account"
    retrieve_path = "/v1/accounts/acct_1CPJF9F5yC65fO41"
    dashboard_url = DASHBOARD + "connect/accounts/acct_1CPJF9F5yC65fO41"

    def test_sync_creates_exactly_one_row(self):
        # An account object carries no livemode (the key used says it).
        instance = self.sync()
        assert models.Account.objects.filter(stripe_id=instance.stripe_id).count() == 1


class TestTransferContract(StripeModelContract):
    model = models.Transfer
    fixture = "transfer"
    retrieve_path = "/v1/transfers/tr_1CPfJYF5yC65fO411q49ZuVS"
    dashboard_url = DASHBOARD + "connect/transfers/tr_1CPfJYF5yC65fO411q49ZuVS"


class TestRefundContract(StripeModelContract):
    model = models.Refund
    fixture = "refund"
    retrieve_path = "/v1/refunds/re_1CPfJXF5yC65fO41oOoVHNp6"


class TestFileUploadContract(StripeModelContract):
    model = models.FileUpload
    fixture = "file_upload"
    retrieve_path = "/v1/files/file_1CPfJZF5yC65fO41ezrDzTFg"


def test_every_stripe_model_has_a_contract_test():
    covered = {cls.model for cls in StripeModelContract.__subclasses__()}
    stripe_models = {
        model
        for model in apps.get_app_config("djstripe").get_models()
        if issubclass(model, StripeObject) and model is not models.UpcomingInvoice
    }
    assert stripe_models - covered == set()
