"""djstripe's URLs: ``path("stripe/", include("djstripe.urls", namespace="djstripe"))``."""

from django.urls import re_path

from . import settings as djstripe_settings
from .views import ProcessWebhookView

app_name = "djstripe"

urlpatterns = [
    re_path(
        djstripe_settings.DJSTRIPE_WEBHOOK_URL,
        ProcessWebhookView.as_view(),
        name="webhook",
    ),
]
