"""Output shared by the management commands: per-subscriber outcomes and sync failures."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.management.base import BaseCommand

from djstripe.sync import SubscriberOutcome, SyncReport


@dataclass
class SubscriberTally:
    """How many subscribers succeeded (and got a new customer) and how many failed."""

    succeeded: int = 0
    created: int = 0
    failed: int = 0


def report_subscribers(
    command: BaseCommand,
    outcomes: Iterable[SubscriberOutcome],
    verbosity: int,
    label: str,
) -> SubscriberTally:
    """Write each outcome, a failure to stderr and, if verbose, a success to stdout.

    A success line starts with ``label`` (e.g. "Subscriber") and names the customer.
    """
    tally = SubscriberTally()
    for outcome in outcomes:
        subscriber = outcome.subscriber
        if outcome.error:
            tally.failed += 1
            command.stderr.write(f"Subscriber {subscriber.pk} ({subscriber}): {outcome.error}")
            continue
        tally.succeeded += 1
        tally.created += outcome.created
        if verbosity >= 1:
            command.stdout.write(
                f"{label} {subscriber.pk} ({subscriber}): customer {outcome.customer.stripe_id}"
            )
    return tally


def report_failures(command: BaseCommand, report: SyncReport) -> None:
    """Write each object that failed to sync, with the reason, to stderr."""
    for stripe_id, reason in report.failures:
        command.stderr.write(f"{report.model.__name__} {stripe_id}: {reason}")
