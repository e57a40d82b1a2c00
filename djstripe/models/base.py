"""StripeObject, the base of every mirrored model, and the object-type lookup."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import stripe
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import classproperty

from .. import enums, stripe_api
from .. import settings as djstripe_settings
from ..fields import (
    MISSING,
    PaymentMethodForeignKey,
    StripeDataError,
    StripeDateTimeField,
    StripeFieldMixin,
    StripeIdField,
    StripeJSONField,
    StripeNullBooleanField,
    StripeTextField,
    lookup_path,
)
from ..stripe_api import StripeData
from .statements import VersionClaim, select_existing, upsert

logger = logging.getLogger(__name__)


DASHBOARD_URL = "https://dashboard.stripe.com/"

STATEMENT_DESCRIPTOR_HELP = (
    "An arbitrary string to be displayed on your customer's credit card statement. The "
    "statement description may not include <>\"' characters, and will appear on your "
    "customer's statement in capital letters. Non-ASCII characters are automatically "
    "stripped. While most banks display this information consistently, some may display it "
    "incorrectly or not at all."
)


def stripe_id_of(value: Any) -> Any:
    """The id of a relation that Stripe sends either as an id or as the embedded object."""
    return value.get("id") if isinstance(value, dict) else value


def owner_id(data: StripeData | None, owner: str) -> str | None:
    """The id of the ``owner`` ("customer", "account") that ``data`` is, or points at."""
    data = data or {}
    if data.get("object") == owner:
        return data.get("id")
    return stripe_id_of(data.get(owner))


__all__ = [
    "IdempotencyKey",
    "SyncedVersion",
    "version_claim",
    "StripeObject",
    "model_for_stripe_object",
    "stripe_foreign_key",
    "default_idempotency_key",
    "SyncBatch",
]


def object_id(value: Any) -> Any:
    """The Stripe id of a mirrored object, or ``value`` itself when it already is an id."""
    return getattr(value, "stripe_id", value)


def api_key_of(*objects: Any) -> str:
    """The key of the mode of the first mirrored object given, else STRIPE_SECRET_KEY."""
    for value in objects:
        if isinstance(value, StripeObject):
            return value.default_api_key
    return djstripe_settings.STRIPE_SECRET_KEY


def epoch_seconds(value: Any) -> Any:
    """A datetime as Stripe's epoch seconds; anything else (an int, ``"now"``) as it is.

    A naive datetime is read in Django's current time zone.
    """
    if not isinstance(value, datetime.datetime):
        return value
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return int(value.timestamp())


def without_none(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that have a value (None means "not sent")."""
    return {key: value for key, value in params.items() if value is not None}


def stripe_foreign_key(to: str, related_name: str, **kwargs: Any) -> models.ForeignKey:
    """A nullable relation to another Stripe object, stored as that object's Stripe id.

    Pointing at the Stripe id means a row can be written without looking up
    the primary key of what it points at. Deleting the target in Stripe never
    cascades: the relation is cleared.
    """
    kwargs.setdefault("on_delete", models.SET_NULL)
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return models.ForeignKey(to, to_field="stripe_id", related_name=related_name, **kwargs)


def model_for_stripe_object(object_name: str) -> type[StripeObject] | None:
    """The model that mirrors Stripe objects whose ``object`` is ``object_name``."""
    if not _OBJECT_MODELS:
        for model in apps.get_app_config("djstripe").get_models():
            for name in getattr(model, "stripe_object_names", ()):
                _OBJECT_MODELS.setdefault(name, model)
    return _OBJECT_MODELS.get(object_name)


_OBJECT_MODELS: dict[str, type[StripeObject]] = {}


