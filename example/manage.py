#!/usr/bin/env python
"""The djstripe demo project: ``python example/manage.py demo`` (see README.rst)."""

import os
import sys
from pathlib import Path

# The repository's checkout: its djstripe, and tests.localstripe_server, which
# the demo uses to run a fake Stripe server.
REPOSITORY = Path(__file__).resolve().parent.parent


def main():
    sys.path.insert(1, str(REPOSITORY))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
