"""Unlisted rooms: the room's public address lets nobody in; the members' link (128 random bits) does.

A listed room is public by design, as a meeting's published video link is; a group that keeps its room to
its own people makes it unlisted, and its address alone is then worth nothing to someone guessing.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client as PageClient
from django.urls import reverse

from stayhere.rooms.core.meeting import Join, Message, apply, hash_secret
from stayhere.rooms.core.state import open_room
from stayhere.rooms.web import keys
from tests.rooms.factories import make_room
from tests.rooms.roomkit import CHAIR_KEY, T0, config, run_async
from tests.rooms.test_consumer import Client, fresh_hub, fresh_rooms  # noqa: F401  (fixtures, used by name)
from tests.rooms.test_settings_page import stored, submit, url_of

LINK_KEY = "members-link-key-for-tests"


def unlisted_room() -> object:
    return open_room(config(link_key_hash=hash_secret(LINK_KEY)), T0)


def test_a_member_without_the_members_link_is_refused_and_nothing_changes() -> None:
    room = unlisted_room()
    for key in (None, "", "a-wrong-key-of-good-shape"):
        after, effects = apply(room, Join("s0000000002", "t", "b2", "Alex", link_key=key), T0)
        assert after is room
        assert [effect.code for effect in effects] == ["private"]  # type: ignore[union-attr]


def test_the_members_link_lets_a_member_in_and_a_chair_link_needs_none() -> None:
    room = unlisted_room()
    room, _ = apply(room, Join("s0000000001", "t", "b1", "Chair", chair_key=CHAIR_KEY), T0)
    assert room is not None and room.seats["s0000000001"].role == "chair"
    room, _ = apply(room, Join("s0000000002", "t", "b2", "Alex", link_key=LINK_KEY), T0)
    assert room is not None and "s0000000002" in room.seats
    room, _ = apply(room, Message("s0000000002", "chat", {"text": "hello"}), T0)
    assert room is not None


def test_a_listed_room_needs_no_link_key() -> None:
    room, _ = apply(open_room(config(), T0), Join("s0000000002", "t", "b2", "Alex"), T0)
    assert room is not None and "s0000000002" in room.seats


@pytest.mark.django_db
def test_an_unlisted_rooms_address_answers_exactly_as_no_room_does_and_its_link_opens_it() -> None:
    made = make_room(unlisted=True)
    nothing = make_room()
    nothing.meeting.has_room = False
    nothing.meeting.save(update_fields=["has_room"])
    link_key = keys.rotate_link_key(made.settings)
    pages = PageClient()
    hidden = pages.get(reverse("rooms:room", args=[made.meeting.slug]))
    absent = pages.get(reverse("rooms:room", args=[nothing.meeting.slug]))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.content == absent.content.replace(nothing.meeting.slug.encode(), made.meeting.slug.encode())
    opened = pages.get(reverse("rooms:room-link", args=[made.meeting.slug, link_key]))
    assert opened.status_code == 200 and f'data-link-key="{link_key}"'.encode() in opened.content
    wrong = pages.get(reverse("rooms:room-link", args=[made.meeting.slug, "x" * 32]))
    assert wrong.status_code == 404
    chair = pages.get(reverse("rooms:room-chair", args=[made.meeting.slug, made.chair_key]))
    assert chair.status_code == 200


@pytest.mark.django_db
def test_the_meeting_page_links_a_listed_room_and_not_an_unlisted_one() -> None:
    listed, unlisted = make_room(), make_room(unlisted=True)
    pages = PageClient()
    shown = pages.get(reverse("directory:meeting", args=[listed.meeting.slug])).content.decode()
    kept = pages.get(reverse("directory:meeting", args=[unlisted.meeting.slug])).content.decode()
    assert reverse("rooms:room", args=[listed.meeting.slug]) in shown
    assert reverse("rooms:room", args=[unlisted.meeting.slug]) not in kept
    assert "unlisted room" in kept


@pytest.mark.django_db
def test_making_a_room_unlisted_shows_its_members_link_once_and_rotating_replaces_it() -> None:
    made = make_room()
    pages = PageClient()
    settings_url = url_of(made)
    answer = submit(pages, settings_url, unlisted="on")
    assert answer.status_code == 200, answer.content.decode()[:2000]
    assert stored(made).format == made.settings.format, "the rest of the settings are as they were"
    first = _member_link(answer.content.decode())
    assert first and PageClient().get(first).status_code == 200
    again = pages.get(settings_url).content.decode()
    assert _member_link(again) is None, "a members' link is shown once, when drawn"
    rotated = pages.post(settings_url, {"action": "rotate-link"})
    second = _member_link(rotated.content.decode())
    assert second and second != first
    assert PageClient().get(first).status_code == 404, "the old members' link stopped working"
    assert PageClient().get(second).status_code == 200


@pytest.mark.django_db
def test_room_links_prints_the_members_links_of_an_unlisted_room() -> None:
    made = make_room(unlisted=True)
    out = io.StringIO()
    call_command("room_links", made.meeting.group.slug, stdout=out)
    printed = out.getvalue()
    member = re.search(r"members of .*: (http\S+|/\S+)", printed)
    assert member is not None, printed
    key = member.group(1).rstrip("/").rsplit("/", 1)[1]
    assert keys.key_matches(key, type(made.settings).objects.get(pk=made.settings.pk).link_key_hash)


@pytest.mark.django_db(transaction=True)
def test_over_the_socket_only_a_join_with_the_members_link_is_seated(fresh_hub: object) -> None:  # noqa: F811
    made = make_room(unlisted=True, waiting_room=False)
    link_key = keys.rotate_link_key(made.settings)

    async def scenario() -> None:
        chair, stranger, member = (Client(made.meeting.slug, f"c{n}") for n in range(3))
        for client in (chair, stranger, member):
            await client.open()
        await chair.join("Chair", chair_key=made.chair_key)  # opens the room outside its schedule
        await stranger.send(type="join", name="Guess")
        refused = await stranger.next("error")
        assert refused["code"] == "private" and "members' link" in refused["message"]
        assert (await member.join("Alex", link_key=link_key))["type"] == "welcome"

    run_async(scenario())


def _member_link(html: str) -> str | None:
    """The path of the members' link the settings page shows, if it shows one."""
    found = re.search(r'value="(https?://[^"]+/room/link/[^"]+)"', html)
    return urlsplit(found.group(1)).path if found else None
