"""Every table and column the database has, each with the reason it cannot hold attendance or speech.

A new model or field fails this test until someone adds it to stayhere/core/disclosure.py with a reason: the
place to stop and ask whether it could record who came to a meeting or what was said there. (DESIGN.md: "The
database has no table that records who attended or what was said, and must never get one.")
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client

from stayhere.core.disclosure import ALLOWED, DJANGO
from tests.rooms.factories import make_room


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
