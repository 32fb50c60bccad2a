"""A meeting's listing as the servants' pages and suggestions edit it: plain values, checked as the importer
checks a feed's, compared field by field, and applied with a record in the history.

A listing's values are JSON-ready: days a list of weekday numbers (0 = Sunday), times "HH:MM" or "", a date
"YYYY-MM-DD" or "", types a list of codes; every other field a string.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stayhere.directory import schedule, slots
from stayhere.directory.feeds.codes import sort_codes
from stayhere.directory.models import Meeting
from stayhere.directory.presenting import ATTENDANCE_LABELS, day_name
from stayhere.directory.types import CATALOG
from stayhere.service import history
from stayhere.service.models import ListingChange

EDITABLE = (
    "name",
    "days",
    "start_time",
    "end_time",
    "timezone",
    "attendance",
    "inactive_reason",
    "inactive_until",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "notes",
    "types",
)

LABELS = {
    "name": gettext_lazy("Name"),
    "days": gettext_lazy("Days"),
    "start_time": gettext_lazy("Starts"),
    "end_time": gettext_lazy("Ends"),
    "timezone": gettext_lazy("Time zone"),
    "attendance": gettext_lazy("How to attend"),
    "inactive_reason": gettext_lazy("Why it is inactive"),
    "inactive_until": gettext_lazy("Inactive until"),
    "conference_url": gettext_lazy("Online meeting link"),
    "conference_url_notes": gettext_lazy("Notes on the online link"),
    "conference_phone": gettext_lazy("Phone line"),
    "conference_phone_notes": gettext_lazy("Notes on the phone line"),
    "notes": gettext_lazy("Notes"),
    "types": gettext_lazy("Meeting types"),
}

Values = dict[str, Any]
Diff = dict[str, tuple[Any, Any]]


class ListingInvalid(Exception):
    """The values cannot be a listing; ``errors`` maps each field (or "__all__") to sentences."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items()))
        self.errors = errors


def _hhmm(value: dt.time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


def values(meeting: Meeting) -> Values:
    """The meeting's editable fields, as plain values."""
    return {
        "name": meeting.name,
        "days": list(meeting.days),
        "start_time": _hhmm(meeting.start_time),
        "end_time": _hhmm(meeting.end_time),
        "timezone": meeting.timezone,
        "attendance": meeting.attendance,
        "inactive_reason": meeting.inactive_reason,
        "inactive_until": "" if meeting.inactive_until is None else meeting.inactive_until.isoformat(),
        "conference_url": meeting.conference_url,
        "conference_url_notes": meeting.conference_url_notes,
        "conference_phone": meeting.conference_phone,
        "conference_phone_notes": meeting.conference_phone_notes,
        "notes": meeting.notes,
        "types": list(meeting.types),
    }


def diff(before: Values, after: Values) -> Diff:
    """{field: (before, after)} for each editable field whose value differs, in the form's order."""
    return {
        name: (before.get(name), after[name]) for name in EDITABLE if name in after and before.get(name) != after[name]
    }


def check_types(codes: list[str]) -> list[str]:
    """The codes as the catalogue spells them, or ListingInvalid saying which cannot be set here and why."""
    sorted_codes = sort_codes(codes)
    problems = []
    if sorted_codes.online:
        problems.append(_("ONL is not a type here: choose Online or Hybrid under “How to attend” instead."))
    if sorted_codes.group_codes:
        problems.append(
            _("%(codes)s can only be said by the group itself, in the group's statement settings.")
            % {"codes": ", ".join(sorted_codes.group_codes)}
        )
    unknown = [code for code in sorted_codes.types if code not in CATALOG]
    if unknown:
        problems.append(
            _("%(codes)s: not a meeting type code; use codes such as O (open), C (closed), D (discussion).")
            % {"codes": ", ".join(unknown)}
        )
    if problems:
        raise ListingInvalid({"types": problems})
    return sorted_codes.types


def checked(meeting: Meeting, changes: Values) -> Meeting:
    """A copy of the meeting with the changes, validated as the model and the importer validate a listing (the
    meeting itself is not touched); ListingInvalid when the result is no valid listing."""
    return validated(Meeting.objects.get(pk=meeting.pk), changes)


def validated(copy: Meeting, changes: Values) -> Meeting:
    """``copy`` (a meeting not yet saved, or a copy of one) with the changes set, validated as ``checked`` says."""
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            errors.setdefault("__all__", []).append(_("%(name)s cannot be changed here.") % {"name": name})
        elif name == "days":
            copy.days = sorted({int(day) for day in value if 0 <= int(day) <= 6})
        elif name in ("start_time", "end_time"):
            setattr(copy, name, dt.time.fromisoformat(value) if value else None)
        elif name == "inactive_until":
            copy.inactive_until = dt.date.fromisoformat(value) if value else None
        elif name == "types":
            try:
                copy.set_types(check_types(list(value)))
            except ListingInvalid as invalid:
                errors.update(invalid.errors)
        else:
            setattr(copy, name, value)
    if copy.attendance != "inactive":
        copy.inactive_reason, copy.inactive_until = "", None
    try:
        copy.full_clean(exclude=["slug", "source", "source_slug"])
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            errors.setdefault(name, []).extend(str(message) for message in messages)
    try:
        schedule.canonical_zone(copy.timezone)
    except ValueError:
        errors.setdefault("timezone", []).append(
            _("“%(zone)s” is not a time zone name: use one such as America/New_York.") % {"zone": copy.timezone}
        )
    if errors:
        raise ListingInvalid(errors)
    return copy


def apply(meeting: Meeting, changes: Values, who: str, approved_by: str = "") -> ListingChange | None:
    """Writes the changes to the meeting (all of them or, when the result is invalid, none: ListingInvalid),
    rebuilds its finder slots and records the change in the history. None when nothing differed."""
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        changed = diff(values(current), changes)
        if not changed:
            return None
        updated = checked(current, {name: after for name, (_before, after) in changed.items()})
        updated.updated = timezone.now()
        updated.save()
        slots.rebuild([updated])
        # What is recorded is what was stored (a cleared inactive reason, a time zone's canonical spelling).
        via = history.Via.SUGGESTION if approved_by else history.Via.PAGE
        record = history.record(updated, who, history.snapshot(current), via=via, approved_by=approved_by)
    meeting.refresh_from_db()
    return record


def shown(name: str, value: Any) -> str:
    """A field's value as people read it, for diffs and the history."""
    if name == "days":
        return ", ".join(str(day_name(int(day))) for day in value) if value else _("by appointment")
    if name == "types":
        return ", ".join(value) if value else "—"
    if name == "attendance":
        return str(ATTENDANCE_LABELS.get(value, value))
    return str(value) if value not in ("", None) else "—"


def label(name: str) -> str:
    return str(LABELS.get(name, name))
