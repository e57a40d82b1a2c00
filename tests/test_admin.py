"""The admin: every model's pages, bounded queries, read-only Stripe data, the actions."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from djstripe import models
from djstripe.admin import is_read_only
from djstripe.models import (
    Charge,
    Customer,
    Event,
    IdempotencyKey,
    Invoice,
    StripeObject,
    Subscription,
    WebhookEventTrigger,
)
from tests.fake_stripe import load_fixture, store_fixture_account
from tests.stripe_data import empty_list
from tests.webhook_client import post_webhook
from tests.webhook_triggers import make_trigger

pytestmark = pytest.mark.django_db

# One fixture per mirrored model.
MODEL_FIXTURES = {
    models.Account: "account",
    models.BankAccount: "bank_account",
    models.Card: "card",
    models.Charge: "charge",
    models.Coupon: "coupon",
    models.Customer: "customer",
    models.Dispute: "dispute",
    models.Event: "event_customer_created",
    models.FileUpload: "file_upload",
    models.Invoice: "invoice",
    models.InvoiceItem: "invoiceitem",
    models.Payout: "payout",
    models.Plan: "plan",
    models.Product: "product",
    models.Refund: "refund",
    models.Source: "source",
    models.Subscription: "subscription",
    models.Transfer: "transfer",
}
NOT_REGISTERED = {"UpcomingInvoice", "PaymentMethod", "SyncedVersion"}


@pytest.fixture
def world(fake_stripe):
    store_fixture_account(fake_stripe)
    return fake_stripe


def registered_models() -> list[type]:
    return [model for model in admin.site._registry if model._meta.app_label == "djstripe"]


def changelist_url(model: type) -> str:
    return reverse(f"admin:djstripe_{model._meta.model_name}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:djstripe_{obj._meta.model_name}_change", args=[quote(obj.pk)])


def one_row_of_each_model():
    for model, fixture in MODEL_FIXTURES.items():
        model.sync_from_stripe_data(load_fixture(fixture))
    IdempotencyKey.objects.create(action="customer:create:1", livemode=False)
    make_trigger(body=json.dumps(load_fixture("event_customer_created")))


def test_every_model_is_registered_but_the_internal_ones():
    every = {model.__name__ for model in apps.get_app_config("djstripe").get_models()}
    registered = {model.__name__ for model in registered_models()}
    assert every - registered == NOT_REGISTERED


def test_every_changelist_and_change_page_answers(admin_client, world):
    one_row_of_each_model()
    for model in registered_models():
        response = admin_client.get(changelist_url(model))
        assert response.status_code == 200, model
        obj = model._default_manager.first()
        assert obj is not None, model
        response = admin_client.get(change_url(obj))
        assert response.status_code == 200, model


def test_changelist_searches_and_filters_answer(admin_client, world):
    one_row_of_each_model()
    for model in registered_models():
        response = admin_client.get(changelist_url(model), {"q": "cus_Cox9sWuLoPAaA8"})
        assert response.status_code == 200, model
        if any(f.name == "livemode" for f in model._meta.fields):
            response = admin_client.get(changelist_url(model), {"livemode__exact": "0"})
            assert response.status_code == 200, model


def test_stripe_fields_are_never_in_the_form(rf, admin_user, world):
    one_row_of_each_model()
    request = rf.get("/")
    request.user = admin_user
    for model in registered_models():
        model_admin = admin.site._registry[model]
        obj = model._default_manager.first()
        form_fields = set(model_admin.get_form(request, obj).base_fields)
        if not issubclass(model, StripeObject):
            continue
        local = {f.name for f in model._meta.concrete_fields if not is_read_only(f)}
        assert form_fields <= local, model
    assert set(admin.site._registry[Customer].get_form(request).base_fields) == {"subscriber"}


def test_a_page_with_nothing_to_edit_is_a_view(admin_client, world):
    subscription = Subscription.sync_from_stripe_data(load_fixture("subscription"))

    content = admin_client.get(change_url(subscription)).content.decode()

    assert 'name="_save"' not in content
    assert "View in Stripe" in content
    assert subscription.get_stripe_dashboard_url() in content
    # Nothing can be added or deleted either: rows come from Stripe.
    model_admin = admin.site._registry[Subscription]
    request = RequestFactory().get("/")
    request.user = admin_client.get("/admin/").wsgi_request.user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, subscription)


def test_customer_page_edits_the_subscriber_only(admin_client, admin_user, world):
    customer = Customer.sync_from_stripe_data(load_fixture("customer"))
    page = admin_client.get(change_url(customer))
    assert b"sub_CpJxjJHucuaF7o" in page.content  # the subscriptions inline
    assert b"4242" in page.content  # the cards inline
    data = {"subscriber": admin_user.pk, "email": "changed@example.com"}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})

    response = admin_client.post(change_url(customer), data)

    assert response.status_code == 302, response.content
    customer.refresh_from_db()
    assert customer.subscriber == admin_user
    assert customer.email == "jenny.rosen@example.com"


# -- bounded queries ---------------------------------------------------------------------


def customer_data(i: int) -> dict:
    return load_fixture(
        "customer",
        id=f"cus_admin{i}",
        email=f"customer{i}@example.com",
        metadata={},
        default_source=None,
        sources=empty_list(f"/v1/customers/cus_admin{i}/sources"),
        subscriptions=empty_list(f"/v1/customers/cus_admin{i}/subscriptions"),
    )


def subscription_data(i: int) -> dict:
    return load_fixture("subscription", id=f"sub_admin{i}")


def invoice_data(i: int) -> dict:
    return load_fixture(
        "invoice",
        id=f"in_admin{i}",
        number=f"ADMIN-{i}",
        charge=None,
        lines=empty_list(f"/v1/invoices/in_admin{i}/lines"),
    )


def charge_data(i: int) -> dict:
    return load_fixture(
        "charge", id=f"ch_admin{i}", invoice=None, refunds=empty_list("/v1/refunds")
    )


def changelist_queries(client, model: type) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(model))
    assert response.status_code == 200
    return len(queries)


def make_customer(i: int) -> None:
    customer = Customer.sync_from_stripe_data(customer_data(i))
    user = get_user_model().objects.create(username=f"user{i}", email=f"user{i}@example.com")
    Customer.objects.filter(pk=customer.pk).update(subscriber=user)  # the column shows it


def syncing(model: type, make_data):
    return lambda i: model.sync_from_stripe_data(make_data(i))


@pytest.mark.parametrize(
    "model, make_row",
    [
        (Customer, make_customer),
        (Subscription, syncing(Subscription, subscription_data)),
        (Invoice, syncing(Invoice, invoice_data)),
        (Charge, syncing(Charge, charge_data)),
    ],
    ids=["customer", "subscription", "invoice", "charge"],
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, world, model, make_row):
    make_row(0)
    with_one = changelist_queries(admin_client, model)
    for i in range(1, 10):
        make_row(i)
    assert model.objects.filter(stripe_id__contains="admin").count() == 10

    with_ten = changelist_queries(admin_client, model)

    assert with_ten == with_one


# -- actions -----------------------------------------------------------------------------


def run_action(client, model: type, action: str, objects) -> list[str]:
    response = client.post(
        changelist_url(model),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_sync_action_retrieves_each_object_once_and_updates_it(admin_client, world):
    customers = [Customer.sync_from_stripe_data(customer_data(i)) for i in range(3)]
    world.store([{**customer_data(i), "email": f"new{i}@example.com"} for i in range(3)])
    world.reset_requests()

    messages = run_action(admin_client, Customer, "sync_from_stripe", customers)

    assert sorted((r.method, r.path) for r in world.requests) == [
        ("get", f"/v1/customers/cus_admin{i}") for i in range(3)
    ]
    assert messages == ["Synced 3 customers from Stripe."]
    assert sorted(
        Customer.objects.filter(stripe_id__contains="admin").values_list("email", flat=True)
    ) == ["new0@example.com", "new1@example.com", "new2@example.com"]


def test_sync_action_reports_each_failure(admin_client, fake_stripe):
    customers = [Customer.sync_from_stripe_data(customer_data(i)) for i in range(2)]
    fake_stripe.store(customer_data(0))  # cus_admin1 is unknown to Stripe: 404

    messages = run_action(admin_client, Customer, "sync_from_stripe", customers)

    assert "Synced 1 customer from Stripe." in messages
    [failure] = [m for m in messages if m.startswith("cus_admin1: ")]
    assert "No such customer" in failure


def test_cancel_at_period_end_action(admin_client, world):
    subscription = Subscription.sync_from_stripe_data(load_fixture("subscription"))
    world.reset_requests()

    messages = run_action(admin_client, Subscription, "cancel_at_period_end", [subscription])

    assert [(r.method, r.path) for r in world.requests] == [
        ("post", "/v1/subscriptions/sub_CpJxjJHucuaF7o")
    ]
    assert world.last.params["cancel_at_period_end"] == "true"
    assert messages == ["Cancelled 1 subscription at the end of their period."]
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert subscription.status == "active"


def test_cancel_now_action(admin_client, world):
    subscription = Subscription.sync_from_stripe_data(load_fixture("subscription"))
    world.reset_requests()

    messages = run_action(admin_client, Subscription, "cancel_now", [subscription])

    assert [(r.method, r.path) for r in world.requests] == [
        ("delete", "/v1/subscriptions/sub_CpJxjJHucuaF7o")
    ]
    assert messages == ["Cancelled 1 subscription now."]
    subscription.refresh_from_db()
    assert subscription.status == "canceled"


def test_reprocess_action_processes_a_failed_trigger(admin_client, client, fake_stripe):
    fake_stripe.fail("get", "/v1/customers/cus_Cox9sWuLoPAaA8", status=500)
    assert post_webhook(client, load_fixture("event_customer_created")).status_code == 500
    trigger = WebhookEventTrigger.objects.get()
    assert trigger.exception and not trigger.processed
    fake_stripe.store([load_fixture("customer"), load_fixture("product")])

    messages = run_action(admin_client, WebhookEventTrigger, "reprocess", [trigger])

    assert messages == ["Reprocessed 1 webhook event trigger."]
    trigger.refresh_from_db()
    assert trigger.processed and not trigger.exception
    assert Event.objects.get().stripe_id == trigger.json_body["id"]
    assert Customer.objects.filter(stripe_id="cus_Cox9sWuLoPAaA8").exists()


def test_reprocess_action_reports_invalid_triggers(admin_client, client, fake_stripe):
    post_webhook(client, load_fixture("event_customer_created"), secret="whsec_wrong")
    trigger = WebhookEventTrigger.objects.get()

    messages = run_action(admin_client, WebhookEventTrigger, "reprocess", [trigger])

    assert messages == [f"#{trigger.pk}: not valid, so not processed"]
    assert Event.objects.count() == 0


# -- the webhook trigger pages -----------------------------------------------------------


def test_failed_filter_shows_triggers_whose_processing_raised(admin_client):
    failed = make_trigger(body="{}", valid=True, exception="APIError: boom")
    make_trigger(body="{}", valid=True, processed=True)
    make_trigger(body="{}", valid=False)

    response = admin_client.get(changelist_url(WebhookEventTrigger), {"failed": "yes"})
    assert list(response.context["cl"].result_list) == [failed]
    response = admin_client.get(changelist_url(WebhookEventTrigger), {"failed": "no"})
    assert failed not in response.context["cl"].result_list
    assert len(response.context["cl"].result_list) == 2


def test_trigger_changelist_links_the_event(admin_client, world):
    event = Event.sync_from_stripe_data(load_fixture("event_customer_created"))
    make_trigger(body="{}", valid=True, processed=True, event=event)

    content = admin_client.get(changelist_url(WebhookEventTrigger)).content.decode()

    assert f'<a href="{change_url(event)}">{event.stripe_id}</a>' in content


def test_trigger_page_pretty_prints_the_body_and_escapes_it(admin_client):
    body = {"id": "evt_1", "type": "customer.created", "data": {"note": "<script>x()</script>"}}
    trigger = make_trigger(
        body=json.dumps(body), exception="KeyError: 'x'", traceback="Traceback <b>here</b>"
    )

    response = admin_client.get(change_url(trigger))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<script>x()" not in content and "<b>here" not in content
    assert "<pre>{\n  &quot;id&quot;: &quot;evt_1&quot;,\n" in content
    assert "&quot;note&quot;: &quot;&lt;script&gt;x()&lt;/script&gt;&quot;" in content
    assert "<pre>Traceback &lt;b&gt;here&lt;/b&gt;</pre>" in content
    assert 'name="_save"' not in content


def test_trigger_page_shows_a_body_that_is_not_json_as_text(admin_client):
    trigger = make_trigger(body="not <json>")

    content = admin_client.get(change_url(trigger)).content.decode()

    assert "<pre>not &lt;json&gt;</pre>" in content
