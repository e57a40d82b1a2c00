"""Process stored webhook triggers again: after a fix, an outage, or for a replay."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from djstripe.models import WebhookEventTrigger
from djstripe.models.webhooks import FAILED


class Command(BaseCommand):
    help = "Process stored webhook triggers again (exactly once per event still holds)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--id",
            type=int,
            action="append",
            dest="ids",
            default=[],
            help="a trigger id (repeatable)",
        )
        parser.add_argument(
            "--failed", action="store_true", help="only triggers whose processing failed"
        )
        parser.add_argument("--since", help="only triggers received at or after this ISO time")

    def handle(self, *args, ids, failed, since, **options):
        triggers = WebhookEventTrigger.objects.order_by("created", "id")
        if ids:
            triggers = triggers.filter(id__in=ids)
        if failed:
            triggers = triggers.filter(FAILED)
        if since:
            moment = parse_datetime(since)
            if moment is None:
                raise CommandError(f"--since {since!r} is not an ISO date and time")
            triggers = triggers.filter(created__gte=moment)
        if not (ids or failed or since):
            raise CommandError("Say which triggers: --id, --failed and/or --since.")
        done = failed_count = 0
        for trigger in triggers.iterator():
            if trigger.reprocess():
                done += 1
            else:
                failed_count += 1
                self.stderr.write(f"trigger {trigger.id}: {trigger.exception or 'not valid'}")
        self.stdout.write(f"Reprocessed {done} trigger(s); {failed_count} did not succeed.")
        if failed_count:
            raise CommandError(f"{failed_count} trigger(s) did not succeed.", returncode=1)
