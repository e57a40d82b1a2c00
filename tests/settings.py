"""Django settings for djstripe's tests and ``manage.py`` (the demo has its own, in example/).

The database is chosen by the ``DJSTRIPE_TEST_DB`` environment variable:
``sqlite`` (the default) or ``postgres``. For PostgreSQL,
``DJSTRIPE_TEST_DB_NAME``, ``_USER``, ``_PASSWORD``, ``_HOST`` and ``_PORT``
override the connection (defaults: ``djstripe``, ``postgres``, none,
``127.0.0.1``, ``5432``); Django's test runner creates ``test_<name>``.
"""

import os
import tempfile

import django
from django.core.exceptions import ImproperlyConfigured

SECRET_KEY = "djstripe-tests-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
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
            ],
        },
    },
]

ROOT_URLCONF = "tests.urls"

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Fast hashing: tests create users, they do not need strong passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sqlite_database():
    # The test database is a file, not ":memory:", so that threads (the
    # concurrency tests) see one database. The process id keeps parallel
    # runs apart; pytest-xdist adds a per-worker suffix on top.
    options = {"timeout": 30}
    if django.VERSION >= (5, 1):
        # Take the write lock when a transaction begins, so that two threads
        # writing at once wait for each other instead of failing at once.
        options["transaction_mode"] = "IMMEDIATE"
    test_name = os.path.join(tempfile.gettempdir(), f"djstripe_test_{os.getpid()}.sqlite3")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "OPTIONS": options,
        "TEST": {"NAME": test_name},
    }


def _postgres_database():
    env = os.environ.get
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env("DJSTRIPE_TEST_DB_NAME", "djstripe"),
        "USER": env("DJSTRIPE_TEST_DB_USER", "postgres"),
        "PASSWORD": env("DJSTRIPE_TEST_DB_PASSWORD", ""),
        "HOST": env("DJSTRIPE_TEST_DB_HOST", "127.0.0.1"),
        "PORT": env("DJSTRIPE_TEST_DB_PORT", "5432"),
    }


_DATABASE_BUILDERS = {"sqlite": _sqlite_database, "postgres": _postgres_database}
_test_db = os.environ.get("DJSTRIPE_TEST_DB", "sqlite")
if _test_db not in _DATABASE_BUILDERS:
    raise ImproperlyConfigured(
        f"DJSTRIPE_TEST_DB={_test_db!r} is invalid: expected one of {sorted(_DATABASE_BUILDERS)}."
    )
DATABASES = {"default": _DATABASE_BUILDERS[_test_db]()}

# Stripe: fake keys; tests never reach Stripe itself.
STRIPE_TEST_SECRET_KEY = "sk_test_djstripe"
STRIPE_LIVE_SECRET_KEY = "sk_live_djstripe"
STRIPE_TEST_PUBLIC_KEY = "pk_test_djstripe"
STRIPE_LIVE_PUBLIC_KEY = "pk_live_djstripe"
STRIPE_LIVE_MODE = False
DJSTRIPE_WEBHOOK_SECRET = "whsec_test_secret"

# Quiet: nothing printed to the console; pytest's caplog still sees records,
# since they propagate to the root logger.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["null"], "level": "WARNING", "propagate": True},
        "stripe": {"level": "WARNING"},
    },
}
DJSTRIPE_MAX_NETWORK_RETRIES = 0  # tests that want retries turn them on
