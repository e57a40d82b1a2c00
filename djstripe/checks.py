"""System checks for djstripe's configuration (ids djstripe.C001 ...)."""
