"""The djstripe application configuration: every side effect happens in ready()."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DjstripeAppConfig(AppConfig):
    """Registers checks and webhook handlers and points stripe-python at the right API."""

    name = "djstripe"
    label = "djstripe"
    verbose_name = _("Stripe")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, event_handlers, stripe_api  # noqa: F401  (registration)

        stripe_api.configure_stripe()
