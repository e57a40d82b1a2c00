"""The djstripe models, re-exported from the module of their section of Stripe's API."""

from .base import *  # noqa: F403
from .base import __all__ as _base_all
from .billing import *  # noqa: F403
from .billing import __all__ as _billing_all
from .connect import *  # noqa: F403
from .connect import __all__ as _connect_all
from .core import *  # noqa: F403
from .core import __all__ as _core_all
from .payment_methods import *  # noqa: F403
from .payment_methods import __all__ as _payment_methods_all
from .webhooks import *  # noqa: F403
from .webhooks import __all__ as _webhooks_all

__all__ = [
    *_base_all,
    *_billing_all,
    *_connect_all,
    *_core_all,
    *_payment_methods_all,
    *_webhooks_all,
]