class StripeObject(models.Model):
    """The fields and methods every Stripe-backed model shares.

    Subclasses say which Stripe objects they mirror (``stripe_object_names``)
    and where the API keeps them (``stripe_api_path``); fields say where their
    values sit in the Stripe object; :meth:`sync_from_stripe_data` does the rest.
    """

    # Stripe's ``object`` values this model mirrors (the first is its own).
    stripe_object_names: ClassVar[tuple[str, ...]] = ()
    # The API collection, e.g. "/v1/customers".
    stripe_api_path: ClassVar[str] = ""
    # The dashboard section, e.g. "customers"; empty when Stripe has no page.
    stripe_dashboard_path: ClassVar[str | None] = None
    # Relations whose Stripe key differs from the field name: field -> dotted path.
    stripe_relation_paths: ClassVar[dict[str, str]] = {}
    # Relations to have Stripe embed (``expand``) in lists and retrieves, so
    # they need no request of their own: list paths ("data.customer").
    stripe_expand: ClassVar[tuple[str, ...]] = ()

    djstripe_id = models.BigAutoField(primary_key=True, serialize=False, verbose_name="ID")
    stripe_id = StripeIdField(unique=True, stripe_name="id", stripe_required=True)
    livemode = StripeNullBooleanField(
        help_text="Null here indicates that the livemode status is unknown or was previously "
        "unrecorded. Otherwise, this field indicates whether this record comes from Stripe "
        "test mode or live mode operation."
    )
    created = StripeDateTimeField(help_text="The datetime this object was created in stripe.")
    metadata = StripeJSONField(
        help_text="A set of key/value pairs that you can attach to an object. It can be useful "
        "for storing additional information about an object in a structured format."
    )
    description = StripeTextField(help_text="A description of this object.")
    djstripe_created = models.DateTimeField(auto_now_add=True, editable=False)
    djstripe_updated = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
        get_latest_by = "created"

    def __str__(self) -> str:
        return f"<{', '.join(self.str_parts())}>"

    # -- Stripe API -----------------------------------------------------------

    @classproperty
    def stripe_object_name(cls) -> str:
        return cls.stripe_object_names[0]

    @property
    def default_api_key(self) -> str:
        """The secret key of this object's mode (live or test)."""
        return djstripe_settings.get_default_api_key(self.livemode)

    @classmethod
    def api_list(cls, api_key: str = "", **kwargs: Any) -> Iterator[StripeData]:
        """Call the Stripe API's list operation for this model: an iterator over all items."""
        api_key = api_key or djstripe_settings.STRIPE_SECRET_KEY
        return stripe_api.list_all(cls.stripe_list_path(**kwargs), api_key=api_key, **kwargs)

    @classmethod
    def stripe_list_path(cls, **kwargs: Any) -> str:
        """The list endpoint (models nested under another resource override this)."""
        return cls.stripe_api_path

    @classmethod
    def stripe_object_path(cls, stripe_id: str, data: StripeData | None = None) -> str:
        """The path of one object (``data`` helps nested resources find their parent)."""
        return f"{cls.stripe_api_path}/{stripe_id}"

    def api_retrieve(self, api_key: str | None = None) -> StripeData:
        """Call the Stripe API's retrieve operation for this object."""
        return self.stripe_retrieve(
            self.stripe_id, api_key or self.default_api_key, self.stripe_parent_data()
        )

    def _api_update(self, idempotency_key: str | None = None, **params: Any) -> StripeObject:
        """Update this object in Stripe; mirror what Stripe answers and return it."""
        data = stripe_api.update(
            self.stripe_object_path(self.stripe_id, self.stripe_parent_data()),
            api_key=self.default_api_key,
            idempotency_key=idempotency_key,
            **params,
        )
        return type(self).sync_from_stripe_data(data)

    @classmethod
    def stripe_retrieve(
        cls, stripe_id: str, api_key: str, parent: StripeData | None = None
    ) -> StripeData:
        """Retrieve the Stripe object ``stripe_id`` of this model's type."""
        return stripe_api.retrieve(
            cls.stripe_object_path(stripe_id, parent),
            api_key=api_key,
            **cls.stripe_retrieve_params(),
        )

    @classmethod
    def stripe_retrieve_params(cls) -> dict[str, Any]:
        """Extra query parameters of a retrieve: the ``expand`` of ``stripe_expand``."""
        expand = [path.removeprefix("data.") for path in cls.stripe_expand]
        return {"expand": expand} if expand else {}

    def stripe_parent_data(self) -> StripeData:
        """What a nested resource's path needs of its parent (see Card)."""
        return {}

    def get_stripe_dashboard_url(self) -> str:
        """The object's page in Stripe's dashboard (test or live), or "" when it has none."""
        return self.dashboard_url_for(self.stripe_dashboard_path, self.stripe_id)

    def dashboard_url_for(self, section: str | None, stripe_id: str | None) -> str:
        """A dashboard page in this object's mode ("" without a section or an id)."""
        if not section or not stripe_id:
            return ""
        mode = "" if self.livemode else "test/"
        return f"{DASHBOARD_URL}{mode}{section}/{stripe_id}"

    # -- Sync ------------------------------------------------------------------

    @classmethod
    def sync_from_stripe_data(cls, data: StripeData) -> StripeObject | None:
        """Create or update this object's row (and what it embeds) from Stripe data."""
        return cls._sync_read_with(
            data, djstripe_settings.get_default_api_key(data.get("livemode"))
        )

    @classmethod
    def _sync_read_with(cls, data: StripeData, api_key: str) -> StripeObject | None:
        """:meth:`sync_from_stripe_data` for data read with ``api_key``: what the data
        only names is read with it, and its mode is the rows' mode when the data does
        not say."""
        batch = SyncBatch(api_key=api_key)
        stripe_id = batch.add(cls, data)
        batch.write()
        return batch.fetch(cls, stripe_id)

    @classmethod
    def prepare_stripe_data_hook(cls, data: StripeData, parent: StripeData | None) -> StripeData:
        """Adjust Stripe data that does not match the fields one to one (rarely needed)."""
        return data

    @classmethod
    def related_rows_hook(cls, batch: Any, data: StripeData) -> None:
        """Add rows that exist because of this object (see the payment methods)."""

    # Reverse relations that keep a row after Stripe deletes the object: Stripe
    # goes on showing a deleted plan on the subscriptions that use it, say.
    stripe_kept_while_used_by: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def stripe_objects_deleted(cls, stripe_ids: set[str]) -> None:
        """Mirror the deletion in Stripe of these objects: delete their rows.

        Rows still used through ``stripe_kept_while_used_by`` stay, since
        Stripe still shows the object there; relations to a deleted row are
        cleared, never cascaded.
        """
        unused = {f"{name}__isnull": True for name in cls.stripe_kept_while_used_by}
        cls.objects.filter(stripe_id__in=stripe_ids, **unused).delete()

    # -- Display ---------------------------------------------------------------

    def str_parts(self) -> list[str]:
        """Extend this to add information to the string representation of the object."""
        return [f"stripe_id={self.stripe_id}"]


