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
        from django.db.models.signals import pre_delete

        from . import checks, event_handlers, receivers, stripe_api  # noqa: F401  (registration)
        from . import settings as djstripe_settings

        stripe_api.configure_stripe()
        pre_delete.connect(
            receivers.purge_customers_of_subscriber,
            sender=djstripe_settings.get_subscriber_model_name(),
            dispatch_uid="djstripe.purge_customers_of_subscriber",
        )
