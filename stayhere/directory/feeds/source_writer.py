"""Writing one source's listings into the directory, for the importer: meetings, their places and groups,
and the finder's slots, in a few bulk statements (the importer holds the transaction).

A meeting is matched to its earlier row by its slug within the source; a re-import updates what
changed, leaves what did not, and removes what the source no longer lists (a record that could
not be read keeps its old row; removals that look like a source cut short are held back, see
removals). Places are shared by the source's meetings that give the same address and position;
a group is the source's group of that name, or a new one.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone as django_timezone
from django.utils.text import slugify

from stayhere.directory import bulkrows, schedule
from stayhere.directory.feeds import removals
from stayhere.directory.feeds.common import ListingRecord, ParseResult
from stayhere.directory.feeds.meeting_guide import split_day_slug
from stayhere.directory.feeds.resolve import INACTIVE_REASON
from stayhere.directory.models import Group, Location, Meeting, MeetingSlot, type_index_of
from stayhere.directory.slots import SLOT_COLUMNS, slot_rows, slot_tuples
from stayhere.directory.types import GROUP_ASSERTED, HARM_REDUCTION, MOUD_WELCOME

# What Django's slug path converter takes (the meeting pages' URLs), within the column.
_KEPT_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
ID_BATCH = 900  # stays under every database's limit of query parameters

Progress = Callable[[int, int], None]

_MEETING_FIELDS = (
    "name", "fellowship", "group", "location", "day_mask", "start_time", "end_time", "timezone",
    "attendance", "inactive_reason", "regions", "conference_url", "conference_url_notes", "conference_phone",
    "conference_phone_notes", "notes", "types", "type_index", "venmo", "square", "paypal", "homegroup_online",
    "url", "feedback_url", "email", "phone",
)  # fmt: skip
_LOCATION_FIELDS = ("approximate", "notes")
# What a re-import compares to decide whether a meeting changed (its location is compared apart).
_SNAPSHOT = tuple("group_id" if name == "group" else name for name in _MEETING_FIELDS if name != "location")
_LOCATION_INSERT = tuple(f.name for f in Location._meta.concrete_fields if not f.primary_key)
_GROUP_INSERT = tuple(f.name for f in Group._meta.concrete_fields if not f.primary_key)
_GROUP_FIELDS = ("notes", "email", "phone", "website", "contacts", "moud_welcome", "harm_reduction")


@dataclass
class ChangeSet:
    """What a write changed, row by row, for the listings' history (``stayhere.directory.changes``): the rows
    made, the rows changed with their values before (``_SNAPSHOT``'s names, and ``location_id``), the rows removed.
    It holds the rows the write holds anyway; a re-import that changes little makes it small."""

    created_meetings: list[tuple[int, str]] = field(default_factory=list)  # (id, name)
    changed_meetings: list[tuple[Meeting, dict[str, Any]]] = field(default_factory=list)
    removed_meetings: list[Meeting] = field(default_factory=list)
    created_groups: list[Group] = field(default_factory=list)
    changed_groups: list[tuple[Group, dict[str, Any]]] = field(default_factory=list)
    created_locations: list[Location] = field(default_factory=list)
    changed_locations: list[tuple[Location, dict[str, Any]]] = field(default_factory=list)
    removed_locations: list[Location] = field(default_factory=list)  # no meeting used them any more


@dataclass
class Counts:
    """What a write did to the source's meetings."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    held: int = 0  # meetings the source no longer lists, kept (stayhere.directory.feeds.removals)
    held_because: str = ""


def _batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SourceWriter:
    def __init__(
        self, key: str, progress: Progress | None, *, shrink_limit: int = 100, allow_shrink: bool = False
    ) -> None:
        self.key = key
        self.shrink_limit, self.allow_shrink = shrink_limit, allow_shrink
        self.counts = Counts()
        self.progress = progress
        self.now = django_timezone.now()
        self.key_hash = hashlib.sha256(key.encode()).hexdigest()[:6]
        self.change_set = ChangeSet()

    def write(self, parsed: ParseResult) -> Counts:
        existing = {m.source_slug: m for m in Meeting.objects.filter(source=self.key)}
        old_location_ids = {m.location_id for m in existing.values() if m.location_id is not None}
        locations = self._locations(existing)
        groups = self._groups(parsed.records, existing)
        taken = set(Meeting.objects.values_list("slug", flat=True))

        # New meetings are written as rows straight from their records (no model instances:
        # at 200,000 meetings building them cost more than SQLite's inserts).
        new: list[tuple[ListingRecord, Group | None, Location | None, str]] = []
        changed: list[Meeting] = []
        # A new location has no id until it is saved; meetings take it afterwards.
        placed: list[tuple[Meeting, Location]] = []
        total = len(parsed.records)
        for done, record in enumerate(parsed.records, start=1):
            location = self._location_for(record, locations)
            group = groups.get(record.group_name) if record.group_name else None
            meeting = existing.get(record.slug)
            if meeting is None:
                new.append((record, group, location, self._slug(record, taken)))
            else:
                before = _snapshot(meeting)
                moved = (location.pk if location is not None else None) != meeting.location_id or (
                    location is not None and location.pk is None
                )
                _apply(meeting, record, group)
                if moved or _snapshot(meeting) != before:
                    meeting.updated = record.updated or self.now
                    changed.append(meeting)
                    self.change_set.changed_meetings.append(
                        (meeting, {**dict(zip(_SNAPSHOT, before, strict=True)), "location_id": meeting.location_id})
                    )
                else:
                    self.counts.unchanged += 1
                if location is not None:
                    placed.append((meeting, location))
                elif meeting.location_id is not None:
                    meeting.location = None
            if self.progress is not None and (done % 1000 == 0 or done == total):
                self.progress(done, total)

        self.save_locations()
        for meeting, location in placed:
            meeting.location = location
        new_rows = _NewRows(self.key, self.now)
        slot_rows_of_new: Iterable[tuple[Any, ...]] = ()
        if new and bulkrows.drawing_ids():
            # PostgreSQL: the ids drawn from the sequence first (as the COPY would draw them, in the same order), so
            # the rows are made while the database writes them (a generator fed to COPY) and no query reads the ids
            # back. The slot rows likewise, while the database indexes them.
            new_ids = bulkrows.new_ids(Meeting, len(new))
            bulkrows.insert_tuples(
                Meeting,
                ("id", *_NEW_COLUMNS),
                ((new_id, *new_rows.row(*entry)) for new_id, entry in zip(new_ids, new, strict=True)),
            )
            self.change_set.created_meetings = [
                (new_id, entry[0].name) for new_id, entry in zip(new_ids, new, strict=True)
            ]
            slot_rows_of_new = (
                row
                for new_id, (record, _group, location, _slug) in zip(new_ids, new, strict=True)
                for row in new_rows.slots(new_id, record, location)
            )
        elif new:
            bulkrows.insert_tuples(Meeting, _NEW_COLUMNS, [new_rows.row(*entry) for entry in new])
            # One query for the new ids beats RETURNING row by row; (source, source_slug) is unique.
            ids = dict(Meeting.objects.filter(source=self.key).values_list("source_slug", "pk"))
            self.change_set.created_meetings = [(ids[r.slug], r.name) for r, _group, _location, _slug in new]
            slot_rows_of_new = [
                row
                for record, _group, location, _slug in new
                for row in new_rows.slots(ids[record.slug], record, location)
            ]
        bulkrows.update(Meeting, changed, [*_MEETING_FIELDS, "updated"])
        self.counts.created, self.counts.updated = len(new), len(changed)
        self._rebuild_slots(slot_rows_of_new, changed)

        keep = {record.slug for record in parsed.records} | parsed.failed_slugs
        gone = [m.pk for slug, m in existing.items() if slug not in keep and m.name not in parsed.failed_names]
        self.counts.held_because = removals.held_back(
            len(gone),
            len(existing),
            parsed.unidentified,
            limit=self.shrink_limit,
            allow_shrink=self.allow_shrink,
            key=self.key,
        )
        if self.counts.held_because:
            self.counts.held, gone = len(gone), []
        for batch in _batches(gone, ID_BATCH):
            MeetingSlot.objects.filter(meeting_id__in=batch).delete()
            Meeting.objects.filter(pk__in=batch).delete()
        self.counts.removed = len(gone)
        gone_ids = set(gone)
        self.change_set.removed_meetings = [meeting for meeting in existing.values() if meeting.pk in gone_ids]
        # Locations this source no longer uses; the query still checks that no other meeting does.
        used = {location.pk for _meeting, location in placed}
        used.update(location.pk for _record, _group, location, _slug in new if location is not None)
        unused = list(old_location_ids - used)
        for batch in _batches(unused, ID_BATCH):
            # Read before deleting, for the history (usually few: a source's places rarely go).
            found = list(Location.objects.filter(pk__in=batch, meetings__isnull=True))
            Location.objects.filter(pk__in=[location.pk for location in found], meetings__isnull=True).delete()
            self.change_set.removed_locations.extend(found)
        return self.counts

    # Slugs -------------------------------------------------------------------------------------

    def _slug(self, record: ListingRecord, taken: set[str]) -> str:
        """The source's own slug as given (case and length kept: it is its meetings' identity for every app, link and
        favourite) when it is one a URL holds as it is; else its slugified form. Taken already: a suffix."""
        if _KEPT_SLUG.match(record.slug) and split_day_slug(record.slug) is None:
            base = record.slug
        else:
            base = slugify(record.slug)[:150] or slugify(record.name)[:150] or "meeting"
        if base not in taken:
            taken.add(base)
            return base
        stem = base[:150]  # room for the suffix within the column
        candidate, number = f"{stem}-{self.key_hash}", 2
        while candidate in taken:
            candidate, number = f"{stem}-{self.key_hash}-{number}", number + 1
        taken.add(candidate)
        return candidate

    # Locations ---------------------------------------------------------------------------------

    def _locations(self, existing: dict[str, Meeting]) -> dict[LocationKey, Location]:
        ids = list({m.location_id for m in existing.values() if m.location_id is not None})
        found: dict[LocationKey, Location] = {}
        for batch in _batches(ids, ID_BATCH):
            for location in Location.objects.filter(pk__in=batch):
                found.setdefault(_location_key_of(location), location)
        self._new_locations: list[Location] = []
        self._changed_locations: dict[int, Location] = {}
        return found

    def _location_for(self, record: ListingRecord, found: dict[LocationKey, Location]) -> Location | None:
        if record.attendance in ("online", "phone"):
            return None
        if not (record.address or record.city or record.location_name or record.latitude is not None):
            return None
        key = _location_key(record)
        location = found.get(key)
        values = {"approximate": bool(record.approximate), "notes": record.location_notes}
        if location is None:
            location = Location(
                name=record.location_name,
                address=record.address,
                city=record.city,
                state=record.state,
                postal_code=record.postal_code,
                country=record.country,
                latitude=record.latitude,
                longitude=record.longitude,
                **values,
            )
            found[key] = location
            self._new_locations.append(location)
        elif location.pk is not None and location.pk not in self._changed_locations:
            if any(getattr(location, name) != value for name, value in values.items()):
                before = {name: getattr(location, name) for name in values}
                self.change_set.changed_locations.append((location, before))
                for name, value in values.items():
                    setattr(location, name, value)
                self._changed_locations[location.pk] = location
        return location

    # Groups ------------------------------------------------------------------------------------

    def _groups(self, records: list[ListingRecord], existing: dict[str, Meeting]) -> dict[str, Group]:
        ids = list({m.group_id for m in existing.values() if m.group_id is not None})
        groups: dict[str, Group] = {}
        for batch in _batches(ids, ID_BATCH):
            for group in Group.objects.filter(pk__in=batch):
                groups.setdefault(group.name, group)
        wanted: dict[str, dict[str, Any]] = {}
        for record in records:
            if not record.group_name:
                continue
            values = wanted.setdefault(
                record.group_name,
                {"notes": "", "email": "", "phone": "", "website": "", "contacts": [], "codes": set()},
            )
            for name, value in (
                ("notes", record.group_notes),
                ("email", record.group_email),
                ("phone", record.group_phone),
                ("website", record.group_website),
            ):
                values[name] = values[name] or value
            for entry in record.contacts:
                if entry not in values["contacts"]:
                    values["contacts"].append(entry)
            values["codes"].update(record.group_codes)
        taken = set(Group.objects.values_list("slug", flat=True))
        new: list[Group] = []
        changed: list[Group] = []
        for name, values in wanted.items():
            codes = values.pop("codes")
            found = groups.get(name)
            if found is None:
                group = Group(name=name, slug=self._group_slug(name, taken))
                new.append(group)
                groups[name] = group
            else:
                group = found
            before = [getattr(group, name) for name in _GROUP_FIELDS]
            for attribute, value in values.items():
                setattr(group, attribute, value)
            if codes:
                group.moud_welcome = MOUD_WELCOME in codes
                group.harm_reduction = HARM_REDUCTION in codes
            if found is not None and [getattr(group, name) for name in _GROUP_FIELDS] != before:
                changed.append(group)
                self.change_set.changed_groups.append((group, dict(zip(_GROUP_FIELDS, before, strict=True))))
        bulkrows.insert(Group, new, _GROUP_INSERT, ids=True)
        self.change_set.created_groups = new
        bulkrows.update(Group, changed, _GROUP_FIELDS)
        return groups

    def _group_slug(self, name: str, taken: set[str]) -> str:
        base = slugify(name)[:100] or "group"
        candidate = base if base not in taken else f"{base}-{self.key_hash}"
        number = 2
        while candidate in taken:
            candidate, number = f"{base}-{self.key_hash}-{number}", number + 1
        taken.add(candidate)
        return candidate

    # Slots -------------------------------------------------------------------------------------

    def _rebuild_slots(self, rows: Iterable[tuple[Any, ...]], changed: list[Meeting]) -> None:
        """Writes the new meetings' slot rows and replaces the changed meetings' slots."""
        for batch in _batches([m.pk for m in changed], ID_BATCH):
            MeetingSlot.objects.filter(meeting_id__in=batch).delete()
        changed_rows = (row for meeting in changed for row in slot_rows(meeting))
        bulkrows.insert_tuples(MeetingSlot, SLOT_COLUMNS, itertools.chain(rows, changed_rows))

    def save_locations(self) -> None:
        bulkrows.insert(Location, self._new_locations, _LOCATION_INSERT, ids=True)
        self.change_set.created_locations = self._new_locations
        bulkrows.update(Location, list(self._changed_locations.values()), _LOCATION_FIELDS)


# A location row is shared by the meetings of a source that give the same address and the same
# position; a pin moved by the source makes a new row (the old one is removed once unused).
LocationKey = tuple[str, str, str, str, str, str, float | None, float | None]


# The columns of a new meeting's row, in the order _NewRows.row writes them; every other column
# is empty (service body, inactive_until).
_NEW_COLUMNS = (
    "source", "source_slug", "slug", "name", "fellowship", "group", "location", "day_mask", "start_time",
    "end_time", "timezone", "attendance", "inactive_reason", "regions", "conference_url", "conference_url_notes",
    "conference_phone", "conference_phone_notes", "notes", "types", "type_index", "venmo", "square", "paypal",
    "homegroup_online", "url", "feedback_url", "updated", "has_room", "email", "phone",
)  # fmt: skip
_DEFAULT_FELLOWSHIP = Meeting._meta.get_field("fellowship").get_default()


class _NewRows:
    """A new meeting as a row of database values, from its record: what _apply and a save would store."""

    def __init__(self, key: str, now: Any) -> None:
        self.key = key
        ops = connection.ops
        self.adapt_time = ops.adapt_timefield_value
        self.adapt_datetime = ops.adapt_datetimefield_value
        self.now = self.adapt_datetime(now)
        self._updated: dict[Any, Any] = {}  # feeds repeat the same few timestamps

    def row(self, record: ListingRecord, group: Group | None, location: Location | None, slug: str) -> tuple[Any, ...]:
        types = _own_types(record)
        updated = record.updated
        if updated is None:
            stored = self.now
        else:
            stored = self._updated.get(updated)
            if stored is None:
                stored = self._updated[updated] = self.adapt_datetime(updated)
        return (
            self.key,
            record.slug,
            slug,
            record.name,
            record.fellowship or _DEFAULT_FELLOWSHIP,
            group.pk if group is not None else None,
            location.pk if location is not None else None,
            schedule.days_to_mask(record.days),
            self.adapt_time(record.start_time) if record.start_time is not None else None,
            self.adapt_time(record.end_time) if record.end_time is not None else None,
            record.timezone,
            record.attendance,
            INACTIVE_REASON if record.attendance == "inactive" else "",
            orjson.dumps(record.regions).decode(),
            record.conference_url,
            record.conference_url_notes,
            record.conference_phone,
            record.conference_phone_notes,
            record.notes,
            orjson.dumps(types).decode(),
            type_index_of(types),
            record.venmo,
            record.square,
            record.paypal,
            record.homegroup_online,
            record.url,
            record.feedback_url,
            stored,
            False,  # has_room: an imported listing names no room here
            *_own_contact(record),
        )

    @staticmethod
    def slots(meeting_id: int, record: ListingRecord, location: Location | None) -> list[tuple[Any, ...]]:
        return slot_tuples(
            meeting_id,
            schedule.days_to_mask(record.days),
            record.start_time,
            record.timezone,
            record.attendance,
            record.fellowship or _DEFAULT_FELLOWSHIP,
            location.latitude if location is not None else None,
            location.longitude if location is not None else None,
            type_index_of(_own_types(record)),
        )


def _own_types(record: ListingRecord) -> list[str]:
    """The record's codes as a meeting keeps them (``Meeting.set_types``): once each, none a group asserts."""
    return [code for code in dict.fromkeys(record.types) if code and code not in GROUP_ASSERTED]


def _location_key(record: ListingRecord) -> LocationKey:
    return (
        record.location_name,
        record.address,
        record.city,
        record.state,
        record.postal_code,
        record.country,
        record.latitude,
        record.longitude,
    )


def _location_key_of(location: Location) -> LocationKey:
    return (
        location.name,
        location.address,
        location.city,
        location.state,
        location.postal_code,
        location.country,
        location.latitude,
        location.longitude,
    )


def _apply(meeting: Meeting, record: ListingRecord, group: Group | None) -> None:
    meeting.name = record.name
    if record.fellowship:
        meeting.fellowship = record.fellowship
    meeting.group = group
    meeting.day_mask = schedule.days_to_mask(record.days)
    meeting.start_time = record.start_time
    meeting.end_time = record.end_time
    meeting.timezone = record.timezone
    meeting.attendance = record.attendance
    meeting.inactive_reason = (meeting.inactive_reason or INACTIVE_REASON) if record.attendance == "inactive" else ""
    meeting.regions = record.regions
    meeting.conference_url = record.conference_url
    meeting.conference_url_notes = record.conference_url_notes
    meeting.conference_phone = record.conference_phone
    meeting.conference_phone_notes = record.conference_phone_notes
    meeting.notes = record.notes
    meeting.set_types(record.types)
    meeting.venmo, meeting.square, meeting.paypal = record.venmo, record.square, record.paypal
    meeting.homegroup_online = record.homegroup_online
    meeting.url = record.url
    meeting.feedback_url = record.feedback_url
    meeting.email, meeting.phone = _own_contact(record)


def _own_contact(record: ListingRecord) -> tuple[str, str]:
    """A feed's email and phone are its group's; a meeting that names no group keeps them itself."""
    return ("", "") if record.group_name else (record.group_email, record.group_phone)


def _snapshot(meeting: Meeting) -> tuple[Any, ...]:
    return tuple(getattr(meeting, name) for name in _SNAPSHOT)
