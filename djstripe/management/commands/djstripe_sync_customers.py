"""Sync each subscriber's customer, and what it owns, from Stripe."""

from django.core.management.base import BaseCommand, CommandError

from djstripe import settings as djstripe_settings
from djstripe.management.commands._reporting import report_subscribers
from djstripe.sync import sync_subscribers


class Command(BaseCommand):
    help = (
        "Sync every subscriber's customer (in the configured mode) from Stripe, with its "
        "subscriptions, invoices, charges and cards; a subscriber without one gets one."
    )

    def handle(self, *args, verbosity, **options):
        subscribers = djstripe_settings.get_subscriber_model()._default_manager.order_by("pk")
        outcomes = sync_subscribers(subscribers.iterator())
        tally = report_subscribers(self, outcomes, verbosity, "Synced subscriber")
        self.stdout.write(f"Synced {tally.succeeded} subscriber(s); {tally.failed} failed.")
        if tally.failed:
            raise CommandError(f"{tally.failed} subscriber(s) failed to sync.", returncode=1)
