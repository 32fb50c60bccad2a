"""Secret links: keys shown once, stored as hashes, invalidated by rotation; the room_links command; the demo rooms."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.test import Client

from stayhere.directory.models import Attendance, Group
from stayhere.rooms.web import keys
from stayhere.rooms.web.demo import setup_demo_rooms
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.setup import chair_key_matches
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room


def test_a_new_key_is_long_random_and_url_safe() -> None:
    first, second = keys.new_key(), keys.new_key()
    assert first != second
    assert len(first) >= 32
    assert re.fullmatch(r"[A-Za-z0-9_-]+", first)


def test_a_key_matches_its_hash_and_nothing_else() -> None:
    key = keys.new_key()
    assert keys.key_matches(key, keys.hash_key(key))
    assert not keys.key_matches(keys.new_key(), keys.hash_key(key))
    assert not keys.key_matches(key, "")
    assert not keys.key_matches("", keys.hash_key(""))


@pytest.mark.django_db
def test_only_hashes_are_stored_never_the_keys() -> None:
    made = make_room()
    row = RoomSettings.objects.get(pk=made.settings.pk)
    stored = repr(model_to_dict(row)) + repr(list(RoomSettings.objects.values_list()))
    assert made.settings_key not in stored
    assert made.chair_key not in stored
    assert row.settings_key_hash == keys.hash_key(made.settings_key)
    assert row.chair_key_hash == keys.hash_key(made.chair_key)


@pytest.mark.django_db
def test_rotating_the_chair_key_invalidates_the_old_one() -> None:
    made = make_room()
    new = keys.rotate_chair_key(made.settings)
    assert not chair_key_matches(made.meeting.slug, made.chair_key)
    assert chair_key_matches(made.meeting.slug, new)


@pytest.mark.django_db
def test_rotating_the_settings_key_invalidates_the_old_one() -> None:
    made = make_room()
    new = keys.rotate_settings_key(made.settings)
    assert keys.settings_for_key(made.settings_key) is None
    found = keys.settings_for_key(new)
    assert found is not None and found.pk == made.settings.pk


@pytest.mark.django_db
def test_a_group_without_a_settings_link_opens_with_no_key() -> None:
    group = Group.objects.create(name="Keyless", slug="keyless")
    RoomSettings.objects.create(group=group)
    assert keys.settings_for_key("") is None
    assert keys.settings_for_key("x" * 32) is None


@pytest.mark.django_db
def test_room_links_refuses_an_unknown_group_with_a_sentence() -> None:
    with pytest.raises(CommandError, match="no group with the slug 'nobody'"):
        call_command("room_links", "nobody")


@pytest.mark.django_db
def test_room_links_sets_the_room_up_and_prints_links_that_work() -> None:
    group = Group.objects.create(name="Linked", slug="linked")
    meeting = make_meeting("Linked Evening", attendance=Attendance.ONLINE, group=group, has_room=True)
    make_meeting("Linked Hall", group=group)  # in person: no chair link
    out = io.StringIO()
    call_command("room_links", "linked", "--base-url", "https://meetings.example.org/", stdout=out)
    text = out.getvalue()
    settings_url = re.search(r"https://meetings\.example\.org(/rooms/settings/\S+)", text)
    chair_urls = re.findall(r"https://meetings\.example\.org/meetings/(\S+)/room/chair/(\S+)", text)
    assert settings_url is not None
    assert chair_urls and [slug for slug, _key in chair_urls] == [meeting.slug]
    assert RoomSettings.objects.get(group=group).format  # the default format
    assert Client().get(settings_url.group(1)).status_code == 200
    assert chair_key_matches(meeting.slug, chair_urls[0][1])


@pytest.mark.django_db
def test_room_links_makes_the_previous_links_stop_working() -> None:
    made = make_room()
    call_command("room_links", made.settings.group.slug, stdout=io.StringIO())
    assert keys.settings_for_key(made.settings_key) is None
    assert not chair_key_matches(made.meeting.slug, made.chair_key)


@pytest.mark.django_db
def test_the_demo_gives_some_online_meetings_a_room_and_prints_working_links() -> None:
    out = io.StringIO()
    call_command("load_demo", meetings=120, seed=2, stdout=out)
    text = out.getvalue()
    rooms = RoomSettings.objects.select_related("group")
    assert rooms.count() >= 2
    try_alone = rooms.get(waiting_room=False, chat_policy="open")
    chair = re.search(r"/meetings/(\S+)/room/chair/(\S+)", text)
    settings_path = re.search(r"/rooms/settings/\S+", text)
    assert chair is not None and settings_path is not None
    assert chair_key_matches(chair.group(1), chair.group(2))
    assert try_alone.group.meetings.filter(slug=chair.group(1), has_room=True).exists()
    assert Client().get(settings_path.group(0)).status_code == 200


@pytest.mark.django_db
def test_the_demo_rooms_need_demo_meetings() -> None:
    assert setup_demo_rooms() is None
