"""The SQL statements of the sync and webhook paths, each one round trip.

Upserting many rows at once, inserting a row unless its key exists (and
linking it from another row), recording a version only when it is newer,
looking up which ids exist, and a plain INSERT or UPDATE of one row without
the ORM's machinery. They use ``INSERT ... ON CONFLICT``, understood alike by
PostgreSQL and SQLite (3.35+); other databases get the ORM's equivalents for
upserts and single rows. The SQL text is built once per model and reused;
only the values change.

On PostgreSQL with psycopg 3 the values travel apart from the SQL text
(server-side binding), so the server can reuse the statement's plan when the
connection allows prepared statements (``OPTIONS["prepare_threshold"]``);
see "Performance" in the docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

# From how many rows PostgreSQL gets one array per column rather than a row list.
BY_COLUMNS_FROM = 10
# Stay below the smallest parameter limit of the supported databases.
MAX_PARAMETERS = 30_000
NATIVE_UPSERT_VENDORS = ("postgresql", "sqlite")


def database() -> BaseDatabaseWrapper:
    """The connection these statements use (looked up once per statement, not per value)."""
    return connections[DEFAULT_DB_ALIAS]


@contextmanager
def cursor_for(db: BaseDatabaseWrapper) -> Iterator:
    """A cursor of ``db`` that sends values apart from the SQL text where the driver can.

    Django's PostgreSQL cursors merge the values into the SQL text unless
    ``OPTIONS["server_side_binding"]`` is set. These statements are the same
    text on every call, so they always bind on the server: no quoting in
    Python, and a plan the server may keep (prepared statements).
    """
    binding_cursor = _server_binding_cursor_class(db)
    if binding_cursor is None:
        with db.cursor() as cursor:
            yield cursor
        return
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = binding_cursor(db.connection)
    wrapped = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
    with wrapped:
        yield wrapped


def _server_binding_cursor_class(db: BaseDatabaseWrapper):
    if db.vendor != "postgresql" or db.settings_dict["OPTIONS"].get("server_side_binding"):
        return None  # not PostgreSQL, or Django's own cursors bind on the server already
    return _psycopg3_server_binding_cursor_class()


@cache
def _psycopg3_server_binding_cursor_class():
    from django.db.backends.postgresql import base

    return base.ServerBindingCursor if base.is_psycopg3 else None


class _UpsertStatement:
    """``INSERT INTO t (...) VALUES (...), ... ON CONFLICT (key) DO UPDATE SET ...``.

    On PostgreSQL the rows come as one array per column:
    ``INSERT INTO t (...) SELECT * FROM unnest(%s::type[], ...) ON CONFLICT ...``.
    """

    def __init__(
        self,
        db: BaseDatabaseWrapper,
        model: type[models.Model],
        key: str,
        update_fields: tuple[str, ...],
    ):
        meta = model._meta
        quote = db.ops.quote_name
        self.fields = [f for f in meta.concrete_fields if not (f.primary_key and f.name != key)]
        self.stamped = [
            f
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        updates = ", ".join(
            f"{quote(meta.get_field(name).column)} = EXCLUDED.{quote(meta.get_field(name).column)}"
            for name in update_fields
        )
        insert = (
            f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(f.column) for f in self.fields)}) "
        )
        self.prefix = f"{insert}VALUES "
        self.suffix = (
            f" ON CONFLICT ({quote(meta.get_field(key).column)}) DO UPDATE SET {updates}"
            + changed_condition(
                db,
                quote(meta.db_table),
                [
                    quote(meta.get_field(name).column)
                    for name in update_fields
                    if name not in {f.name for f in self.stamped}
                ],
            )
        )
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.rows_per_statement = max(1, MAX_PARAMETERS // len(self.fields))
        self.by_columns = None
        if db.vendor == "postgresql":
            # PostgreSQL takes one array per column instead: the statement's
            # text, which the driver scans for placeholders on every call,
            # then stays the same whatever the number of rows.
            arrays = ", ".join(f"%s::{array_type(db, f)}" for f in self.fields)
            self.by_columns = f"{insert}SELECT * FROM unnest({arrays}){self.suffix}"

    def pieces(
        self, db: BaseDatabaseWrapper, instances: Sequence[models.Model]
    ) -> list[tuple[str, list]]:
        """The statement(s) for these rows, each under the parameter limit: (sql, params)."""
        now = timezone.now()
        for instance in instances:
            for field in self.stamped:
                setattr(instance, field.attname, now)
        if self.by_columns is not None and len(instances) >= BY_COLUMNS_FROM:
            columns = [
                [
                    field.get_db_prep_save(getattr(instance, field.attname), db)
                    for instance in instances
                ]
                for field in self.fields
            ]
            return [(self.by_columns, columns)]
        pieces = []
        for start in range(0, len(instances), self.rows_per_statement):
            chunk = instances[start : start + self.rows_per_statement]
            params = [
                field.get_db_prep_save(getattr(instance, field.attname), db)
                for instance in chunk
                for field in self.fields
            ]
            pieces.append((self.prefix + ", ".join([self.row] * len(chunk)) + self.suffix, params))
        return pieces


def array_type(db: BaseDatabaseWrapper, field: models.Field) -> str:
    """The PostgreSQL array type of a column's values, without length or precision.

    Without them, storing a value too long for the column fails as an
    insert of the value itself would, instead of a cast truncating it.
    """
    return re.sub(r"\(.*\)", "", field.db_type(db)) + "[]"


def changed_condition(db: BaseDatabaseWrapper, table: str, columns: list[str]) -> str:
    """Only rewrite a row whose values change: an identical upsert writes nothing."""
    if not columns:
        return ""
    if db.vendor == "postgresql":
        old = ", ".join(f"{table}.{column}" for column in columns)
        new = ", ".join(f"EXCLUDED.{column}" for column in columns)
        return f" WHERE ({old}) IS DISTINCT FROM ({new})"
    # SQLite's IS NOT compares like IS DISTINCT FROM (nulls included).
    return " WHERE " + " OR ".join(f"{table}.{c} IS NOT EXCLUDED.{c}" for c in columns)


@cache
def _statement(model: type[models.Model], key: str, update_fields: tuple[str, ...], alias: str):
    return _UpsertStatement(connections[alias], model, key, update_fields)


def upsert(
    groups: Sequence[tuple[type[models.Model], Sequence[models.Model], str, Sequence[str]]],
):
    """Insert rows, or update the listed fields of rows whose key exists, for several models.

    ``groups`` holds (model, rows, key, update_fields), in the order to write
    them (which is also the order their row locks are taken in).
    """
    groups = [group for group in groups if group[1]]
    db = database()
    if db.vendor not in NATIVE_UPSERT_VENDORS:
        for model, instances, key, update_fields in groups:
            model._default_manager.bulk_create(
                instances, update_conflicts=True, unique_fields=[key], update_fields=update_fields
            )
        return
    with cursor_for(db) as cursor:
        for model, instances, key, update_fields in groups:
            statement = _statement(model, key, tuple(update_fields), db.alias)
            for sql, params in statement.pieces(db, instances):
                cursor.execute(sql, params)


def _stamp(instance: models.Model, fields: Sequence[models.Field], add: bool) -> None:
    for field in fields:
        if getattr(field, "auto_now", False) or (add and getattr(field, "auto_now_add", False)):
            field.pre_save(instance, add=add)


def insert_unless_present(instance: models.Model, key: str, link: Link | None = None) -> bool:
    """INSERT one row, or nothing when a row with the same ``key`` exists; True if inserted.

    One statement, and safe when two transactions insert the same key: the
    second waits for the first and inserts nothing if it committed.

    With ``link``, a new row is also linked from another (saved) row, whose
    listed fields are saved at the same time: on PostgreSQL, by the same
    statement. Nothing is linked when nothing was inserted.
    """
    db = database()
    sql, link_values = _insert_sql(type(instance), key, db.alias), []
    if link is not None and db.vendor == "postgresql":
        linked = (type(link.row), link.attname, tuple(link.field_names))
        sql = _linked_insert_sql(type(instance), key, *linked, db.alias)
        link_values = [*link.values(db), link.row.pk]
    if not _insert_row(db, instance, key, sql, link_values):
        return False
    if link is not None:
        setattr(link.row, link.attname, instance.pk)
        if db.vendor != "postgresql":
            besides = _fields_besides(type(link.row), link.attname, tuple(link.field_names))
            update(link.row, [link.attname, *(f.name for f in besides)])
    return True


class Link(NamedTuple):
    """A saved row to point at a new row (through ``attname``), saving ``field_names`` too."""

    row: models.Model
    attname: str
    field_names: Sequence[str]

    def values(self, db: BaseDatabaseWrapper) -> list:
        """The values of the fields saved besides the link itself."""
        fields = _fields_besides(type(self.row), self.attname, tuple(self.field_names))
        _stamp(self.row, fields, add=False)
        return [f.get_db_prep_save(getattr(self.row, f.attname), db) for f in fields]


def insert(instance: models.Model) -> None:
    """INSERT one row and set its primary key: ``save()`` without signals or model checks,
    for rows written once per webhook request."""
    db = database()
    if db.vendor not in NATIVE_UPSERT_VENDORS:
        instance.save(force_insert=True)
        return
    _insert_row(db, instance, None, _insert_sql(type(instance), None, db.alias))


def _insert_row(
    db: BaseDatabaseWrapper,
    instance: models.Model,
    key: str | None,
    sql: str,
    more_values: Sequence = (),
) -> bool:
    """Run ``sql``, an INSERT of the row's columns (then ``more_values``) returning its
    primary key; set the key. False when no row came back."""
    fields = _insert_columns(type(instance), key)
    _stamp(instance, fields, add=True)
    values = [f.get_db_prep_save(getattr(instance, f.attname), db) for f in fields]
    with cursor_for(db) as cursor:
        cursor.execute(sql, [*values, *more_values])
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    return True


@cache
def _insert_columns(model: type[models.Model], key: str | None) -> list[models.Field]:
    """The fields an INSERT writes: all but the primary key, unless it is the key."""
    return [f for f in model._meta.concrete_fields if not f.primary_key or f.name == key]


@cache
def _insert_sql(model: type[models.Model], key: str | None, alias: str) -> str:
    meta = model._meta
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(f.column) for f in _insert_columns(model, key))
    placeholders = ", ".join(["%s"] * len(_insert_columns(model, key)))
    conflict = f"ON CONFLICT ({quote(meta.get_field(key).column)}) DO NOTHING " if key else ""
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "
        f"{conflict}RETURNING {quote(meta.pk.column)}"
    )


@cache
def _fields_besides(
    model: type[models.Model], attname: str, field_names: tuple[str, ...]
) -> list[models.Field]:
    fields = [model._meta.get_field(name) for name in field_names]
    return [f for f in fields if f.attname != attname]


@cache
def _linked_insert_sql(
    model: type[models.Model],
    key: str,
    linked: type[models.Model],
    attname: str,
    field_names: tuple[str, ...],
    alias: str,
) -> str:
    """``WITH new AS (INSERT ... RETURNING pk) UPDATE linked SET fk = new.pk, ... FROM new``."""
    quote = connections[alias].ops.quote_name
    meta = linked._meta
    fk_column = quote(next(f.column for f in meta.concrete_fields if f.attname == attname))
    assignments = "".join(
        f", {quote(f.column)} = %s" for f in _fields_besides(linked, attname, field_names)
    )
    pk = quote(model._meta.pk.column)
    return (
        f"WITH new AS ({_insert_sql(model, key, alias)}) "
        f"UPDATE {quote(meta.db_table)} SET {fk_column} = new.{pk}{assignments} "
        f"FROM new WHERE {quote(meta.db_table)}.{quote(meta.pk.column)} = %s RETURNING new.{pk}"
    )


def update(instance: models.Model, field_names: Sequence[str]) -> None:
    """UPDATE these fields of one saved row: ``save(update_fields=...)`` without signals."""
    if instance.pk is None:
        raise ValueError(f"{instance!r} has no primary key: it was never saved.")
    db = database()
    if db.vendor not in NATIVE_UPSERT_VENDORS:
        instance.save(update_fields=field_names)
        return
    meta = instance._meta
    fields = [meta.get_field(name) for name in field_names]
    _stamp(instance, fields, add=False)
    values = [f.get_db_prep_save(getattr(instance, f.attname), db) for f in fields]
    with cursor_for(db) as cursor:
        cursor.execute(
            _update_sql(type(instance), tuple(field_names), db.alias),
            [*values, instance.pk],
        )


@cache
def _update_sql(model: type[models.Model], field_names: tuple[str, ...], alias: str) -> str:
    meta = model._meta
    quote = connections[alias].ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in field_names)
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"


class VersionClaim(NamedTuple):
    """Store ``version`` under ``key`` in ``table`` unless a newer one is stored."""

    table: str
    key: str
    version: int

    def sql(self, db: BaseDatabaseWrapper) -> tuple[str, list]:
        quote = db.ops.quote_name
        table, key_column, column = quote(self.table), quote("key"), quote("version")
        return (
            f"INSERT INTO {table} ({key_column}, {column}) VALUES (%s, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {column} = EXCLUDED.{column} "
            f"WHERE {table}.{column} <= EXCLUDED.{column} RETURNING {column}",
            [self.key, self.version],
        )


def record_if_newer(claim: VersionClaim) -> bool:
    """Store the claimed version unless a newer one is stored; True when stored.

    The row stays locked until the transaction ends, so concurrent writers
    of one key take turns and compare against each other's result.
    """
    db = database()
    with cursor_for(db) as cursor:
        cursor.execute(*claim.sql(db))
        return cursor.fetchone() is not None


def select_existing(
    lookups: Sequence[tuple[str, str, Sequence[str]]], claim: VersionClaim | None = None
) -> tuple[list[tuple[int, str]], bool]:
    """Which values exist, for several (table, column, values): one ``UNION ALL`` query.

    Returns (index of the lookup, value) for each value found, and whether
    ``claim`` (if any) was recorded: on PostgreSQL it is made by the same
    query. When it is not recorded, nothing is looked up.
    """
    db = database()
    if claim is not None and db.vendor != "postgresql":
        if not record_if_newer(claim):
            return [], False
        claim = None
    quote = db.ops.quote_name
    parts, params = [], []
    for index, (table, column, values) in enumerate(lookups):
        where = f"SELECT {index}, {quote(column)} FROM {quote(table)} WHERE {quote(column)}"
        if db.vendor == "postgresql":
            # One array: the same SQL text whatever the number of values.
            parts.append(f"{where} = ANY(%s)")
            params.append(list(values))
        else:
            parts.append(f"{where} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
    if not parts:
        return [], claim is None or record_if_newer(claim)
    sql = " UNION ALL ".join(parts)
    if claim is not None:
        # The claim's row, if recorded, is numbered -1.
        claim_sql, claim_params = claim.sql(db)
        sql = f"WITH claim AS ({claim_sql}) SELECT -1, NULL FROM claim UNION ALL {sql}"
        params = [*claim_params, *params]
    with cursor_for(db) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = [row for row in rows if row[0] != -1]
    claimed = claim is None or len(found) < len(rows)
    return (found if claimed else []), claimed