@dataclass
class _Reference:
    """A row's relation given as a bare id, to be checked (and fetched) before writing."""

    instance: models.Model | None  # None: only the object's existence is wanted
    attname: str
    target: type[models.Model]
    stripe_id: str
    parent: StripeData


class _ModelMapping:
    """How one model's rows are built from Stripe data, computed once per model."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        parent_links = {f for f in fields if f.remote_field and f.remote_field.parent_link}
        self.stripe_fields = [f for f in fields if isinstance(f, StripeFieldMixin)]
        # Every column in order: rows are then built positionally, Model.__init__'s fast path.
        self.columns = [(f, isinstance(f, StripeFieldMixin)) for f in fields]
        relation_paths = getattr(model, "stripe_relation_paths", {})
        self.relations = [
            (f, relation_paths.get(f.name, f.name))
            for f in fields
            if f.is_relation and f not in parent_links and is_stripe_relation(f)
        ]
        if issubclass(model, StripeObject):
            self.key = "stripe_id"
            self.update_fields = [f.name for f in self.stripe_fields if f.name != self.key]
            self.update_fields += [f.name for f, _path in self.relations]
            self.update_fields.append("djstripe_updated")
        else:  # a local row built by a hook, such as PaymentMethod
            self.key = model._meta.pk.name
            self.update_fields = [f.name for f in fields if not f.primary_key]
        self.upsert_options = (self.key, self.update_fields)

    def unsaved_row(self, data: StripeData) -> models.Model:
        """An unsaved instance with the Stripe fields of ``data`` (relations not set)."""
        return self.model(
            *[f.stripe_to_db(data) if stripe else f.get_default() for f, stripe in self.columns]
        )


def is_stripe_relation(field: models.Field) -> bool:
    """Whether a relation points at something Stripe owns (not, say, the subscriber)."""
    target = field.related_model
    return isinstance(field, PaymentMethodForeignKey) or (
        isinstance(target, type) and issubclass(target, StripeObject)
    )


def livemode_of_key(api_key: str) -> bool | None:
    """Whether a secret or restricted key is a live one (None when it does not say)."""
    if api_key.startswith(("sk_live_", "rk_live_")):
        return True
    if api_key.startswith(("sk_test_", "rk_test_")):
        return False
    return None


def existing_ids(
    wanted: dict[type[models.Model], list[str]], claim: VersionClaim | None = None
) -> dict[type, set[str]] | None:
    """Which of these ids have rows, per model: one query for all the models together.

    With ``claim``, the version is claimed by the same query, and None is
    returned when a newer version is recorded.
    """
    found: dict[type, set[str]] = {model: set() for model in wanted}
    asked = [(model, ids) for model, ids in wanted.items() if ids]
    lookups = [
        (model._meta.db_table, model._meta.get_field(mapping_for(model).key).column, ids)
        for model, ids in asked
    ]
    rows, claimed = select_existing(lookups, claim)
    if not claimed:
        return None
    for index, stripe_id in rows:
        found[asked[index][0]].add(stripe_id)
    return found


@cache
def write_rank(model: type[models.Model]) -> int:
    """A model's place in the one order every transaction writes in.

    Targets come before the rows that point at them (databases that check
    foreign keys at once need it; cycles rely on deferred checks), and every
    writer takes its row locks in the same order, table by table and id by
    id, so two concurrent syncs wait for each other instead of deadlocking.
    """
    order: list[type[models.Model]] = []

    def visit(current: type[models.Model], path: tuple) -> None:
        if current in order or current in path:
            return
        for field, _path in mapping_for(current).relations:
            visit(field.related_model, path + (current,))
        order.append(current)

    for candidate in sorted(
        apps.get_app_config("djstripe").get_models(), key=lambda m: m.__name__
    ):
        if issubclass(candidate, StripeObject):
            visit(candidate, ())
    return order.index(model) if model in order else len(order)


def sorted_rows(rows: dict[str, models.Model]) -> list[models.Model]:
    """The rows of one model in the order of their keys."""
    return [rows[key] for key in sorted(rows)]


_MAPPINGS: dict[type, _ModelMapping] = {}


def mapping_for(model: type[models.Model]) -> _ModelMapping:
    mapping = _MAPPINGS.get(model)
    if mapping is None:
        mapping = _MAPPINGS[model] = _ModelMapping(model)
    return mapping


class SyncBatch:
    """Builds rows from Stripe objects and everything embedded in them, then writes them.

    ``add()`` turns a Stripe object into an unsaved row, recursing into
    embedded (expanded) objects and into embedded lists (a customer's
    sources, an invoice's lines), so data in hand never costs a request.
    Relations given as bare ids are resolved by ``write()``: ids already in the
    batch or in the database cost nothing, and each unknown id costs one
    retrieve. Rows are then upserted, one statement per model, in one
    transaction. Relations point at Stripe ids, so rows need no lookups of
    primary keys and the order of inserts within the transaction is free.

    With ``refresh_embedded=False``, only the objects added directly (the
    roots) are written over; an embedded object is written only when it has
    no row yet. That suits data that may be older than the mirror, such as an
    event's copy of an object: its root is version-checked by the caller,
    and each embedded object has events of its own to update it.
    """

    def __init__(self, api_key: str, refresh_embedded: bool = True) -> None:
        self.api_key = api_key
        self.livemode = livemode_of_key(api_key)
        self.refresh_embedded = refresh_embedded
        self.rows: dict[type[models.Model], dict[str, models.Model]] = defaultdict(dict)
        self.roots: set[tuple[type[models.Model], str]] = set()
        self.deleted: dict[type[StripeObject], set[str]] = defaultdict(set)
        self.references: list[_Reference] = []

    def add(
        self, model: type[models.Model], data: StripeData, parent: StripeData | None = None
    ) -> str:
        """Add one Stripe object (and what it embeds) to the batch; return its id."""
        data = model.prepare_stripe_data_hook(data, parent)
        if "livemode" not in data:
            # Some objects (accounts, bank accounts) do not say their mode: it
            # is their parent's, or that of the key they were read with.
            data = {**data, "livemode": (parent or {}).get("livemode", self.livemode)}
        mapping = mapping_for(model)
        stripe_id = data.get("id")
        if not stripe_id:
            raise StripeDataError(f"{model.__name__}: Stripe object without an id: {data!r:.200}")
        if data.get("deleted"):
            self.deleted[model].add(stripe_id)
            return stripe_id
        if parent is None:
            self.roots.add((model, stripe_id))
        if stripe_id in self.rows[model]:
            # Another copy of an object already in the batch (the customer's
            # subscription and the invoice's, say) may embed what the first
            # copy gave as ids: add those objects too.
            for field, path in mapping.relations:
                value = lookup_path(data, path)
                if isinstance(value, dict):
                    self._add_relation(None, field, value, data)
            return stripe_id
        instance = mapping.unsaved_row(data)
        self.rows[model][stripe_id] = instance
        for field, path in mapping.relations:
            self._add_relation(instance, field, lookup_path(data, path), data)
        model.related_rows_hook(self, data)
        self._add_embedded_lists(data)
        return stripe_id

    def add_row(self, instance: models.Model) -> None:
        """Add a row built by a hook (keyed by the model's upsert key)."""
        key = mapping_for(type(instance)).key
        self.rows[type(instance)][getattr(instance, key)] = instance

    def require(self, model: type[models.Model], stripe_id: str, parent: StripeData) -> None:
        """Make sure ``stripe_id`` exists locally after write(), retrieving it if unknown."""
        self.references.append(_Reference(None, "", model, stripe_id, parent))

    def _add_relation(self, instance, field, value, data: StripeData) -> None:
        target = field.related_model
        if isinstance(value, dict):
            model = model_for_stripe_object(value.get("object", "")) or target
            if isinstance(field, PaymentMethodForeignKey) and (
                model is target or value.get("object") not in enums.PaymentMethodType
            ):
                # A kind of payment source that is not mirrored, or no payment source at
                # all: a charge's source can be a connected account.
                value = None
            else:
                value = self.add(model, value, parent=data)
        if instance is None:  # only the embedded object was wanted
            return
        if value is MISSING or value is None:
            setattr(instance, field.attname, None)
            return
        setattr(instance, field.attname, value)
        self.references.append(_Reference(instance, field.attname, target, value, data))

    def _add_embedded_lists(self, data: StripeData) -> None:
        for value in data.values():
            if not (isinstance(value, dict) and value.get("object") == "list"):
                continue
            for page in stripe_api.embedded_list_pages(value, api_key=self.api_key):
                self._add_list_items(page, data)

    def _add_list_items(self, items: list[StripeData], parent: StripeData) -> None:
        for item in items:
            model = model_for_stripe_object(item.get("object", ""))
            if model is not None:
                self.add(model, item, parent=parent)

    # -- resolving ids -----------------------------------------------------------

    def resolve_references(self, claim: VersionClaim | None = None) -> bool:
        """Make sure every id a row points at exists, retrieving the unknown ones.

        Without ``refresh_embedded``, the same query also finds which embedded
        objects have rows already: those are left as they are. A ``claim`` of
        the roots' version is made by the first query too; when a newer
        version is recorded, nothing is resolved and False is returned.
        """
        checked: dict[type, set[str]] = defaultdict(set)
        keep_if_present = {} if self.refresh_embedded else self._embedded_ids()
        while True:
            pending = [
                r
                for r in self.references
                if r.stripe_id not in self.rows[r.target] and r.stripe_id not in checked[r.target]
            ]
            if not pending and not keep_if_present and claim is None:
                return True
            if not self._resolve(pending, checked, keep_if_present, claim):
                return False
            keep_if_present, claim = {}, None

    def _embedded_ids(self) -> dict[type, set[str]]:
        return {
            model: {key for key in rows if (model, key) not in self.roots}
            for model, rows in self.rows.items()
        }

    def _resolve(
        self,
        pending: list[_Reference],
        checked: dict[type, set[str]],
        keep_if_present: dict[type, set[str]],
        claim: VersionClaim | None,
    ) -> bool:
        wanted: dict[type, dict[str, _Reference | None]] = defaultdict(dict)
        for model, stripe_ids in keep_if_present.items():
            wanted[model].update(dict.fromkeys(stripe_ids))
        for reference in pending:
            wanted[reference.target].setdefault(reference.stripe_id, reference)
        existing = existing_ids({target: list(by_id) for target, by_id in wanted.items()}, claim)
        if existing is None:
            return False
        for target, by_id in wanted.items():
            checked[target] |= set(by_id)
            for stripe_id in keep_if_present.get(target, set()) & existing[target]:
                del self.rows[target][stripe_id]
            for stripe_id in set(by_id) - existing[target] - self.rows[target].keys():
                self._fetch(target, stripe_id, by_id[stripe_id].parent)
        return True

    def _fetch(self, target: type, stripe_id: str, parent: StripeData) -> None:
        try:
            data = target.stripe_retrieve(stripe_id, self.api_key, parent)
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise
            logger.warning(
                "%s %s no longer exists in Stripe; unlinking it", target.__name__, stripe_id
            )
            for reference in self.references:
                if (
                    reference.instance is not None
                    and reference.target is target
                    and reference.stripe_id == stripe_id
                ):
                    setattr(reference.instance, reference.attname, None)
            return
        self.add(model_for_stripe_object(data.get("object", "")) or target, data)

    # -- writing -------------------------------------------------------------------

    def write(self, claim: VersionClaim | None = None) -> bool:
        """Resolve ids, then upsert every row and apply deletions, in one transaction.

        With ``claim`` (the version of the roots' state, see
        :class:`SyncedVersion`), nothing is written when the mirror holds a
        newer state; the claim costs no query of its own. Returns whether
        the batch was written.
        """
        # No savepoint: inside a caller's transaction a failure fails it all anyway.
        if claim is not None:  # claimed and written together
            with transaction.atomic(savepoint=False):
                return self.resolve_references(claim) and self._write_rows()
        self.resolve_references()
        with transaction.atomic(savepoint=False):
            return self._write_rows()

    def _write_rows(self) -> bool:
        upsert(
            [
                (model, sorted_rows(self.rows[model]), *mapping_for(model).upsert_options)
                for model in self._write_order()
            ]
        )
        for model, stripe_ids in self.deleted.items():
            model.stripe_objects_deleted(stripe_ids)
        return True

    def _write_order(self) -> list[type[models.Model]]:
        return sorted(self.rows, key=write_rank)

    def fetch(self, model: type[StripeObject], stripe_id: str) -> StripeObject | None:
        """The row of ``stripe_id`` as stored (None when it was deleted)."""
        return model._default_manager.filter(stripe_id=stripe_id).first()


class SyncedVersion(models.Model):
    """How recent the mirrored state of each Stripe object is, for order-safe webhooks.

    ``version`` is in microseconds since the epoch: an event's ``created``
    time, or the moment a retrieve was sent. A :func:`version_claim` given to
    ``SyncBatch.write`` lets the write through only when it is at least as
    recent as the last one, and holds the row locked until the transaction
    ends, so two workers handling the same object in either order leave the
    newer state.
    """

    key = models.CharField(max_length=300, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"


def version_claim(object_name: str, stripe_id: str, version: int) -> VersionClaim:
    """A claim of ``version`` for an object, for ``SyncBatch.write``."""
    return VersionClaim(SyncedVersion._meta.db_table, f"{object_name}:{stripe_id}", version)


class IdempotencyKey(models.Model):
    """An idempotency key kept for 24 hours, so a retried create reuses it."""

    uuid = models.UUIDField(max_length=36, primary_key=True, editable=False, default=uuid.uuid4)
    action = models.CharField(max_length=100)
    livemode = models.BooleanField(help_text="Whether the key was used in live or test mode.")
    created = models.DateTimeField(auto_now_add=True)

    LIFETIME = datetime.timedelta(hours=24)

    class Meta:
        unique_together = ("action", "livemode")

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def is_expired(self) -> bool:
        """Stripe forgets keys after 24 hours."""
        return timezone.now() > self.created + self.LIFETIME


def default_idempotency_key(object_type: str, action: str, livemode: bool) -> str:
    """The default DJSTRIPE_IDEMPOTENCY_KEY_CALLBACK: one stored key per action and mode."""
    action = f"{object_type}:{action}"
    key, created = IdempotencyKey.objects.get_or_create(action=action, livemode=livemode)
    if not created and key.is_expired:
        IdempotencyKey.objects.filter(pk=key.pk).delete()
        key, _ = IdempotencyKey.objects.get_or_create(action=action, livemode=livemode)
    return str(key.uuid)
