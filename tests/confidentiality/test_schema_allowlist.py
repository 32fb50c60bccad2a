"""Every table and column the database has, each with the reason it cannot hold attendance or speech.

A new model or field fails this test until someone adds it here with a reason: the place to stop and ask
whether it could record who came to a meeting or what was said there. (DESIGN.md: "The database has no table
that records who attended or what was said, and must never get one.")
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client

from tests.rooms.factories import make_room

LISTING = "a public meeting listing, as published in the feeds"
SETTING = "the group's own room or slip settings, chosen by its trusted servants"
KEY = "a hash of, or a key for, a secret link or signature; nothing about a person"
INDEX = "derived from the listing for search; rebuilt, never edited"
ID = "a row id"

# Django's own tables: operators' accounts and the admin's record of operators' edits to listings. No room,
# page or feed writes to them (the room page sets no session; see test_room_page).
DJANGO = {
    "admin.LogEntry",
    "auth.Permission",
    "auth.Group",
    "auth.User",
    "contenttypes.ContentType",
    "sessions.Session",
}

ALLOWED: dict[str, dict[str, str]] = {
    "directory.ServiceBody": dict.fromkeys(
        ["id", "name", "slug", "kind", "parent", "url", "email", "phone", "location_description", "world_id"], LISTING
    ),
    "directory.Group": {
        **dict.fromkeys(["id", "name", "slug", "service_body", "notes", "statement", "website"], LISTING),
        **dict.fromkeys(["email", "phone"], "the group's public contact, as the group lists it"),
        "contacts": "trusted servants' first names and contacts the group chose to list, public only by its choice",
        "contacts_public": LISTING,
        "moud_welcome": "asserted by the group itself",
        "harm_reduction": "asserted by the group itself",
    },
    "directory.Location": dict.fromkeys(
        [
            "id",
            "name",
            "address",
            "city",
            "state",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "approximate",
            "notes",
        ],
        LISTING,
    ),
    "directory.Meeting": dict.fromkeys(
        [
            "id",
            "source",
            "source_slug",
            "slug",
            "name",
            "fellowship",
            "group",
            "service_body",
            "location",
            "day_mask",
            "start_time",
            "end_time",
            "timezone",
            "attendance",
            "inactive_reason",
            "inactive_until",
            "regions",
            "conference_url",
            "conference_url_notes",
            "conference_phone",
            "conference_phone_notes",
            "has_room",
            "notes",
            "types",
            "type_index",
            "venmo",
            "square",
            "paypal",
            "homegroup_online",
            "url",
            "feedback_url",
            "updated",
        ],
        LISTING,
    ),
    "directory.MeetingSlot": dict.fromkeys(
        ["id", "meeting", "start_mow", "timezone", "attendance", "fellowship", "cell", "latitude", "longitude"], INDEX
    ),
    "directory.DirectoryState": {"id": ID, "epoch": INDEX, "version": INDEX},
    "rooms.RoomSettings": {
        **dict.fromkeys(
            [
                "id",
                "group",
                "format",
                "welcome_statement",
                "chat_policy",
                "allow_private",
                "passcode",
                "waiting_room",
                "share_seconds",
                "mode",
                "once",
            ],
            SETTING,
        ),
        "settings_key_hash": KEY,
        "chair_key_hash": KEY,
        "keys_rotated_at": "when the links were last rotated: a setting's date, not a meeting's",
    },
    "slips.SlipSettings": dict.fromkeys(["id", "group", "enabled", "minimum_minutes"], SETTING),
    "slips.SigningKey": {
        **dict.fromkeys(["id", "group", "key_id", "public_key", "private_key"], KEY),
        **dict.fromkeys(["created_at", "retired_at", "revoked_at"], "a key's validity, for verifying old slips"),
    },
}


def test_every_column_is_listed_with_a_reason_it_cannot_hold_attendance_or_speech() -> None:
    unlisted, gone = [], []
    present: set[str] = set()
    for model in apps.get_models():
        label = model._meta.label
        if label in DJANGO:
            continue
        allowed = ALLOWED.get(label)
        if allowed is None:
            unlisted.append(f"the model {label}")
            continue
        for field in model._meta.concrete_fields:
            present.add(f"{label}.{field.name}")
            if field.name not in allowed:
                unlisted.append(f"{label}.{field.name}")
    for label, fields in ALLOWED.items():
        gone += [f"{label}.{name}" for name in fields if f"{label}.{name}" not in present]
    assert unlisted == [], "add these to ALLOWED with a reason, or do not keep them: " + ", ".join(unlisted)
    assert gone == [], "these are no longer in the schema; remove them from ALLOWED: " + ", ".join(gone)


def test_only_django_s_own_tables_are_exempt() -> None:
    labels = {model._meta.label for model in apps.get_models()}
    assert DJANGO <= labels, "the exemption names a table that is not there"
    assert {label.split(".")[0] for label in DJANGO} == {"admin", "auth", "contenttypes", "sessions"}


@pytest.mark.django_db
def test_the_pages_a_member_uses_keep_no_session(client: Client) -> None:
    room = make_room()
    slug = room.meeting.slug
    for path in ("/", f"/meetings/{slug}", f"/meetings/{slug}/room", f"/meetings/{slug}/room/chair/{room.chair_key}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "sessionid" not in response.cookies, path
    assert Session.objects.count() == 0
