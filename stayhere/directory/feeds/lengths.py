"""Whether a record's values fit the directory's columns, checked before anything is written.

PostgreSQL refuses a value longer than its column (and the whole import's transaction with it); SQLite
stores it. Checking each record against the models' own ``max_length`` makes both databases behave the
same: a record that does not fit is reported and skipped (its earlier version is kept), and the rest of
the feed is imported.
"""

from __future__ import annotations

import operator

from django.db import models
from django.utils.translation import gettext as _

from stayhere.directory.feeds.common import ListingRecord, Problem
from stayhere.directory.models import Group, Location, Meeting
from stayhere.directory.types import GROUP_ASSERTED


def _limit(model: type[models.Model], name: str) -> int:
    column = model._meta.get_field(name)
    assert isinstance(column, models.CharField) and column.max_length, f"{model.__name__}.{name} has no max_length"
    return int(column.max_length)


# The record's attribute, the feed's word for it, and the column that holds it.
_COLUMNS: tuple[tuple[str, str, int], ...] = tuple(
    (attribute, word, _limit(model, column))
    for attribute, word, model, column in (
        ("slug", "slug", Meeting, "source_slug"),
        ("name", "name", Meeting, "name"),
        ("fellowship", "fellowship", Meeting, "fellowship"),
        ("timezone", "timezone", Meeting, "timezone"),
        ("attendance", "attendance_option", Meeting, "attendance"),
        ("conference_url", "conference_url", Meeting, "conference_url"),
        ("conference_phone", "conference_phone", Meeting, "conference_phone"),
        ("venmo", "venmo", Meeting, "venmo"),
        ("square", "square", Meeting, "square"),
        ("paypal", "paypal", Meeting, "paypal"),
        ("homegroup_online", "homegroup_online", Meeting, "homegroup_online"),
        ("url", "url", Meeting, "url"),
        ("feedback_url", "feedback_url", Meeting, "feedback_url"),
        ("location_name", "location", Location, "name"),
        ("address", "address", Location, "address"),
        ("city", "city", Location, "city"),
        ("state", "state", Location, "state"),
        ("postal_code", "postal_code", Location, "postal_code"),
        ("country", "country", Location, "country"),
        ("group_name", "group", Group, "name"),
        ("group_email", "email", Group, "email"),
        ("group_phone", "phone", Group, "phone"),
        ("group_website", "website", Group, "website"),
    )
)
_TYPE_INDEX = _limit(Meeting, "type_index")


_VALUES = operator.attrgetter(*(attribute for attribute, _word, _limit in _COLUMNS))
_LIMITS = tuple(limit for _attribute, _word, limit in _COLUMNS)


def too_long(record: ListingRecord) -> Problem | None:
    """The first value of the record that its column cannot hold, as a problem; None when all fit."""
    if any(map(operator.gt, map(len, _VALUES(record)), _LIMITS)):  # all in C: every record is checked
        return _first_too_long(record)
    return _too_many_codes(record)


def _first_too_long(record: ListingRecord) -> Problem | None:
    for attribute, word, limit in _COLUMNS:
        value: str = getattr(record, attribute)
        if len(value) > limit:
            return Problem(
                record.where,
                word,
                _("is %(length)s characters long, more than the %(limit)s the directory holds; skipped")
                % {"length": len(value), "limit": limit},
            )
    return None


def _too_many_codes(record: ListingRecord) -> Problem | None:
    codes = [code for code in dict.fromkeys(record.types) if code and code not in GROUP_ASSERTED]
    # The finder's index of the codes, "|O|D|...|", is what must fit (Meeting.set_types).
    indexed = len(codes) + 1 + sum(len(code) for code in codes) if codes else 0
    if indexed > _TYPE_INDEX:
        return Problem(
            record.where,
            "types",
            _(
                "its %(count)s type codes take %(length)s characters, more than the %(limit)s the directory holds; "
                "skipped"
            )
            % {"count": len(codes), "length": indexed, "limit": _TYPE_INDEX},
        )
    return None
