"""Fast bulk INSERT and UPDATE for the feed importer, on SQLite and PostgreSQL.

Django's bulk_create prepares every value through the field machinery and bulk_update builds a
CASE expression per field; at 200,000 meetings that is most of an import's time. Here values are
adapted once per field kind, then:

- on SQLite, sent with executemany (one prepared statement, run per row in the same process) or one
  multi-row INSERT ... RETURNING;
- on PostgreSQL, streamed with ``COPY ... FROM STDIN`` (psycopg 3): Django binds parameters on the
  client, so executemany sent every row as its own SQL text for the server to parse and plan. New rows
  are copied straight into their table (their ids drawn first from the table's sequence, when the
  caller needs them); changed rows are copied into a temporary staging table and written with one
  ``UPDATE ... FROM`` by primary key.

Everything runs in the caller's transaction: an import killed halfway leaves nothing behind (the
staging table is dropped at commit or with the connection). Only the field kinds the directory uses
are handled; anything else is passed through.
"""

from __future__ import annotations

import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from django.db import connection, models

Adapter = Callable[[Any], Any]


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _adapter(field: models.Field[Any, Any]) -> Adapter | None:
    if isinstance(field, models.JSONField):
        return _json_text
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.TimeField):
        return connection.ops.adapt_timefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def _columns(model: type[models.Model], names: Sequence[str]) -> list[tuple[str, str, Adapter | None]]:
    """(attribute, column, adapter) for each field name; a foreign key is written by its id."""
    out = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column is not None
        out.append((field.attname, field.column, _adapter(field)))
    return out


def _reader(columns: list[tuple[str, str, Adapter | None]]) -> Callable[[models.Model], list[Any]]:
    """A function from an object to its row: attrgetter reads every attribute in C, then only the
    few columns that need adapting are touched."""
    get = operator.attrgetter(*(attname for attname, _c, _a in columns))
    adapted = [(index, adapt) for index, (_n, _c, adapt) in enumerate(columns) if adapt is not None]

    def read(obj: models.Model) -> list[Any]:
        values = get(obj)
        row = list(values) if len(columns) > 1 else [values]
        for index, adapt in adapted:
            if row[index] is not None:
                row[index] = adapt(row[index])
        return row

    return read


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    return pk.column


def _batch_size(width: int) -> int:
    """Rows per multi-row INSERT: as many as the database takes parameters for, at most 1,000."""
    limit = connection.features.max_query_params or 32766
    if connection.vendor == "sqlite":  # Django says 999, the oldest SQLite's; this one says what it takes
        connection.ensure_connection()
        raw = connection.connection
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if hasattr(raw, "getlimit") else limit
    return max(1, min(1000, limit // max(width, 1)))


def _copying() -> bool:
    return connection.vendor == "postgresql"


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY the rows into ``table`` (already quoted), in the order of ``columns`` (quoted)."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def drawing_ids() -> bool:
    """Whether ``new_ids`` can draw a table's next ids before its rows are written (PostgreSQL's sequences)."""
    return _copying()


def new_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys drawn from the table's sequence, as an INSERT would draw them.

    Usually they are one run of numbers: then only its ends come back (200,000 ids as rows cost most of a
    second). When another writer drew ids in between, the run has holes, and a second draw returns every id."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), _pk_column(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id "
            "FROM generate_series(1, %s)) AS drawn",
            [table, column, count],
        )
        low, high = cursor.fetchone()
        if low is not None and high - low + 1 == count:  # nextval never repeats: exactly low..high
            return list(range(int(low), int(high) + 1))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [int(row[0]) for row in cursor.fetchall()]


def insert(model: type[models.Model], objs: Sequence[models.Model], names: Sequence[str], *, ids: bool) -> None:
    """INSERT the objects; with ``ids``, set each object's primary key (RETURNING, or drawn before a COPY)."""
    if not objs:
        return
    columns = _columns(model, names)
    quote = connection.ops.quote_name
    if _copying():
        read = _reader(columns)
        column_names = [quote(column) for _a, column, _f in columns]
        if not ids:
            _copy(quote(model._meta.db_table), column_names, (read(obj) for obj in objs))
            return
        drawn = new_ids(model, len(objs))
        rows = ([new_id, *read(obj)] for obj, new_id in zip(objs, drawn, strict=True))
        _copy(quote(model._meta.db_table), [quote(_pk_column(model)), *column_names], rows)
        for obj, new_id in zip(objs, drawn, strict=True):
            obj.pk = new_id
            obj._state.adding = False
            obj._state.db = connection.alias
        return
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(column) for _a, column, _f in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    read = _reader(columns)
    with connection.cursor() as cursor:
        if not ids:
            sql = f"INSERT INTO {table} ({column_list}) VALUES {one}"  # noqa: S608 (names from the model)
            cursor.executemany(sql, [read(obj) for obj in objs])
            return
        pk = quote(_pk_column(model))
        size = _batch_size(len(columns))
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            params = [value for obj in batch for value in read(obj)]
            placeholders = ", ".join([one] * len(batch))
            sql = f"INSERT INTO {table} ({column_list}) VALUES {placeholders} RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, params)
            for obj, (new_id,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = connection.alias


def update(model: type[models.Model], objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """UPDATE the named fields of each object, by primary key."""
    if not objs:
        return
    columns = _columns(model, names)
    quote = connection.ops.quote_name
    if _copying():
        _update_by_copy(model, columns, objs)
        return
    assignments = ", ".join(f"{quote(column)} = %s" for _a, column, _f in columns)
    pk = quote(_pk_column(model))
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    read = _reader(columns)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*read(obj), obj.pk] for obj in objs])


_staging_names = itertools.count(1)


def _update_by_copy(
    model: type[models.Model], columns: list[tuple[str, str, Adapter | None]], objs: Sequence[models.Model]
) -> None:
    """The objects' rows COPYed into a staging table shaped like the model's, then one UPDATE ... FROM."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(_pk_column(model))
    staging = quote(f"stayhere_staging_{next(_staging_names)}")
    names = [quote(column) for _a, column, _f in columns]
    read = _reader(columns)
    with connection.cursor() as cursor:
        # The table's own column types, no rows, no constraints; gone at the end of the transaction.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 (names from the model)
            f"SELECT {pk}, {', '.join(names)} FROM {table} WITH NO DATA"
        )
    _copy(staging, [pk, *names], ([obj.pk, *read(obj)] for obj in objs))
    assignments = ", ".join(f"{name} = s.{name}" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM {staging} AS s WHERE t.{pk} = s.{pk}")  # noqa: S608
        cursor.execute(f"DROP TABLE {staging}")


def insert_tuples(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT rows of values already in database form, one per tuple, in the order of ``names``.

    ``rows`` may be a generator: on PostgreSQL each row is made while the database writes the ones before."""
    if isinstance(rows, Sequence) and not rows:
        return
    quote = connection.ops.quote_name
    if _copying():
        _copy(quote(model._meta.db_table), [quote(column) for _a, column, _f in _columns(model, names)], rows)
        return
    rows = rows if isinstance(rows, Sequence) else list(rows)
    if not rows:
        return
    # Multi-row statements, not executemany's statement per row: a table with triggers (the meeting's, see
    # feeds/pieces.py) makes SQLite keep a statement journal for each statement, which cost a row's insert
    # twice its own work when every row was a statement.
    columns = ", ".join(quote(column) for _a, column, _f in _columns(model, names))
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    size = _batch_size(len(names))
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(batch))}"  # noqa: S608
            cursor.execute(sql, [value for row in batch for value in row])
