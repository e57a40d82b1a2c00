"""A Sphinx directive that documents djstripe's models from the models themselves.

``.. djstripe-models::`` writes one section per model: its docstring, every
field with its class and help text, and its public methods and properties
with the first paragraph of their docstrings. The page can never fall behind
the code: it is read from the code at every build.

The extension imports the models, so it sets Django up first, with the test
settings (they need no database, and no service is contacted).
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "tests.settings"
MODULE = "djstripe.models"

# The order of the models reference: the core resources first, then the rest.
MODEL_ORDER = (
    "Charge",
    "Customer",
    "Dispute",
    "Event",
    "Payout",
    "BankAccount",
    "Card",
    "Source",
    "Coupon",
    "Invoice",
    "UpcomingInvoice",
    "InvoiceItem",
    "Plan",
    "Subscription",
    "Account",
    "Transfer",
    "WebhookEventTrigger",
    "Product",
    "Refund",
    "FileUpload",
    "PaymentMethod",
    "IdempotencyKey",
    "SyncedVersion",
)

# Names of the sync algorithm's plumbing, used by djstripe itself, not by projects.
PLUMBING = re.compile(r"^stripe_|_hook$")
MEMBER_TYPES = (
    classmethod,
    staticmethod,
    property,
    functools.cached_property,
)

# reST markup characters; a backslash makes each stand for itself.
RST_SPECIAL = re.compile(r"([\\`*_|<>\[\]:])")
URL = re.compile(r"(https?://[^\s<>`]+?)(?=[.,;:)]?(?:\s|$))")


def setup_django() -> None:
    """Make the project importable and set Django up (once per process)."""
    from django.apps import apps

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    if apps.ready:
        return
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    import django

    django.setup()


def rst_escape(text: str) -> str:
    """Plain text as reST that renders it unchanged (whitespace folded, URLs kept as links)."""
    pieces = URL.split(" ".join(str(text).split()))
    return "".join(
        piece if index % 2 else RST_SPECIAL.sub(r"\\\1", piece)
        for index, piece in enumerate(pieces)
    )


def indent(lines: list[str], prefix: str = "   ") -> list[str]:
    return [prefix + line if line else line for line in lines]


# -- what a model has ------------------------------------------------------------


def ordered_models() -> list[type]:
    """djstripe's models in the reference's order, then any others by name."""
    from django.apps import apps

    by_name = {model.__name__: model for model in apps.get_app_config("djstripe").get_models()}
    rest = sorted(set(by_name) - set(MODEL_ORDER))
    return [by_name[name] for name in (*MODEL_ORDER, *rest) if name in by_name]


def field_class(field: Any) -> str:
    """``StripeIdField``, or for a relation ``ForeignKey to :class:`Customer```."""
    name = type(field).__name__
    if not field.is_relation:
        return name
    target = field.related_model
    if target.__module__.startswith("djstripe."):
        return f"{name} to :class:`~{MODULE}.{target.__name__}`"
    return f"{name} to {target.__name__}"


def field_text(field: Any) -> str:
    """The help text, else the verbose name capitalised."""
    text = str(field.help_text or "")
    return text or str(field.verbose_name).capitalize()


def model_fields(model: type) -> list[Any]:
    """The model's columns, inherited ones first (the order Django keeps them in)."""
    return [field for field in model._meta.get_fields() if field.concrete]


def own_classes(model: type) -> Iterator[type]:
    """The classes of the model's MRO that djstripe defines, up to the shared StripeObject."""
    from djstripe.models import StripeObject

    for cls in model.__mro__:
        if cls is StripeObject:
            return
        if cls.__module__.startswith("djstripe."):
            yield cls


def public_members(classes: Iterator[type]) -> list[tuple[str, Any, type]]:
    """(name, raw attribute, owner) of the public methods and properties, first seen first."""
    seen: set[str] = set()
    members = []
    for cls in classes:
        for name, value in vars(cls).items():
            if name.startswith("_") or name in seen or PLUMBING.search(name):
                continue
            seen.add(name)
            if isinstance(value, MEMBER_TYPES) or inspect.isfunction(value):
                members.append((name, value, cls))
    return members


