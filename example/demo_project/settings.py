"""Settings of the djstripe demo project.

Everything Stripe-related comes from the environment:

- ``STRIPE_TEST_SECRET_KEY`` (and ``STRIPE_TEST_PUBLIC_KEY``): a real Stripe
  test-mode key. Without one, the keys are ``sk_test_demo``/``pk_test_demo``
  and ``manage.py demo`` starts a fake Stripe server (localstripe) and points
  ``STRIPE_API_HOST`` at it.
- ``STRIPE_API_HOST``: talk to another Stripe-compatible server.
- ``DJSTRIPE_WEBHOOK_SECRET``: the ``whsec_...`` secret webhooks are signed
  with (``manage.py demo`` sets its own for the fake server).
- ``DEMO_DATABASE``: the SQLite file (default: ``example/demo.sqlite3``, or
  ``example/demo-stripe-test.sqlite3`` with a real key, so that the two
  accounts' mirrors never mix).
"""

import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "djstripe-demo-not-a-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "shop",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "djstripe",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo_project.urls"
WSGI_APPLICATION = "demo_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.demo",
            ],
        },
    },
]

# -- Stripe ----------------------------------------------------------------------

USES_REAL_STRIPE = bool(os.environ.get("STRIPE_TEST_SECRET_KEY"))

STRIPE_LIVE_MODE = False
STRIPE_TEST_SECRET_KEY = os.environ.get("STRIPE_TEST_SECRET_KEY", "sk_test_demo")
STRIPE_TEST_PUBLIC_KEY = os.environ.get("STRIPE_TEST_PUBLIC_KEY", "pk_test_demo")
STRIPE_API_HOST = os.environ.get("STRIPE_API_HOST", "")
DJSTRIPE_WEBHOOK_SECRET = os.environ.get("DJSTRIPE_WEBHOOK_SECRET", "")
# Where subscription_payment_required sends visitors without a subscription.
DJSTRIPE_SUBSCRIPTION_REDIRECT = "shop:plans"

# -- Database ----------------------------------------------------------------------

_default_database = "demo-stripe-test.sqlite3" if USES_REAL_STRIPE else "demo.sqlite3"
# Webhooks arrive while pages are being served: writers wait for each other
# (up to the timeout) rather than fail with "database is locked".
_sqlite_options = {"timeout": 20}
if django.VERSION >= (5, 1):
    _sqlite_options["transaction_mode"] = "IMMEDIATE"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DATABASE") or BASE_DIR / _default_database,
        "OPTIONS": _sqlite_options,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- Users ---------------------------------------------------------------------------

LOGIN_REDIRECT_URL = "shop:plans"
LOGOUT_REDIRECT_URL = "shop:home"
# A demo: any password will do.
AUTH_PASSWORD_VALIDATORS = []

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"djstripe": {"handlers": ["console"], "level": "WARNING"}},
}
