"""The directory: service bodies, groups, locations and meetings. Public listings only.

Nothing here records who attends or what is said; see docs/SECURITY.md and the canary tests.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from stayhere.directory import schedule
from stayhere.directory.feeds import handles
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.types import GROUP_ASSERTED, HARM_REDUCTION, MOUD_WELCOME, Facet, describe

# Grid cells for the "near" search: 0.25 degrees of latitude (about 28 km) by 0.25 degrees of
# longitude. A query looks up the handful of cells its radius touches through one index.
CELL_DEGREES = 0.25
CELL_COLUMNS = int(360 / CELL_DEGREES)


def cell_of(latitude: float, longitude: float) -> int:
    row = math.floor((latitude + 90.0) / CELL_DEGREES)
    column = math.floor(((longitude + 180.0) % 360.0) / CELL_DEGREES)
    return row * CELL_COLUMNS + column


class ServiceBody(models.Model):
    class Kind(models.TextChoices):
        ZONE = "zone", _("Zone")
        REGION = "region", _("Region")
        AREA = "area", _("Area")
        INTERGROUP = "intergroup", _("Intergroup / central office")
        DISTRICT = "district", _("District")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INTERGROUP)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True, help_text=_("A public service email, never a person's."))
    phone = models.CharField(max_length=40, blank=True)
    location_description = models.CharField(max_length=200, blank=True)
    world_id = models.CharField(max_length=40, blank=True, help_text=_("World Service id, where one exists."))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[ServiceBody]:
        chain: list[ServiceBody] = []
        node = self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class Group(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    service_body = models.ForeignKey(ServiceBody, null=True, blank=True, on_delete=models.SET_NULL)
    notes = models.TextField(blank=True)
    statement = models.TextField(
        blank=True, help_text=_("The group's own statement, shown on its meetings' pages (e.g. a welcome).")
    )
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # [{"name": "Sam", "email": "...", "phone": "..."}]; first names only.
    contacts = models.JSONField(default=list, blank=True)
    contacts_public = models.BooleanField(
        default=False, help_text=_("Show the contacts on the meeting pages and in the feed.")
    )
    # Asserted by the group itself, never by a service office or an import of someone else's list.
    moud_welcome = models.BooleanField(_("medication for opioid use disorder welcome"), default=False)
    harm_reduction = models.BooleanField(_("harm-reduction friendly"), default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def asserted_codes(self) -> list[str]:
        codes = []
        if self.moud_welcome:
            codes.append(MOUD_WELCOME)
        if self.harm_reduction:
            codes.append(HARM_REDUCTION)
        return codes


class Location(models.Model):
    name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=30, blank=True)
    country = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    approximate = models.BooleanField(default=False, help_text=_("The address names an area, not a door."))
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["city", "name"]

    def __str__(self) -> str:
        return self.name or self.address or self.city or "?"

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def formatted_address(self) -> str:
        parts = [self.address, self.city, " ".join(p for p in (self.state, self.postal_code) if p), self.country]
        return ", ".join(part for part in parts if part)

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("Latitude is between -90 and 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("Longitude is between -180 and 180.")})


class Attendance(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid (in person and online)")
    PHONE = "phone", _("Phone only")
    INACTIVE = "inactive", _("Temporarily inactive")


LOCATED_ATTENDANCE = (Attendance.IN_PERSON, Attendance.HYBRID)


class Meeting(models.Model):
    # Where the listing came from: "" for listings kept here, else the import source's key.
    source = models.CharField(max_length=300, blank=True)  # indexed by meeting_source (Meta)
    source_slug = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=200)
    fellowship = models.CharField(max_length=20, choices=Fellowship.choices, default=Fellowship.AA)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    service_body = models.ForeignKey(ServiceBody, null=True, blank=True, on_delete=models.SET_NULL)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")

    # Weekly schedule: bit n set for weekday n (0 = Sunday). No days = by appointment.
    day_mask = models.PositiveSmallIntegerField(default=0)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, help_text=_("IANA time zone, e.g. America/New_York."))

    attendance = models.CharField(max_length=12, choices=Attendance.choices, default=Attendance.IN_PERSON)
    inactive_reason = models.CharField(max_length=200, blank=True)
    inactive_until = models.DateField(null=True, blank=True)
    # Most general first: ["Illinois", "Chicago", "Wicker Park"]. For an online meeting, its affinity.
    regions = models.JSONField(default=list, blank=True)

    conference_url = models.URLField(max_length=500, blank=True)
    conference_url_notes = models.TextField(blank=True)
    conference_phone = models.CharField(max_length=120, blank=True)
    conference_phone_notes = models.TextField(blank=True)
    # A stayhere room is the venue (the room itself arrives with the rooms feature).
    has_room = models.BooleanField(default=False)

    notes = models.TextField(blank=True)
    # Meeting Guide type codes, in the feed's order, catalogue spelling; group-asserted codes excluded.
    types = models.JSONField(default=list, blank=True)
    # "|O|D|EN|": the same codes in a form every database can match with LIKE.
    type_index = models.CharField(max_length=600, blank=True, default="")

    # 7th-tradition handles: only real ones (stayhere.directory.feeds.handles), as finders build payment links.
    venmo = models.CharField(max_length=80, blank=True, validators=[handles.validate_venmo])
    square = models.CharField(max_length=80, blank=True, validators=[handles.validate_square])
    paypal = models.CharField(max_length=80, blank=True, validators=[handles.validate_paypal])
    homegroup_online = models.CharField(max_length=80, blank=True)
    # The meeting's own public contact, as a feed lists it for a meeting that names no group (a group's is the group's).
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    url = models.URLField(max_length=500, blank=True, help_text=_("The listing on the publisher's site."))
    feedback_url = models.CharField(max_length=500, blank=True)
    updated = models.DateTimeField(default=django_timezone.now)
    # When a trusted servant last confirmed the listing is still right (none: never).
    last_verified = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_slug"],
                condition=~models.Q(source=""),
                name="meeting_unique_source_slug",
            )
        ]
        # An old link (a source's own slug, or ours in another case) is found by index, not by a scan of every
        # meeting: a page that is not there must stay as cheap as one that is.
        indexes = [
            # A plain index (db_index=True made PostgreSQL keep a second, varchar_pattern_ops copy for LIKE, which
            # nothing asks and every imported row paid for).
            models.Index(fields=["source"], name="meeting_source"),
            models.Index(fields=["source_slug"], name="meeting_source_slug"),
            models.Index(Lower("slug"), name="meeting_slug_lower"),
        ]

    def __str__(self) -> str:
        return self.name

    # The schedule, as people read it.
    @property
    def days(self) -> list[int]:
        return schedule.mask_to_days(self.day_mask)

    @days.setter
    def days(self, values: list[int]) -> None:
        self.day_mask = schedule.days_to_mask(values)

    @property
    def duration_minutes(self) -> int | None:
        if self.start_time is None or self.end_time is None:
            return None
        minutes = schedule.minute_of_day(self.end_time) - schedule.minute_of_day(self.start_time)
        return minutes if minutes > 0 else minutes + schedule.MINUTES_PER_DAY  # crosses midnight

    @property
    def crosses_midnight(self) -> bool:
        return (
            self.start_time is not None
            and self.end_time is not None
            and schedule.minute_of_day(self.end_time) <= schedule.minute_of_day(self.start_time)
        )

    def next_start(self, after: dt.datetime, grace: dt.timedelta = dt.timedelta(0)) -> dt.datetime | None:
        if self.start_time is None or not self.day_mask:
            return None
        return schedule.next_start_on_days(self.days, self.start_time, self.timezone, after, grace)

    @property
    def feed_source(self) -> FeedSource | None:
        """The kept source the listing came from, if any (its name may be shown; its location, maybe a server path,
        is not)."""
        if not self.source:
            return None
        return FeedSource.objects.select_related("service_body").filter(key=self.source).first()

    # Types, as facets.
    def set_types(self, codes: list[str]) -> None:
        unique: list[str] = []
        for code in codes:
            if code and code not in unique and code not in GROUP_ASSERTED:
                unique.append(code)
        self.types = unique
        self.type_index = type_index_of(unique)

    def all_types(self) -> list[str]:
        """The meeting's codes plus what its group asserts."""
        codes = list(self.types)
        if self.group is not None:
            codes.extend(self.group.asserted_codes())
        return codes

    def facets(self) -> dict[Facet, list[str]]:
        grouped: dict[Facet, list[str]] = {}
        for code in self.all_types():
            grouped.setdefault(describe(code).facet, []).append(code)
        return grouped

    @property
    def is_open(self) -> bool | None:
        if "O" in self.types:
            return True
        if "C" in self.types:
            return False
        return None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            self.timezone = schedule.canonical_zone(self.timezone)
        except ValueError as exc:
            errors["timezone"] = str(exc)
        if self.day_mask and self.start_time is None:
            errors["start_time"] = _("A meeting held on set days needs a start time.")
        if self.attendance == Attendance.INACTIVE and not self.inactive_reason:
            errors["inactive_reason"] = _("Say why the meeting is inactive, e.g. 'venue closed for repairs'.")
        if self.attendance in (Attendance.ONLINE, Attendance.HYBRID) and not (
            self.conference_url or self.conference_phone or self.has_room
        ):
            errors["conference_url"] = _("An online meeting needs a conference link, a phone line or a room.")
        if errors:
            raise ValidationError(errors)