def summary(doc: str | None) -> list[str]:
    """The first paragraph of a docstring (reST, as docstrings are written)."""
    paragraph = []
    for line in inspect.cleandoc(doc or "").splitlines():
        if not line.strip():
            break
        paragraph.append(line.strip())
    return paragraph


def member_doc(model: type, name: str, value: Any) -> str | None:
    """The member's docstring, inherited from a base when the override has none."""
    if isinstance(value, (property, functools.cached_property)):
        return inspect.getdoc(value)
    return inspect.getdoc(getattr(model, name))


def signature(value: Any) -> str:
    """``(amount=None, reason=None)``: the parameters without ``self``/``cls`` or hints."""
    function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
    parameters = list(inspect.signature(function).parameters.values())
    if not isinstance(value, staticmethod):
        parameters = parameters[1:]
    return "({})".format(
        ", ".join(str(p.replace(annotation=inspect.Parameter.empty)) for p in parameters)
    )


def member_lines(model: type, name: str, value: Any) -> list[str]:
    """A method or property, nested in its class's directive."""
    if isinstance(value, (property, functools.cached_property)):
        lines = [f".. py:property:: {name}"]
    else:
        lines = [f".. py:method:: {name}{signature(value)}"]
        if isinstance(value, classmethod):
            lines.append("   :classmethod:")
        elif isinstance(value, staticmethod):
            lines.append("   :staticmethod:")
    lines += ["   :no-contents-entry:", "   :no-index-entry:", ""]
    lines += indent(summary(member_doc(model, name, value)))
    return [*lines, ""]


# -- the reST of one model -------------------------------------------------------


def model_rst(model: type, shared_label: str) -> list[str]:
    from djstripe.models import StripeObject

    body = inspect.cleandoc(model.__doc__ or "").splitlines()
    body += ["", ".. rubric:: Fields", ""]
    for field in model_fields(model):
        body.append(f"* ``{field.name}`` ({field_class(field)}) – {rst_escape(field_text(field))}")
    body.append("")
    is_stripe_object = issubclass(model, StripeObject)
    members = public_members(own_classes(model))
    if members or is_stripe_object:
        body += [".. rubric:: Methods and properties", ""]
    for name, value, _owner in members:
        body += member_lines(model, name, value)
    if is_stripe_object:
        body += [f"And those of every Stripe model (:ref:`{shared_label}`).", ""]
    title = model.__name__
    return [
        title,
        "-" * len(title),
        "",
        f".. py:class:: {model.__name__}",
        "   :no-contents-entry:",
        "",
        *indent(body),
        "",
    ]


def shared_rst(label: str) -> list[str]:
    """The section on what every Stripe model inherits from StripeObject."""
    from djstripe.models import StripeObject

    title = "What every Stripe model has"
    body = inspect.cleandoc(StripeObject.__doc__ or "").splitlines()
    body += ["", ".. rubric:: Methods and properties", ""]
    for name, value, _owner in public_members(iter([StripeObject])):
        body += member_lines(StripeObject, name, value)
    return [
        f".. _{label}:",
        "",
        title,
        "-" * len(title),
        "",
        ".. py:class:: StripeObject",
        "   :no-contents-entry:",
        "",
        *indent(body),
        "",
    ]


class DjstripeModelsDirective(SphinxDirective):
    """``.. djstripe-models::``: a section per model, generated from the code."""

    has_content = False
    required_arguments = 0
    optional_arguments = 0

    def run(self) -> list[nodes.Node]:
        label = "djstripe-models-shared"
        # Docstrings name other models briefly (:class:`Refund`): resolve them here.
        lines = [f".. py:currentmodule:: {MODULE}", ""]
        for model in ordered_models():
            lines += model_rst(model, label)
        lines += shared_rst(label)
        return self.parse_text_to_nodes("\n".join(lines), allow_section_headings=True)


def setup(app: Sphinx) -> dict[str, Any]:
    setup_django()
    app.add_directive("djstripe-models", DjstripeModelsDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
