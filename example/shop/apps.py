"""The demo shop: plans from the mirror, subscriptions, the customer's account page."""

from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The demo shop."""

    name = "shop"
    verbose_name = "Demo shop"
