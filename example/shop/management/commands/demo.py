"""``manage.py demo``: a fake Stripe server (or your Stripe test account), plans, the shop."""

from __future__ import annotations

import secrets
import signal
import socket
import sys
from contextlib import ExitStack

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from djstripe.models import Plan
from shop import demo_setup
from tests.localstripe_server import running_localstripe

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = (
        "Run the djstripe demo. Without STRIPE_TEST_SECRET_KEY in the environment it starts "
        "a fake Stripe server (localstripe) on a free loopback port and empties the demo "
        "database; with one it uses your Stripe test account. Then it creates plans, syncs "
        "them, sends webhooks to this site and runs the development server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8000, help="Port of the development server (8000)."
        )
        parser.add_argument(
            "--no-server", action="store_true", help="Set everything up, then exit."
        )

    def handle(self, *args, port: int, no_server: bool, **options):
        if not no_server:
            check_port_is_free(port)
        # `kill` (SIGTERM) then stops the demo as Ctrl-C does, fake Stripe server included.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        site = f"http://{HOST}:{port}"
        with ExitStack() as stack:
            self.line(f"Stripe:    {self.connect_to_stripe(stack)}")
            self.set_up(site)
            if no_server:
                self.line("Set up; not serving (--no-server).")
                return
            self.print_what_to_click(site)
            try:
                call_command("runserver", f"{HOST}:{port}", use_reloader=False)
            finally:
                # Stopping: a second Ctrl-C (tox sends one of its own) must not
                # interrupt the fake Stripe server's shutdown.
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def connect_to_stripe(self, stack: ExitStack) -> str:
        """Start localstripe unless a real test key is set; say where requests go."""
        if settings.USES_REAL_STRIPE:
            # A live key never gets here: djstripe's system checks refuse it.
            host = settings.STRIPE_API_HOST
            key = settings.STRIPE_TEST_SECRET_KEY
            where = f"the Stripe API at {host}" if host else "your Stripe test account"
            return f"{where}, key {key[:8]}...{key[-4:]}"
        api_host = stack.enter_context(running_localstripe())
        secret = f"whsec_demo_{secrets.token_hex(12)}"
        # djstripe reads its settings at use time: the running server sees these.
        # (SETTINGS_MODULE is kept only for runserver's banner.)
        stack.enter_context(
            override_settings(
                STRIPE_API_HOST=api_host,
                DJSTRIPE_WEBHOOK_SECRET=secret,
                SETTINGS_MODULE=settings.SETTINGS_MODULE,
            )
        )
        keys = f"{settings.STRIPE_TEST_SECRET_KEY} / {settings.STRIPE_TEST_PUBLIC_KEY}"
        return f"a fake Stripe server (localstripe) at {api_host}, keys {keys}"

    def set_up(self, site: str) -> None:
        fake = not settings.USES_REAL_STRIPE
        database = settings.DATABASES["default"]["NAME"]
        demo_setup.prepare_database(empty=fake)
        emptied = " (emptied: the fake Stripe server starts empty)" if fake else ""
        self.line(f"Database:  {database}{emptied}")
        created = demo_setup.create_admin()
        self.line(
            f"Admin:     {site}/admin/ user {demo_setup.ADMIN_USERNAME!r}, "
            f"password {demo_setup.ADMIN_PASSWORD!r}" + ("" if created else " (already there)")
        )
        demo_setup.create_plans()
        self.line(f"Plans:     djstripe_sync_plans_from_stripe: {demo_setup.sync_plans()}")
        plans = Plan.objects.filter(livemode=False)
        prices = ", ".join(f"{plan.name} {plan.human_readable_price}" for plan in plans)
        self.line(f"           {len(plans)} mirrored: {prices}")
        webhook_url = f"{site}/stripe/webhook/"
        if fake:
            secret = settings.DJSTRIPE_WEBHOOK_SECRET
            demo_setup.register_webhooks(settings.STRIPE_API_HOST, webhook_url, secret)
            self.line(f"Webhooks:  localstripe posts every event to {webhook_url}")
            self.line(f"           signed with DJSTRIPE_WEBHOOK_SECRET = {secret}")
        else:
            self.line(
                f"Webhooks:  Stripe cannot reach {webhook_url}. Forward them with the Stripe "
                f"CLI:\n           stripe listen --forward-to {webhook_url}\n"
                "           and restart with DJSTRIPE_WEBHOOK_SECRET set to the whsec_... it "
                "prints."
            )

    def print_what_to_click(self, site: str) -> None:
        self.line(
            f"\nOpen {site}/ and:\n"
            f"  1. Sign up at {site}/signup/ (any username and password).\n"
            f"  2. Pick a plan at {site}/plans/ and subscribe with the test card.\n"
            f"  3. See the subscription, card and invoices at {site}/account/, and the\n"
            f"     page only subscribers see at {site}/members/.\n"
            "  4. Cancel at the period's end, reactivate, or cancel now.\n"
            f"  5. Log in to {site}/admin/ as admin/admin: Webhook event triggers, Events,\n"
            "     Subscriptions and Invoices fill up as Stripe's webhooks arrive.\n"
            "Ctrl-C stops the demo (and the fake Stripe server).\n"
        )

    def line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


def check_port_is_free(port: int) -> None:
    """Fail before starting anything if the development server could not listen."""
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError as error:
            raise CommandError(f"Cannot listen on {HOST}:{port} ({error}): use --port.") from error
