"""The default readings are the group's own texts, read aloud to all its members: a new room, or a restored format,
gets them in the language the group's meetings are listed in (Meeting Guide's EN or S), else the page's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from stayhere.directory.models import Attendance, Group
from stayhere.rooms.web import keys
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import default_format_for, group_language
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db


def group_with(slug: str, *types: list[str]) -> Group:
    group = Group.objects.create(name=slug.title(), slug=slug)
    for number, codes in enumerate(types):
        make_meeting(
            f"{slug} {number}",
            slug=f"{slug}-{number}",
            group=group,
            types=codes,
            attendance=Attendance.ONLINE,
            has_room=True,
        )
    return group


def test_a_spanish_speaking_groups_new_room_has_the_default_readings_in_spanish() -> None:
    group = group_with("grupo-esperanza", ["S", "O"], ["S", "D"])
    keys.fresh_links(group, "")
    first = RoomSettings.objects.get(group=group).format[0]
    assert first["title"] == "Bienvenida" and str(first["text"]).startswith("Bienvenido, bienvenida.")


def test_a_group_that_names_no_language_or_both_gets_the_current_language() -> None:
    assert group_language(group_with("quiet-group", ["O"])) is None
    both = group_with("both-group", ["EN"], ["S"])
    assert group_language(both) is None
    with translation.override("es"):
        assert default_format_for(both)[0]["title"] == "Bienvenida"
    with translation.override("en"):
        assert default_format_for(both)[0]["title"] == "Welcome"


def test_restoring_the_default_format_on_an_english_page_keeps_a_spanish_groups_readings_spanish() -> None:
    group = group_with("grupo-serenidad", ["S"])
    made = make_room(
        group.meetings.first(),
        format=[{"kind": "reading", "title": "Nuestra", "text": "", "minutes": 0, "share_seconds": 0}],
    )
    url = reverse("rooms:settings", args=[made.settings_key])
    response = Client().post(url, {"action": "restore"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert RoomSettings.objects.get(group=group).format[0]["title"] == "Bienvenida"
