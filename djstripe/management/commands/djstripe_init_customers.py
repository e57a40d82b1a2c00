"""Create a Stripe customer for every subscriber that has none."""

from django.core.management.base import BaseCommand, CommandError

from djstripe import settings as djstripe_settings
from djstripe.management.commands._reporting import report_subscribers
from djstripe.sync import create_missing_customers


class Command(BaseCommand):
    help = "Create a Stripe customer (in the configured mode) for each subscriber without one."

    def handle(self, *args, verbosity, **options):
        outcomes = create_missing_customers(djstripe_settings.STRIPE_LIVE_MODE)
        tally = report_subscribers(self, outcomes, verbosity, "Subscriber")
        self.stdout.write(f"Created {tally.created} customer(s); {tally.failed} failed.")
        if tally.failed:
            raise CommandError(f"{tally.failed} subscriber(s) got no customer.", returncode=1)
