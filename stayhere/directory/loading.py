"""The meetings of one result page, with their location and group, in one query: only what the answers send.

A result page (the finder's list, the JSON API) shows a meeting's name, schedule, attendance, types,
place and group name; nothing else of those rows. So only those columns are read: a group's
``contacts`` (kilobytes of JSON for a large group) or a meeting's notes are never loaded nor decoded
on the hot path, and the service body is not joined. The instances are Django's own, with every
other field deferred; reading one of those would cost a query per meeting, which
``tests/directory/test_loading.py`` rules out for everything the API and the finder page render.

The SQL is written once per database (building it through the ORM's compiler on every search cost
three times the query); values go through the converters Django applies, and related objects are
cached on each meeting as ``select_related`` caches them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from django.db import connection, connections, models
from django.db.models.base import ModelState

from stayhere.directory.models import Group, Location, Meeting

Converter = Callable[[Any, Any, Any], Any]

# What a result page reads of each row (api_views.meeting_json, presenting.result_view, search._result).
MEETING_COLUMNS = (
    "id", "slug", "name", "fellowship", "group_id", "location_id", "day_mask", "start_time", "end_time",
    "timezone", "attendance", "inactive_reason", "regions", "conference_url", "conference_phone", "types",
)  # fmt: skip
LOCATION_COLUMNS = (
    "id", "name", "address", "city", "state", "postal_code", "country", "latitude", "longitude", "approximate",
)  # fmt: skip
GROUP_COLUMNS = ("id", "name", "moud_welcome", "harm_reduction")


@dataclass(frozen=True)
class _Part:
    model: type[models.Model]
    relation: str  # the meeting's attribute ("" for the meeting itself)
    columns: tuple[str, ...]
    attnames: tuple[str, ...]
    # Only the fields that need converting: (index in the part, its converters).
    converters: tuple[tuple[int, tuple[tuple[Converter, Any], ...]], ...]


def _part(model: type[models.Model], alias: str, relation: str, attnames: tuple[str, ...]) -> _Part:
    quote = connection.ops.quote_name
    columns, converters = [], []
    for index, attname in enumerate(attnames):
        field = next(f for f in model._meta.concrete_fields if f.attname == attname)
        assert field.column is not None
        column = field.get_col(alias)
        columns.append(f"{alias}.{quote(field.column)}")
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if isinstance(field, models.JSONField) and field.decoder is None:
            found = [_fast_json(converter) if _is_json_reading(converter, field) else converter for converter in found]
        if found:
            converters.append((index, tuple((converter, column) for converter in found)))
    return _Part(model, relation, tuple(columns), attnames, tuple(converters))


def _is_json_reading(converter: Converter, field: models.JSONField[Any]) -> bool:
    return getattr(converter, "__func__", None) is models.JSONField.from_db_value and converter.__self__ is field  # type: ignore[attr-defined]


def _fast_json(django_reading: Converter) -> Converter:
    """A JSON column that holds a list of texts (a page's ``types`` and ``regions``), read by orjson: for those it
    gives what ``json.loads`` gives, at a fraction of the cost. Anything else (other values, where the two may
    differ: orjson reads an integer past 64 bits as a float; what orjson refuses: NaN, lone surrogates, a value
    that is no text) goes to Django's own reading, which decides as before."""

    def read(value: Any, expression: Any, database: Any) -> Any:
        if value is None:
            return None
        try:
            found = orjson.loads(value)
        except orjson.JSONDecodeError:
            return django_reading(value, expression, database)
        if type(found) is list and all(type(item) is str for item in found):
            return found
        return django_reading(value, expression, database)

    return read


@cache
def _plan(vendor: str) -> tuple[str, tuple[_Part, ...]]:
    del vendor  # the cache key: converters and quoting differ between databases
    parts = (
        _part(Meeting, "m", "", MEETING_COLUMNS),
        _part(Location, "l", "location", LOCATION_COLUMNS),
        _part(Group, "g", "group", GROUP_COLUMNS),
    )
    select = ", ".join(column for part in parts for column in part.columns)
    sql = (
        f"SELECT {select} FROM directory_meeting m "  # noqa: S608 (no value is put in the text)
        "LEFT JOIN directory_location l ON l.id = m.location_id "
        "LEFT JOIN directory_group g ON g.id = m.group_id WHERE m.id IN "
    )
    return sql, parts


def _build(part: _Part, values: Sequence[Any], database: Any) -> models.Model | None:
    """The instance ``Model.from_db`` would make of these columns, without its ``__init__``.

    ``from_db`` pads the row with a placeholder for every deferred field and ``__init__`` walks all the model's
    fields to skip them and sends ``pre_init``/``post_init``: three quarters of the loading's Python for a page of
    meetings. What it leaves is a ``ModelState`` saying the row came from this database and the loaded values in
    the instance's ``__dict__``; a field missing there is deferred, as Django decides it. No receiver of those
    signals exists for these models (``tests/directory/test_loading.py`` holds both). ``database`` is the connection
    itself, looked up once a page (``django.db.connection`` is a proxy that looks it up at each attribute read).
    """
    if values[0] is None:  # no related row (a LEFT JOIN miss): the primary key is first
        return None
    converted = list(values)
    for index, converters in part.converters:
        for converter, column in converters:
            converted[index] = converter(converted[index], column, database)
    instance = part.model.__new__(part.model)
    state = ModelState()
    state.adding, state.db = False, database.alias
    instance._state = state
    instance.__dict__.update(zip(part.attnames, converted, strict=True))
    return instance


def meetings_by_id(ids: Sequence[int]) -> dict[int, Meeting]:
    """The meetings of these ids (those that exist), with the columns a result page shows."""
    if not ids:
        return {}
    sql, parts = _plan(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql + "(" + ", ".join(["%s"] * len(ids)) + ")", list(ids))
        rows = cursor.fetchall()
    database = connections[connection.alias]
    found: dict[int, Meeting] = {}
    for row in rows:
        start = len(parts[0].columns)
        meeting = _build(parts[0], row[:start], database)
        assert isinstance(meeting, Meeting)
        for part in parts[1:]:
            end = start + len(part.columns)
            meeting._state.fields_cache[part.relation] = _build(part, row[start:end], database)
            start = end
        found[meeting.pk] = meeting
    return found
