"""Sync each subscriber's customer, and what it owns, from Stripe."""

from django.core.management.base import BaseCommand, CommandError

from djstripe import settings as djstripe_settings
from djstripe.sync import sync_subscribers


class Command(BaseCommand):
    help = (
        "Sync every subscriber's customer (in the configured mode) from Stripe, with its "
        "subscriptions, invoices, charges and cards; a subscriber without one gets one."
    )

    def handle(self, *args, verbosity, **options):
        subscribers = djstripe_settings.get_subscriber_model()._default_manager.order_by("pk")
        synced = failed = 0
        for outcome in sync_subscribers(subscribers.iterator()):
            subscriber = outcome.subscriber
            if outcome.error:
                failed += 1
                self.stderr.write(f"Subscriber {subscriber.pk} ({subscriber}): {outcome.error}")
                continue
            synced += 1
            if verbosity >= 1:
                self.stdout.write(
                    f"Synced subscriber {subscriber.pk} ({subscriber}): "
                    f"customer {outcome.customer.stripe_id}"
                )
        self.stdout.write(f"Synced {synced} subscriber(s); {failed} failed.")
        if failed:
            raise CommandError(f"{failed} subscriber(s) failed to sync.", returncode=1)
