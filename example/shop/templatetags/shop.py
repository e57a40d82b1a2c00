"""Template filters of the demo shop."""

from django import template

from djstripe.utils import get_friendly_currency_amount

register = template.Library()


@register.filter
def money(amount, currency):
    """``{{ invoice.total|money:invoice.currency }}``: ``$15.00 USD``."""
    return get_friendly_currency_amount(amount, currency or "usd")
