"""Copy what the Stripe account holds into the mirror, model by model, page by page."""

from django.core.management.base import BaseCommand, CommandError

from djstripe import settings as djstripe_settings
from djstripe.management.commands._reporting import report_failures
from djstripe.sync import DEFAULT_SYNC_MODELS, SYNC_MODELS, SyncReport, sync_models

# A progress line every this many pages (of 100 objects).
PROGRESS_EVERY_PAGES = 10


class Command(BaseCommand):
    help = (
        "Sync every object of the named models (default: all but Account and Event) from "
        "Stripe: one request per page of 100, related objects embedded."
    )

    def add_arguments(self, parser):
        names = ", ".join(model.__name__ for model in SYNC_MODELS)
        parser.add_argument("models", nargs="*", metavar="Model", help=f"one of: {names}")
        parser.add_argument("--api-key", help="the secret key to use (default: by mode)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--livemode", action="store_true", help="use the live secret key")
        mode.add_argument("--testmode", action="store_true", help="use the test secret key")

    def handle(self, *args, models, api_key, livemode, testmode, verbosity, **options):
        self.verbosity = verbosity
        chosen = self.chosen_models(models)
        livemode = True if livemode else False if testmode else None
        api_key = api_key or djstripe_settings.get_default_api_key(livemode)
        failed = 0
        for report in sync_models(chosen, api_key, on_progress=self.show_progress):
            self.show_summary(report)
            failed += report.failed + bool(report.aborted)
        if failed:
            raise CommandError(f"{failed} object(s) or list(s) failed to sync.", returncode=1)

    def chosen_models(self, names):
        by_name = {model.__name__.lower(): model for model in SYNC_MODELS}
        unknown = [name for name in names if name.lower() not in by_name]
        if unknown:
            choices = ", ".join(model.__name__ for model in SYNC_MODELS)
            raise CommandError(f"Unknown model(s): {', '.join(unknown)}. Choose among: {choices}.")
        return [by_name[name.lower()] for name in names] or list(DEFAULT_SYNC_MODELS)

    def show_progress(self, report: SyncReport) -> None:
        if self.verbosity >= 1 and report.pages % PROGRESS_EVERY_PAGES == 0:
            self.stdout.write(
                f"{report.model.__name__}: {report.synced} synced, {report.failed} failed "
                f"({report.rate:.0f}/s)"
            )

    def show_summary(self, report: SyncReport) -> None:
        report_failures(self, report)
        if report.aborted:
            self.stderr.write(f"{report.model.__name__}: listing stopped: {report.aborted}")
        self.stdout.write(
            f"{report.model.__name__}: {report.synced} synced ({report.created} created, "
            f"{report.updated} updated), {report.failed} failed, in {report.elapsed:.1f}s"
        )