def type_index_of(codes: list[str]) -> str:
    """A meeting's ``type_index`` from its own codes (already cleaned: no repeats, none a group asserts)."""
    return "|" + "|".join(codes) + "|" if codes else ""


class MeetingSlot(models.Model):
    """One weekly occurrence of a meeting, kept for the finder's index and nothing else.

    Rebuilt from the meeting by ``stayhere.directory.slots``; never edited by hand.
    """

    # No foreign key constraint in the database: a slot is written only with its meeting (in the same transaction)
    # and removed with it (the importer deletes both; the ORM's cascade still runs), and at 200,000 meetings the
    # constraint's check of each of ~400,000 slot rows (and its lock on the meeting row) was a tenth of an import
    # on PostgreSQL. The index on meeting_id stays.
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="slots", db_constraint=False)
    start_mow = models.PositiveSmallIntegerField()  # local minute of week
    timezone = models.CharField(max_length=64)
    attendance = models.CharField(max_length=12)
    fellowship = models.CharField(max_length=20)
    cell = models.IntegerField(null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    # The meeting's type_index, so that the finder's type filters are answered from the slot (and its index) without
    # reading the meeting's row; written with the other columns (slots.slot_tuples) and rebuilt with them.
    type_index = models.CharField(max_length=600, blank=True, default="")

    class Meta:
        indexes = [
            # Place and time (cell, zone, minute of week) first, then every column a near-me-now search reads of a
            # slot: the ranking query is answered from the index alone, never the table (nor, but for the group's
            # two codes, the meeting).
            models.Index(
                fields=[
                    "cell",
                    "timezone",
                    "start_mow",
                    "latitude",
                    "longitude",
                    "attendance",
                    "fellowship",
                    "type_index",
                    "meeting",
                ],
                name="slot_cell_time_covering",
            ),
            models.Index(fields=["timezone", "start_mow"], name="slot_zone_time"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}@{self.start_mow}"


def _new_epoch() -> str:
    return secrets.token_hex(8)


class DirectoryState(models.Model):
    """One row: a version number that moves whenever any listing changes (see freshness.py).

    The epoch is drawn when the row is made, so a database made afresh never reuses the
    versions, and the cached feed files, of an earlier one.
    """

    epoch = models.CharField(max_length=16, default=_new_epoch)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"directory version {self.epoch}.{self.version}"


class FeedBlock(models.Model):
    """A block of meeting ids (id // feeds.pieces.BLOCK) and a counter that database triggers move whenever a
    row the feed reads for one of its meetings changes: the rendered feed keeps each block's piece until then
    (feeds/pieces.py). Written by the triggers only."""

    block = models.BigIntegerField(primary_key=True)
    stamp = models.BigIntegerField()

    def __str__(self) -> str:
        return f"feed block {self.block} at {self.stamp}"


def _check_schedule(value: str) -> None:
    from stayhere.directory.feeds import intervals

    try:
        intervals.minutes(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class FeedSource(models.Model):
    """A feed this directory keeps fresh: where it is, what it is, who owns it, how often it is read, how it went.

    Its ``key`` is what its meetings carry in ``Meeting.source``: chosen once (from the name) and kept when the
    source moves to another address or file, so a moved feed updates its meetings instead of copying them.
    Its status is what the last sync did (``stayhere sync-feeds``); nothing about any visitor is kept.
    """

    key = models.CharField(max_length=300, unique=True)
    name = models.CharField(max_length=200, unique=True, help_text=_("Shown on its meetings' pages."))
    location = models.CharField(max_length=1000, help_text=_("An http(s) URL, or a file path on this server."))
    format = models.CharField(
        max_length=20, blank=True, help_text=_("meeting-guide, csv or bmlt; empty: told from the content.")
    )
    service_body = models.ForeignKey(
        ServiceBody,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feed_sources",
        help_text=_("The service body that keeps this list: suggested changes to its meetings go to its reviewers."),
    )
    schedule = models.CharField(
        max_length=40, default="daily", validators=[_check_schedule], help_text=_("e.g. every 6 hours, daily, manual.")
    )
    timezone = models.CharField(max_length=64, blank=True, help_text=_("For meetings that give no zone."))
    fellowship = models.CharField(max_length=20, blank=True, help_text=_("For meetings whose feed does not say."))
    created_at = models.DateTimeField(default=django_timezone.now)

    # What the publisher last said about the feed, for a conditional request next time.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)

    # The status of the last sync.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_created = models.PositiveIntegerField(default=0)
    last_updated = models.PositiveIntegerField(default=0)
    last_removed = models.PositiveIntegerField(default=0)
    last_skipped = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_warning = models.TextField(blank=True)
    last_report = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def interval(self) -> dt.timedelta | None:
        from stayhere.directory.feeds import intervals

        try:
            minutes = intervals.minutes(self.schedule)
        except ValueError:
            return None
        return dt.timedelta(minutes=minutes) if minutes else None

    def is_due(self, now: dt.datetime) -> bool:
        interval = self.interval
        if interval is None:
            return False
        # A minute's slack: a timer firing on the hour finds an hourly source due, however long the last run took.
        return self.last_attempt_at is None or self.last_attempt_at + interval <= now + dt.timedelta(minutes=1)

    def failing_days(self, now: dt.datetime) -> float:
        if self.failing_since is None:
            return 0.0
        return (now - self.failing_since).total_seconds() / 86400

    def is_flagged(self, now: dt.datetime, days: int) -> bool:
        """Failing for ``days`` days or more (STAYHERE_SOURCE_FAILING_DAYS)."""
        return self.failing_since is not None and self.failing_days(now) >= days
