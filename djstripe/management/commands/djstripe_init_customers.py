"""Create a Stripe customer for every subscriber that has none."""

from django.core.management.base import BaseCommand, CommandError

from djstripe import settings as djstripe_settings
from djstripe.sync import create_missing_customers


class Command(BaseCommand):
    help = "Create a Stripe customer (in the configured mode) for each subscriber without one."

    def handle(self, *args, verbosity, **options):
        created = failed = 0
        for outcome in create_missing_customers(djstripe_settings.STRIPE_LIVE_MODE):
            subscriber = outcome.subscriber
            if outcome.error:
                failed += 1
                self.stderr.write(f"Subscriber {subscriber.pk} ({subscriber}): {outcome.error}")
                continue
            created += outcome.created
            if verbosity >= 1:
                self.stdout.write(
                    f"Subscriber {subscriber.pk} ({subscriber}): "
                    f"customer {outcome.customer.stripe_id}"
                )
        self.stdout.write(f"Created {created} customer(s); {failed} failed.")
        if failed:
            raise CommandError(f"{failed} subscriber(s) got no customer.", returncode=1)
