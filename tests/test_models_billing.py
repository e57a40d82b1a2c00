"""Subscription, Invoice, UpcomingInvoice and InvoiceItem, synced from their fixtures."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from djstripe.fields import StripeDataError
from djstripe.models import (
    Charge,
    Coupon,
    Customer,
    Invoice,
    InvoiceItem,
    Plan,
    Product,
    Subscription,
    UpcomingInvoice,
    model_for_stripe_object,
)
from tests.fake_stripe import load_fixture
from tests.times import utc

pytestmark = pytest.mark.django_db

CUSTOMER_ID = "cus_Cox9sWuLoPAaA8"
SUBSCRIPTION_ID = "sub_CpJxjJHucuaF7o"
INVOICE_ID = "in_1CPfJYF5yC65fO41BRDG97XG"
LONG_INVOICE_ID = "in_1CR5pZF5yC65fO41Gm3Xw8Ld"
CHARGE_ID = "ch_1CPfJXF5yC65fO414nRpaepi"
INVOICE_ITEM_ID = "ii_1CPfJYF5yC65fO41OvzfhxVu"
SUBSCRIPTION_LINE_ROW_ID = f"{INVOICE_ID}-{SUBSCRIPTION_ID}"


def sync_fixture(model, name, **overrides):
    return model.sync_from_stripe_data(load_fixture(name, **overrides))


def written_statements(queries):
    return [
        q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


# -- Subscription ---------------------------------------------------------------------------


def test_subscription_fields(known_customer, fake_stripe):
    subscription = sync_fixture(Subscription, "subscription")

    assert subscription.stripe_id == SUBSCRIPTION_ID
    assert subscription.status == "active"
    assert subscription.billing == "charge_automatically"
    assert subscription.quantity == 1
    assert subscription.cancel_at_period_end is False
    assert subscription.canceled_at is None
    assert subscription.current_period_start == utc(2018, 5, 23, 14, 10)
    assert subscription.current_period_end == utc(2018, 6, 23, 14, 10)
    assert subscription.current_period_end.tzinfo is not None
    assert subscription.start == utc(2018, 5, 23, 14, 10)
    assert subscription.application_fee_percent is None
    assert subscription.tax_percent is None
    assert subscription.customer == known_customer
    assert list(known_customer.subscriptions.all()) == [subscription]
    assert fake_stripe.requests == []


def test_subscription_plan_is_synced_from_the_embedded_plan(known_customer, fake_stripe):
    Plan.objects.all().delete()

    subscription = sync_fixture(Subscription, "subscription")

    plan = subscription.plan
    assert plan.stripe_id == "gold"
    assert plan.amount == Decimal("10.00")
    assert list(plan.subscriptions.all()) == [subscription]
    assert fake_stripe.requests == []


def test_subscription_with_a_zero_decimal_plan(known_customer, fake_stripe):
    subscription = sync_fixture(Subscription, "subscription", plan=load_fixture("plan_jpy"))

    assert subscription.plan.stripe_id == "gold-jpy"
    assert subscription.plan.amount == Decimal("1000")
    assert fake_stripe.requests == []


def test_subscription_percentages(known_customer):
    subscription = sync_fixture(
        Subscription, "subscription", tax_percent=8.25, application_fee_percent=10
    )

    assert subscription.tax_percent == Decimal("8.25")
    assert subscription.application_fee_percent == Decimal("10.00")


def test_subscription_unknown_customer_is_retrieved_once(fake_stripe):
    sync_fixture(Product, "product")
    fake_stripe.store(load_fixture("customer"))
    fake_stripe.reset_requests()

    subscription = sync_fixture(Subscription, "subscription")

    assert subscription.customer.stripe_id == CUSTOMER_ID
    assert len(fake_stripe.requests) == 1
    assert fake_stripe.count("get", f"/v1/customers/{CUSTOMER_ID}") == 1


def test_subscription_embedded_customer_costs_no_request(fake_stripe):
    sync_fixture(Product, "product")
    fake_stripe.reset_requests()

    subscription = sync_fixture(Subscription, "subscription", customer=load_fixture("customer"))

    assert subscription.customer.email == "jenny.rosen@example.com"
    assert fake_stripe.requests == []


def test_subscription_canceled_and_trialing(known_customer):
    canceled = sync_fixture(Subscription, "subscription_canceled")
    trialing = sync_fixture(Subscription, "subscription_trialing")

    assert canceled.status == "canceled"
    assert canceled.canceled_at == canceled.ended_at == utc(2018, 4, 10)
    assert trialing.status == "trialing"
    assert trialing.trial_end == utc(2018, 6, 6, 15, 10)
    assert trialing.trial_start == utc(2018, 5, 23, 15, 10)


def test_subscription_resync_is_idempotent(known_customer):
    sync_fixture(Subscription, "subscription")
    subscription = sync_fixture(Subscription, "subscription", quantity=3)

    assert Subscription.objects.filter(stripe_id=SUBSCRIPTION_ID).count() == 1
    assert subscription.quantity == 3


def unsaved_subscription(status="active", period_end_in_days=10, **fields):
    now = timezone.now()
    return Subscription(
        stripe_id="sub_unsaved",
        status=status,
        current_period_start=now - datetime.timedelta(days=20),
        current_period_end=now + datetime.timedelta(days=period_end_in_days),
        **fields,
    )


def test_subscription_active_in_its_period_is_valid():
    subscription = unsaved_subscription()

    assert subscription.is_period_current()
    assert subscription.is_status_current()
    assert not subscription.is_status_temporarily_current()
    assert subscription.is_valid()


def test_subscription_trialing_is_current():
    assert unsaved_subscription(status="trialing").is_valid()


@pytest.mark.parametrize("status", ["past_due", "canceled", "unpaid"])
def test_subscription_other_statuses_are_not_current(status):
    subscription = unsaved_subscription(status=status)

    assert not subscription.is_status_current()
    assert not subscription.is_valid()


def test_subscription_past_period_is_not_valid():
    subscription = unsaved_subscription(period_end_in_days=-1)

    assert not subscription.is_period_current()
    assert subscription.is_status_current()
    assert not subscription.is_valid()


def test_subscription_canceled_at_period_end_is_temporarily_current():
    now = timezone.now()
    subscription = unsaved_subscription(
        cancel_at_period_end=True, canceled_at=now - datetime.timedelta(days=1)
    )

    assert subscription.is_status_temporarily_current()
    assert subscription.is_valid()

    subscription.current_period_end = now - datetime.timedelta(seconds=1)
    assert not subscription.is_status_temporarily_current()
    assert not subscription.is_valid()


def test_subscription_str_and_dashboard_url(known_customer):
    subscription = sync_fixture(Subscription, "subscription")

    assert str(subscription) == f"<plan=gold, status=active, stripe_id={SUBSCRIPTION_ID}>"
    assert subscription.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/subscriptions/{SUBSCRIPTION_ID}"
    )
    subscription.livemode = True
    assert subscription.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/subscriptions/{SUBSCRIPTION_ID}"
    )


# -- Invoice --------------------------------------------------------------------------------


def test_invoice_fields(known_customer, fake_stripe):
    invoice = sync_fixture(Invoice, "invoice", charge=None)

    assert invoice.stripe_id == INVOICE_ID
    assert invoice.amount_due == Decimal("20.00")
    assert invoice.amount_paid == Decimal("20.00")
    assert invoice.amount_remaining == Decimal("0.00")
    assert invoice.subtotal == invoice.total == Decimal("20.00")
    assert invoice.application_fee is None
    assert invoice.tax is None
    assert invoice.attempt_count == 1
    assert invoice.attempted is True
    assert invoice.paid is True
    assert invoice.closed is True
    assert invoice.forgiven is False
    assert invoice.billing == "charge_automatically"
    assert invoice.number == "45986A7-0001"
    assert invoice.date == utc(2018, 5, 23, 14, 10)
    assert invoice.webhooks_delivered_at == utc(2018, 5, 23, 14, 10, 1)
    assert invoice.starting_balance == 0
    assert invoice.customer == known_customer
    assert invoice.subscription.stripe_id == SUBSCRIPTION_ID
    assert list(known_customer.invoices.all()) == [invoice]
    assert list(invoice.subscription.invoices.all()) == [invoice]
    assert fake_stripe.requests == []


def test_invoice_lines_become_invoice_items(known_customer, fake_stripe):
    invoice = sync_fixture(Invoice, "invoice", charge=None)

    items = {item.stripe_id: item for item in invoice.invoiceitems.all()}
    assert set(items) == {INVOICE_ITEM_ID, SUBSCRIPTION_LINE_ROW_ID}
    setup_fee = items[INVOICE_ITEM_ID]
    assert setup_fee.amount == Decimal("10.00")
    assert setup_fee.description == "Setup fee"
    assert setup_fee.plan is None
    assert setup_fee.subscription is None
    assert setup_fee.period == {"end": 1527084300, "start": 1527084300}
    assert setup_fee.period_start == setup_fee.period_end == utc(2018, 5, 23, 14, 5)
    subscription_line = items[SUBSCRIPTION_LINE_ROW_ID]
    assert subscription_line.subscription_id == SUBSCRIPTION_ID
    assert subscription_line.plan_id == "gold"
    assert subscription_line.period_end == utc(2018, 6, 23, 14, 10)
    for item in items.values():
        assert item.invoice == invoice
        assert item.customer == known_customer
        assert item.date == invoice.date
        assert item.currency == "usd"
    assert fake_stripe.requests == []


def test_invoice_resync_is_idempotent(known_customer):
    sync_fixture(Invoice, "invoice", charge=None)
    invoice = sync_fixture(Invoice, "invoice", charge=None, paid=False)

    assert Invoice.objects.count() == 1
    assert InvoiceItem.objects.count() == 2
    assert invoice.paid is False


def test_invoice_unknown_charge_is_retrieved_once(known_customer, fake_stripe):
    fake_stripe.store(load_fixture("charge"))

    invoice = sync_fixture(Invoice, "invoice")

    assert invoice.charge.stripe_id == CHARGE_ID
    assert invoice.charge.latest_invoice == invoice
    assert fake_stripe.count("get", f"/v1/charges/{CHARGE_ID}") == 1
    assert len(fake_stripe.requests) == 1


def test_invoice_known_charge_costs_no_request(known_customer, fake_stripe):
    fake_stripe.store(load_fixture("charge"))
    sync_fixture(Invoice, "invoice")
    fake_stripe.reset_requests()

    invoice = sync_fixture(Invoice, "invoice")

    assert invoice.charge_id == CHARGE_ID
    assert fake_stripe.requests == []


def test_invoice_long_lines_are_followed(known_customer, fake_stripe):
    first_page = load_fixture("invoice_long")["lines"]["data"]
    second_page = load_fixture("invoice_long_lines_page2")["data"]
    fake_stripe.store_lines(LONG_INVOICE_ID, first_page + second_page)

    invoice = sync_fixture(Invoice, "invoice_long")

    assert invoice.invoiceitems.count() == 4
    assert invoice.invoiceitems.filter(stripe_id=f"{LONG_INVOICE_ID}-{SUBSCRIPTION_ID}").exists()
    assert fake_stripe.count("get", f"/v1/invoices/{LONG_INVOICE_ID}/lines") == 1
    assert len(fake_stripe.requests) == 1
    assert fake_stripe.last.params["starting_after"] == first_page[-1]["id"]


def test_invoice_expanded_costs_no_request(fake_stripe):
    invoice = sync_fixture(Invoice, "invoice_expanded")

    assert fake_stripe.requests == []
    assert invoice.customer.stripe_id == CUSTOMER_ID
    assert invoice.subscription.stripe_id == SUBSCRIPTION_ID
    assert invoice.subscription.plan.product.name == "Gold Special"
    assert invoice.charge == Charge.objects.get(stripe_id=CHARGE_ID)
    assert invoice.charge.latest_invoice == invoice
    assert invoice.invoiceitems.count() == 2
    assert invoice.plan.stripe_id == "gold"


def test_invoice_status_priority():
    assert Invoice(paid=True, forgiven=True, closed=True).status == "Paid"
    assert Invoice(paid=False, forgiven=True, closed=True).status == "Forgiven"
    assert Invoice(paid=False, forgiven=False, closed=True).status == "Closed"
    assert Invoice(paid=False, forgiven=False, closed=False).status == "Open"


def test_invoice_plan_comes_from_its_items(known_customer):
    Plan.objects.filter(stripe_id="gold").update(nickname="changed since")
    invoice = sync_fixture(Invoice, "invoice", charge=None)

    assert invoice.plan.stripe_id == "gold"


def test_invoice_plan_falls_back_to_the_subscription_plan(known_customer):
    data = load_fixture("invoice", charge=None)
    data["lines"]["data"] = data["lines"]["data"][:1]  # the setup fee only: no plan

    invoice = Invoice.sync_from_stripe_data(data)

    assert invoice.plan == Subscription.objects.get(stripe_id=SUBSCRIPTION_ID).plan


def test_invoice_without_subscription_has_no_plan(known_customer):
    data = load_fixture("invoice", charge=None, subscription=None)
    data["lines"]["data"] = data["lines"]["data"][:1]

    assert Invoice.sync_from_stripe_data(data).plan is None


def test_invoice_str_and_dashboard_url(known_customer):
    invoice = sync_fixture(Invoice, "invoice", charge=None)

    assert str(invoice) == f"<amount_due=$20.00 USD, status=Paid, stripe_id={INVOICE_ID}>"
    assert invoice.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/invoices/{INVOICE_ID}"
    )


def test_object_names_map_to_billing_models():
    assert model_for_stripe_object("invoice") is Invoice
    assert model_for_stripe_object("invoiceitem") is InvoiceItem
    assert model_for_stripe_object("line_item") is InvoiceItem
    assert model_for_stripe_object("subscription") is Subscription


# -- InvoiceItem ----------------------------------------------------------------------------


def test_invoice_item_fields_and_unknown_invoice(known_customer, fake_stripe):
    fake_stripe.store(load_fixture("invoice", charge=None))

    item = sync_fixture(InvoiceItem, "invoiceitem")

    assert item.stripe_id == INVOICE_ITEM_ID
    assert item.amount == Decimal("10.00")
    assert item.currency == "usd"
    assert item.date == utc(2018, 5, 23, 14, 5)
    assert item.discountable is True
    assert item.proration is False
    assert item.quantity == 1
    assert item.period_start == item.period_end == utc(2018, 5, 23, 14, 5)
    assert item.customer == known_customer
    assert item.invoice.stripe_id == INVOICE_ID
    assert fake_stripe.count("get", f"/v1/invoices/{INVOICE_ID}") == 1
    assert len(fake_stripe.requests) == 1
    # The invoice's own lines name the same item: still one row.
    assert InvoiceItem.objects.filter(stripe_id=INVOICE_ITEM_ID).count() == 1


def test_invoice_item_str_and_dashboard_url(known_customer, fake_stripe):
    sync_fixture(Invoice, "invoice", charge=None)
    item = InvoiceItem.objects.get(stripe_id=INVOICE_ITEM_ID)

    assert str(item) == (
        f"<amount=$10.00 USD, date=2018-05-23 14:10:00+00:00, stripe_id={INVOICE_ITEM_ID}>"
    )
    assert item.get_stripe_dashboard_url() == (
        f"https://dashboard.stripe.com/test/invoices/{INVOICE_ID}"
    )
    assert InvoiceItem(stripe_id="ii_alone").get_stripe_dashboard_url() == ""


def test_line_item_needs_its_invoice():
    line = load_fixture("invoice")["lines"]["data"][0]

    with pytest.raises(StripeDataError):
        InvoiceItem.sync_from_stripe_data(line)


# -- UpcomingInvoice ------------------------------------------------------------------------


def test_upcoming_invoice_is_built_in_memory(known_customer, fake_stripe):
    invoices, items = Invoice.objects.count(), InvoiceItem.objects.count()

    with CaptureQueriesContext(connection) as queries:
        upcoming = UpcomingInvoice.sync_from_stripe_data(load_fixture("upcoming_invoice"))
        assert upcoming.customer == known_customer  # an id: read from the mirror

    assert written_statements(queries.captured_queries) == []
    assert fake_stripe.requests == []
    assert Invoice.objects.count() == invoices
    assert InvoiceItem.objects.count() == items
    assert isinstance(upcoming, UpcomingInvoice)
    assert upcoming.pk is None
    assert upcoming.stripe_id is None
    assert upcoming.amount_due == Decimal("17.50")
    assert upcoming.next_payment_attempt == utc(2018, 6, 23, 15, 10)
    assert upcoming.paid is False
    assert upcoming.status == "Open"
    assert upcoming.subscription_id == SUBSCRIPTION_ID


def test_upcoming_invoice_items_read_like_a_queryset(known_customer):
    upcoming = UpcomingInvoice.sync_from_stripe_data(load_fixture("upcoming_invoice"))

    items = upcoming.invoiceitems
    assert len(items) == items.count() == len(items.all()) == 2
    assert items.exists()
    assert items[0] is items.first()
    assert items[1] is items.last()
    assert len(items[:1]) == 1
    assert [item.stripe_id for item in items] == [
        "ii_1CT7kQF5yC65fO41hB6wZxNc",
        f"upcoming-{SUBSCRIPTION_ID}",
    ]
    assert items[0].amount == Decimal("7.50")
    assert all(item.invoice is upcoming and item.pk is None for item in items)
    assert items[1].subscription_id == SUBSCRIPTION_ID
    assert upcoming.plan.stripe_id == "gold"
    assert upcoming.plan.pk is None  # the embedded plan, built in memory


def test_upcoming_invoice_items_ignore_writes(known_customer):
    upcoming = UpcomingInvoice.sync_from_stripe_data(load_fixture("upcoming_invoice"))
    items = upcoming.invoiceitems

    assert items.create(amount=1) is None
    assert items.update(amount=1) == 0
    assert items.delete() == (0, {})
    assert items.count() == 2
    assert InvoiceItem.objects.count() == 0


def test_upcoming_invoice_cannot_be_saved_or_deleted(known_customer):
    upcoming = UpcomingInvoice.sync_from_stripe_data(load_fixture("upcoming_invoice"))

    with pytest.raises(ValueError):
        upcoming.save()
    with pytest.raises(ValueError):
        upcoming.delete()
    assert Invoice.objects.count() == 0


def test_upcoming_invoice_has_no_dashboard_page_and_a_string(known_customer):
    upcoming = UpcomingInvoice.sync_from_stripe_data(load_fixture("upcoming_invoice"))

    assert upcoming.get_stripe_dashboard_url() == ""
    assert str(upcoming) == "<amount_due=$17.50 USD, status=Open, stripe_id=None>"


def test_upcoming_invoice_embedded_customer_stays_in_memory(fake_stripe):
    data = load_fixture("upcoming_invoice", customer=load_fixture("customer"))

    with CaptureQueriesContext(connection) as queries:
        upcoming = UpcomingInvoice.sync_from_stripe_data(data)
        assert upcoming.customer.email == "jenny.rosen@example.com"

    assert queries.captured_queries == []
    assert upcoming.customer.pk is None
    assert Customer.objects.count() == 0
    assert fake_stripe.requests == []


def test_upcoming_invoice_follows_more_lines(known_customer, fake_stripe):
    data = load_fixture("upcoming_invoice")
    data["lines"]["has_more"] = True
    extra = {**load_fixture("invoice_long_lines_page2")["data"][0]}
    fake_stripe.route(
        "get",
        "/v1/invoices/upcoming/lines",
        {
            "object": "list",
            "data": [extra],
            "has_more": False,
            "url": "/v1/invoices/upcoming/lines",
        },
    )

    upcoming = UpcomingInvoice.sync_from_stripe_data(data)

    assert upcoming.invoiceitems.count() == 3
    assert fake_stripe.count("get", "/v1/invoices/upcoming/lines") == 1
    assert fake_stripe.last.params["customer"] == CUSTOMER_ID
    assert fake_stripe.last.params["starting_after"] == f"{SUBSCRIPTION_ID}"
    assert InvoiceItem.objects.count() == 0


def test_upcoming_invoice_is_not_the_model_of_invoices():
    assert UpcomingInvoice.stripe_object_names == ()
    assert model_for_stripe_object("invoice") is Invoice


# -- Coupon and Plan deletions --------------------------------------------------------------


def test_deleted_plan_and_coupon_remove_their_rows(fake_stripe):
    sync_fixture(Product, "product")
    sync_fixture(Plan, "plan")
    sync_fixture(Coupon, "coupon")

    assert sync_fixture(Plan, "plan_deleted") is None
    assert sync_fixture(Coupon, "coupon_deleted") is None

    assert not Plan.objects.filter(stripe_id=load_fixture("plan_deleted")["id"]).exists()
    assert not Coupon.objects.filter(stripe_id=load_fixture("coupon_deleted")["id"]).exists()
