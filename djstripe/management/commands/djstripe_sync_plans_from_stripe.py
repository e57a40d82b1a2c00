"""Copy every plan, with its product, from Stripe into the mirror."""

from django.core.management.base import BaseCommand, CommandError

from djstripe import settings as djstripe_settings
from djstripe.management.commands._reporting import report_failures
from djstripe.models import Plan
from djstripe.sync import sync_model


class Command(BaseCommand):
    help = "Sync all plans (and their products) from Stripe, in the configured mode."

    def handle(self, *args, **options):
        report = sync_model(Plan, djstripe_settings.get_default_api_key(None))
        report_failures(self, report)
        if report.aborted:
            raise CommandError(f"Listing plans failed: {report.aborted}", returncode=1)
        self.stdout.write(
            f"Synced {report.synced} plan(s) ({report.created} created, "
            f"{report.updated} updated); {report.failed} failed."
        )
        if report.failures:
            raise CommandError(f"{report.failed} plan(s) failed to sync.", returncode=1)
