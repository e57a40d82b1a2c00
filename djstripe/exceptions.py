"""Exceptions for conditions that callers of djstripe can handle.

Errors from Stripe itself are stripe-python's own (``stripe.CardError``,
``stripe.InvalidRequestError``...): djstripe lets them through unwrapped.
"""


class MultipleSubscriptionException(Exception):
    """``Customer.subscription`` was asked for while the customer has several valid ones.

    Use ``Customer.subscriptions`` (or ``valid_subscriptions``) instead.
    """
