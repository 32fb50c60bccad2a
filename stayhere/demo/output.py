"""The demo world, out: into the database (bulk inserts plus the slot index) or as Meeting Guide JSON records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from stayhere.demo.world import DEMO_SOURCE, DemoMeeting, World, paused_gc
from stayhere.directory import bulkrows, freshness
from stayhere.directory.models import Group, Location, Meeting, MeetingSlot, ServiceBody
from stayhere.directory.slots import SLOT_COLUMNS, slot_rows

BATCH = 2000


def store(world: World) -> int:
    """Write the world to the database in one transaction; returns the number of meetings written."""
    with transaction.atomic():
        bodies: dict[str, ServiceBody] = {}
        # Parents before children: each level is one bulk insert, so children can point at saved rows.
        pending = list(world.bodies)
        while pending:
            level = [body for body in pending if body.parent is None or body.parent in bodies]
            if not level:
                raise ValueError("The demo service bodies name a parent that does not exist.")
            saved = ServiceBody.objects.bulk_create(
                ServiceBody(
                    name=body.name,
                    slug=body.slug,
                    kind=body.kind,
                    parent=bodies[body.parent] if body.parent else None,
                    url=body.url,
                    email=body.email,
                    location_description=body.location_description,
                )
                for body in level
            )
            bodies.update((row.slug, row) for row in saved)
            pending = [body for body in pending if body.slug not in bodies]

        groups = Group.objects.bulk_create(
            [
                Group(
                    name=g.name,
                    slug=g.slug,
                    service_body=bodies[g.service_body],
                    contacts=g.contacts,
                    contacts_public=g.contacts_public,
                    email=g.email,
                    moud_welcome=g.moud_welcome,
                    harm_reduction=g.harm_reduction,
                )
                for g in world.groups
            ],
            batch_size=BATCH,
        )

        venues = {id(venue): venue for meeting in world.meetings if (venue := meeting.venue) is not None}
        rows = Location.objects.bulk_create(
            [
                Location(
                    name=v.name,
                    address=v.address,
                    city=v.town.name,
                    state=v.town.region.state,
                    postal_code=v.postal_code,
                    country=v.town.region.country,
                    latitude=v.latitude,
                    longitude=v.longitude,
                    notes=v.notes,
                )
                for v in venues.values()
            ],
            batch_size=BATCH,
        )
        locations = dict(zip(venues, rows, strict=True))

        for start in range(0, len(world.meetings), BATCH):
            chunk = [
                _meeting_row(
                    m,
                    bodies[m.service_body],
                    groups[m.group.key],
                    locations[id(m.venue)] if m.venue is not None else None,
                )
                for m in world.meetings[start : start + BATCH]
            ]
            saved_meetings = Meeting.objects.bulk_create(chunk)
            bulkrows.insert_tuples(MeetingSlot, SLOT_COLUMNS, [row for m in saved_meetings for row in slot_rows(m)])
    freshness.changed()
    return len(world.meetings)


def _meeting_row(m: DemoMeeting, body: ServiceBody, group: Group, location: Location | None) -> Meeting:
    meeting = Meeting(
        source=DEMO_SOURCE,
        slug=m.slug,
        name=m.name,
        fellowship=m.fellowship,
        group=group,
        service_body=body,
        location=location,
        start_time=m.start,
        end_time=m.end,
        timezone=m.town.region.zone,
        attendance=m.attendance,
        inactive_reason=m.inactive_reason,
        inactive_until=m.inactive_until,
        regions=m.regions,
        conference_url=m.conference_url,
        conference_url_notes=m.conference_url_notes,
        conference_phone=m.conference_phone,
        conference_phone_notes=m.conference_phone_notes,
        notes=m.notes,
        updated=m.updated,
    )
    meeting.days = m.days
    meeting.set_types(m.types)
    return meeting


# TSML's attendance_option has no "phone only": a phone meeting is "online" with a phone line and no link.
_ATTENDANCE_OPTION = {
    "in_person": "in_person",
    "hybrid": "hybrid",
    "online": "online",
    "phone": "online",
    "inactive": "inactive",
}


def meeting_guide_records(world: World) -> list[dict[str, Any]]:
    """The world as a Meeting Guide JSON feed (a list of meeting records in the spec's shape)."""
    bodies = {body.slug: body for body in world.bodies}
    with paused_gc():
        return [
            _record(m, bodies[m.town.intergroup].name, bodies[m.town.intergroup].url, bodies[m.town.intergroup].email)
            for m in world.meetings
        ]


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _record(m: DemoMeeting, entity: str, entity_url: str, entity_email: str) -> dict[str, Any]:
    region = m.town.region
    # The group's own assertions travel in the feed; an importer decides whether to trust them.
    types = list(m.types)
    if m.group.moud_welcome:
        types.append("MOUD")
    if m.group.harm_reduction:
        types.append("HRED")
    record: dict[str, Any] = {
        "name": m.name,
        "slug": m.slug,
        "day": m.days[0] if len(m.days) == 1 else list(m.days),
        "time": _hhmm(m.start),
        "timezone": region.zone,
        "types": types,
        "group": m.group.name,
        "fellowship": m.fellowship,
        "attendance_option": _ATTENDANCE_OPTION[m.attendance],
        "regions": list(m.regions),
        "updated": m.updated.strftime("%Y-%m-%d %H:%M:%S"),
        "url": f"{entity_url}/meetings/{m.slug}",
        "entity": entity,
        "entity_url": entity_url,
        "entity_email": entity_email,
        "feedback_emails": [entity_email],
    }
    if m.end is not None:
        record["end_time"] = _hhmm(m.end)
    if m.venue is not None:
        record.update(
            location=m.venue.name,
            address=m.venue.address,
            city=m.town.name,
            state=region.state,
            postal_code=m.venue.postal_code,
            country=region.country,
            latitude=m.venue.latitude,
            longitude=m.venue.longitude,
            approximate="no",
        )
        if m.venue.notes:
            record["location_notes"] = m.venue.notes
    else:
        # No door to go to: the spec asks for an approximate place of origin, which also implies the zone.
        record.update(formatted_address=f"{m.town.name}, {region.state}, {region.country}", approximate="yes")
    for key in (
        "conference_url",
        "conference_url_notes",
        "conference_phone",
        "conference_phone_notes",
        "notes",
        "inactive_reason",
    ):
        if value := getattr(m, key):
            record[key] = value
    if m.inactive_until is not None:
        record["inactive_until"] = m.inactive_until.isoformat()
    for number, contact in enumerate(m.group.contacts if m.group.contacts_public else [], start=1):
        for part in ("name", "email", "phone"):
            record[f"contact_{number}_{part}"] = contact[part]
    return record
