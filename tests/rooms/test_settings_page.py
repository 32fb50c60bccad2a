"""The secretary's room settings page: opened by its secret link, saves everything or nothing, edits the format
without JavaScript, rotates the links; and the meeting page's link to the room."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from stayhere.directory.models import Attendance
from stayhere.rooms.core.config import AUDIO_QUALITIES, RoomConfig
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import default_format
from stayhere.rooms.web.setup import chair_key_matches, load_room_config
from tests.directory.factories import make_meeting
from tests.rooms.factories import MadeRoom, make_room


class FormReader(HTMLParser):
    """The fields of the page's settings form, as a browser would submit them (before pressing a button)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.labels: set[str] = set()
        self.controls: list[tuple[str, str]] = []  # (id, type) of visible controls
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "settings-form" in a.get("class", ""):
            self.inside = True
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if not self.inside:
            return
        if tag == "input" and a.get("type") not in ("submit",):
            if a.get("type") != "hidden":
                self.controls.append((a.get("id", ""), a.get("type", "")))
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[a["name"]] = a.get("value") or "on"
            else:
                self.data[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
            self.controls.append((a.get("id", ""), "select"))
        elif tag == "option" and self.select is not None and "selected" in a:
            self.data[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[a["name"]] = ""
            self.controls.append((a.get("id", ""), "textarea"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.data[self.textarea] += data.removeprefix("\n") if not self.data[self.textarea] else data


def url_of(made: MadeRoom) -> str:
    return reverse("rooms:settings", args=[made.settings_key])


def read_form(client: Client, url: str) -> FormReader:
    response = client.get(url)
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader


def submit(client: Client, url: str, **changes: Any) -> Any:
    data = read_form(client, url).data
    for name, value in changes.items():
        name = name.replace("__", "-")
        if value is None:
            data.pop(name, None)
        else:
            data[name] = str(value)
    return client.post(url, {"action": "save", **data})


def stored(made: MadeRoom) -> RoomSettings:
    return RoomSettings.objects.get(pk=made.settings.pk)


def titles(made: MadeRoom) -> list[str]:
    return [str(segment["title"]) for segment in stored(made).format]


DEFAULT_TITLES = [str(segment["title"]) for segment in default_format()]


@pytest.mark.django_db
def test_an_unknown_settings_key_is_not_found() -> None:
    make_room()
    assert Client().get(reverse("rooms:settings", args=["not-a-real-key-at-all-1234"])).status_code == 404
    assert Client().post(reverse("rooms:settings", args=["not-a-real-key-at-all-1234"])).status_code == 404


@pytest.mark.django_db
def test_the_page_shows_the_group_and_labels_every_field() -> None:
    made = make_room()
    client = Client()
    response = client.get(url_of(made))
    assert made.settings.group.name in response.content.decode()
    assert response.headers["Cache-Control"].startswith("max-age=0")
    reader = read_form(client, url_of(made))
    assert reader.controls
    unlabelled = [control for control, kind in reader.controls if control not in reader.labels]
    assert unlabelled == []
    html = response.content.decode()
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


@pytest.mark.django_db
def test_saving_keeps_every_setting() -> None:
    made = make_room()
    client = Client()
    response = submit(
        client,
        url_of(made),
        passcode="246810",
        chat_policy="open",
        share_seconds="300",
        mode="round_robin",
        once="on",
        waiting_room=None,
        welcome_statement=None,
        allow_private="on",
    )
    assert response.status_code == 302
    assert "Saved." in client.get(response.headers["Location"]).content.decode()
    row = stored(made)
    assert (row.passcode, row.chat_policy, row.share_seconds, row.mode) == ("246810", "open", 300, "round_robin")
    assert (row.once, row.waiting_room, row.welcome_statement, row.allow_private) == (True, False, False, True)
    assert titles(made) == DEFAULT_TITLES
    assert row.format == default_format()  # the statement marker survives a round trip through the form


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("passcode", "12ab", "Use 4 to 10 digits"),
        ("passcode", "123", "Use 4 to 10 digits"),
        ("passcode", "12345678901", "Use 4 to 10 digits"),
        ("share_seconds", "30", "from 60 to 1200 seconds"),
        ("share_seconds", "5000", "from 60 to 1200 seconds"),
        ("share_seconds", "three", "from 60 to 1200 seconds"),
        ("open_floor_max", "1", "open floor as a whole number of people from 2 to 30"),
        ("open_floor_max", "31", "open floor as a whole number of people from 2 to 30"),
        ("open_floor_max", "twelve", "open floor as a whole number of people from 2 to 30"),
        ("open_floor_max", "", "open floor as a whole number of people from 2 to 30"),
        ("chat_policy", "everyone", "Choose one of the chat settings listed"),
        ("mode", "shout", "Choose one of the ways of sharing listed"),
        ("audio_quality", "hifi", "Choose standard or phone-like audio quality"),
        ("audio_quality", "", "Choose standard or phone-like audio quality"),
        ("seg__0__title", "", "Give the segment a title"),
        ("seg__1__kind", "dance", "Choose one of the kinds of segment listed"),
        ("seg__1__minutes", "-1", "whole number from 0 to 240"),
        ("seg__5__share_seconds", "30", "0 (the room&#x27;s) or 60 to 1200 seconds"),
        ("seg__2__text", "x" * 6001, "Keep the text under 6000 characters"),
    ],
)
def test_a_bad_value_gets_a_clear_message_and_nothing_is_saved(field: str, value: str, message: str) -> None:
    made = make_room(passcode="1111", chat_policy="off")
    before = stored(made)
    # A good change to another field in the same submission must not be saved either.
    other = {"welcome_statement": None} if field != "welcome_statement" else {"once": "on"}
    response = submit(Client(), url_of(made), **{field: value}, **other)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert message in html
    after = stored(made)
    assert after.format == before.format
    assert (after.passcode, after.chat_policy, after.welcome_statement) == ("1111", "off", True)


@pytest.mark.django_db
def test_the_open_floor_is_off_by_default_and_saved_with_its_limit_into_the_rooms_config() -> None:
    made = make_room()
    client = Client()
    form = read_form(client, url_of(made))
    assert "open_floor" not in form.data, "the open floor is off until the group turns it on"
    assert form.data["open_floor_max"] == "12"
    assert config_of(made).open_floor is False

    response = submit(client, url_of(made), open_floor="on", open_floor_max="8")
    assert response.status_code == 302
    row = stored(made)
    assert (row.open_floor, row.open_floor_max) == (True, 8)
    config = config_of(made)
    assert (config.open_floor, config.open_floor_max) == (True, 8)

    response = submit(client, url_of(made), open_floor="on", open_floor_max="40")
    assert response.status_code == 400
    assert "from 2 to 30" in response.content.decode()
    assert (stored(made).open_floor, stored(made).open_floor_max) == (True, 8)


@pytest.mark.django_db
def test_the_audio_quality_is_standard_by_default_and_phone_like_is_saved_into_the_rooms_config() -> None:
    assert tuple(RoomSettings.AudioQuality.values) == AUDIO_QUALITIES
    made = make_room()
    client = Client()
    assert read_form(client, url_of(made)).data["audio_quality"] == "standard"
    assert config_of(made).audio_quality == "standard"

    response = submit(client, url_of(made), audio_quality="phone")
    assert response.status_code == 302
    assert stored(made).audio_quality == "phone"
    assert config_of(made).audio_quality == "phone"
    assert read_form(client, url_of(made)).data["audio_quality"] == "phone"


def config_of(made: MadeRoom) -> RoomConfig:
    import time

    return load_room_config(made.meeting.slug, time.time())


@pytest.mark.django_db
def test_removing_every_segment_is_refused_with_a_message() -> None:
    made = make_room()
    removals = {f"seg__{index}__DELETE": "on" for index in range(len(DEFAULT_TITLES))}
    response = submit(Client(), url_of(made), **removals)
    assert response.status_code == 400
    assert "Keep at least one segment" in response.content.decode()
    assert titles(made) == DEFAULT_TITLES


@pytest.mark.django_db
def test_a_segment_moves_up_and_down() -> None:
    made = make_room()
    client = Client()
    submit(client, url_of(made), move="up:2")
    assert titles(made) == [DEFAULT_TITLES[0], DEFAULT_TITLES[2], DEFAULT_TITLES[1], *DEFAULT_TITLES[3:]]
    submit(client, url_of(made), move="down:0")
    assert titles(made)[:3] == [DEFAULT_TITLES[2], DEFAULT_TITLES[0], DEFAULT_TITLES[1]]


@pytest.mark.django_db
def test_moving_past_either_end_changes_nothing() -> None:
    made = make_room()
    client = Client()
    submit(client, url_of(made), move="up:0")
    submit(client, url_of(made), move=f"down:{len(DEFAULT_TITLES) - 1}")
    submit(client, url_of(made), move="sideways:3")
    assert titles(made) == DEFAULT_TITLES


@pytest.mark.django_db
def test_a_segment_is_removed() -> None:
    made = make_room()
    submit(Client(), url_of(made), seg__1__DELETE="on")
    assert titles(made) == DEFAULT_TITLES[:1] + DEFAULT_TITLES[2:]


@pytest.mark.django_db
def test_a_segment_is_added_at_the_end() -> None:
    made = make_room()
    extra = len(DEFAULT_TITLES)
    submit(
        Client(),
        url_of(made),
        **{
            f"seg__{extra}__kind": "speaker",
            f"seg__{extra}__title": "Our speaker",
            f"seg__{extra}__text": "Ten minutes of one member's story.",
            f"seg__{extra}__minutes": "20",
            f"seg__{extra}__share_seconds": "900",
        },
    )
    assert titles(made) == [*DEFAULT_TITLES, "Our speaker"]
    assert stored(made).format[-1] == {
        "kind": "speaker",
        "title": "Our speaker",
        "text": "Ten minutes of one member's story.",
        "minutes": 20,
        "share_seconds": 900,
    }


@pytest.mark.django_db
def test_an_untouched_blank_segment_is_not_added() -> None:
    made = make_room()
    submit(Client(), url_of(made))
    assert titles(made) == DEFAULT_TITLES


@pytest.mark.django_db
def test_the_default_format_is_restored() -> None:
    made = make_room(format=[{"kind": "reading", "title": "Ours", "text": "", "minutes": 0, "share_seconds": 0}])
    made.settings.passcode = "9876"
    made.settings.save()
    client = Client()
    response = client.post(url_of(made), {"action": "restore"})
    assert response.status_code == 302
    assert titles(made) == DEFAULT_TITLES
    assert stored(made).passcode == "9876"
    assert "The default format is back" in client.get(response.headers["Location"]).content.decode()


@pytest.mark.django_db
def test_rotating_the_chair_link_shows_the_new_links_once() -> None:
    made = make_room()
    second = make_meeting("Second Room", attendance=Attendance.ONLINE, group=made.settings.group, has_room=True)
    make_meeting("Hall Meeting", group=made.settings.group)
    client = Client()
    html = client.post(url_of(made), {"action": "rotate-chair"}).content.decode()
    links = re.findall(r"/meetings/([\w-]+)/room/chair/([\w-]+)", html)
    assert sorted(slug for slug, _key in links) == sorted([made.meeting.slug, second.slug])
    key = links[0][1]
    assert "The old chair link no longer works" in html
    assert chair_key_matches(second.slug, key)
    assert not chair_key_matches(made.meeting.slug, made.chair_key)
    again = client.get(url_of(made)).content.decode()
    assert key not in again
    assert "rotate to get a new chair link" in again


@pytest.mark.django_db
def test_rotating_the_settings_link_moves_the_page_to_the_new_link() -> None:
    made = make_room()
    client = Client()
    response = client.post(url_of(made), {"action": "rotate-settings"})
    assert response.status_code == 302
    new_url = response.headers["Location"]
    assert made.settings_key not in new_url
    page = client.get(new_url)
    assert page.status_code == 200
    assert "The old settings link no longer works" in page.content.decode()
    assert client.get(url_of(made)).status_code == 404
    assert "no longer works" not in client.get(new_url.split("?")[0]).content.decode()


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused() -> None:
    made = make_room(passcode="1111")
    response = Client(enforce_csrf_checks=True).post(url_of(made), {"action": "rotate-settings"})
    assert response.status_code == 403
    assert stored(made).settings_key_hash == made.settings.settings_key_hash


@pytest.mark.django_db
def test_the_meeting_page_links_to_its_room() -> None:
    made = make_room()
    html = Client().get(reverse("directory:meeting", args=[made.meeting.slug])).content.decode()
    assert f'href="{reverse("rooms:room", args=[made.meeting.slug])}"' in html
    assert "Join the meeting room" in html


@pytest.mark.django_db
def test_a_meeting_page_without_a_room_has_no_room_link() -> None:
    meeting = make_meeting("Hall Meeting")
    html = Client().get(reverse("directory:meeting", args=[meeting.slug])).content.decode()
    assert "Join the meeting room" not in html
