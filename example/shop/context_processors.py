"""What every page of the demo shows about where Stripe is."""

from django.conf import settings


def uses_fake_stripe() -> bool:
    """Whether requests go to another server than Stripe's (localstripe, for the demo)."""
    return bool(settings.STRIPE_API_HOST)


def demo(request):
    """``fake_stripe`` and ``stripe_api_host``, for the banner of every page."""
    return {"fake_stripe": uses_fake_stripe(), "stripe_api_host": settings.STRIPE_API_HOST}
