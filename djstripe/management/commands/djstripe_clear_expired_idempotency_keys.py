"""Delete the idempotency keys that Stripe has forgotten (run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from djstripe.utils import clear_expired_idempotency_keys


class Command(BaseCommand):
    help = "Delete idempotency keys older than 24 hours (Stripe keeps keys that long)."

    def handle(self, *args, **options):
        deleted = clear_expired_idempotency_keys()
        self.stdout.write(f"Deleted {deleted} expired idempotency key(s).")
