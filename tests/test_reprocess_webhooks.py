"""Replaying stored webhook triggers with djstripe_reprocess_webhooks."""

import pytest
from django.core.management import CommandError, call_command

from djstripe.models import Customer, Event, WebhookEventTrigger
from tests.fake_stripe import load_fixture
from tests.webhook_client import post_webhook

pytestmark = pytest.mark.django_db


def test_failed_triggers_are_processed_again(client, fake_stripe, capsys):
    event = load_fixture("event_customer_created")
    fake_stripe.fail("get", "/v1/customers/cus_Cox9sWuLoPAaA8", status=500)
    assert post_webhook(client, event).status_code == 500
    fake_stripe.store([load_fixture("customer"), load_fixture("product")])

    call_command("djstripe_reprocess_webhooks", "--failed")

    trigger = WebhookEventTrigger.objects.get()
    assert trigger.processed and not trigger.exception
    assert Event.objects.get().stripe_id == event["id"]
    assert Customer.objects.count() == 1
    assert "Reprocessed 1 trigger(s); 0 did not succeed." in capsys.readouterr().out
    # Replaying a processed event again does nothing new, and says so on the trigger.
    WebhookEventTrigger.objects.filter(pk=trigger.pk).update(exception="stale")
    call_command("djstripe_reprocess_webhooks", "--id", str(trigger.id))
    assert Event.objects.count() == 1
    trigger.refresh_from_db()
    assert trigger.processed and not trigger.exception
    assert trigger.event == Event.objects.get()


def test_a_replay_that_still_fails_exits_non_zero(client, fake_stripe):
    fake_stripe.fail("get", "/v1/customers/cus_Cox9sWuLoPAaA8", status=500, times=2)
    assert post_webhook(client, load_fixture("event_customer_created")).status_code == 500
    with pytest.raises(CommandError, match="1 trigger"):
        call_command("djstripe_reprocess_webhooks", "--failed")


def test_invalid_triggers_are_not_processed(client, fake_stripe):
    post_webhook(client, load_fixture("event_customer_created"), secret="whsec_wrong")
    trigger = WebhookEventTrigger.objects.get()
    with pytest.raises(CommandError):
        call_command("djstripe_reprocess_webhooks", "--id", str(trigger.id))
    assert Event.objects.count() == 0


def test_selection_is_required_and_checked():
    with pytest.raises(CommandError, match="Say which triggers"):
        call_command("djstripe_reprocess_webhooks")
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("djstripe_reprocess_webhooks", "--since", "yesterday")
