"""The room page: who gets it, the browser-session cookie it sets, and what it hands to room.js."""

from __future__ import annotations

import logging
import re
from http.cookies import Morsel

import pytest
from django.test import Client

from stayhere.directory.models import Attendance, Meeting
from stayhere.rooms.web import keys
from stayhere.rooms.web.models import RoomSettings
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db


def room_meeting(slug: str = "night-owls-room") -> Meeting:
    online = Attendance.ONLINE
    return make_meeting("Night Owls", slug=slug, attendance=online, has_room=True, start="21:30", end="22:30")


def chair_key_for(meeting: Meeting) -> str:
    return make_room(meeting).chair_key


def make_room_key_rotated(meeting: Meeting) -> str:
    room = RoomSettings.objects.get(group=meeting.group)
    return keys.rotate_chair_key(room)


def seat_cookie(client: Client, path: str) -> Morsel[str] | None:
    response = client.get(path)
    assert response.status_code == 200
    return response.cookies.get("stayhere_seat")


def test_it_answers_404_for_a_meeting_that_does_not_exist(client: Client) -> None:
    assert client.get("/meetings/no-such-meeting/room").status_code == 404
    assert client.get("/meetings/no-such-meeting/room/chair/somekey").status_code == 404


def test_it_answers_404_for_a_meeting_without_a_room(client: Client) -> None:
    meeting = make_meeting("Daily Reprieve", slug="no-room-here", attendance=Attendance.ONLINE)
    assert client.get("/meetings/no-room-here/room").status_code == 404
    assert client.get("/meetings/no-room-here/room/chair/somekey").status_code == 404
    # Its group's room settings and a chair key do not open a room the listing does not have.
    key = make_room(meeting).chair_key
    assert client.get(f"/meetings/no-room-here/room/chair/{key}").status_code == 404


def test_it_shows_the_meetings_name_and_its_scheduled_time(client: Client) -> None:
    room_meeting()
    html = client.get("/meetings/night-owls-room/room").content.decode()
    assert '<h1 id="room-title">Night Owls</h1>' in html
    assert "21:30" in html and "22:30" in html and "America/Chicago" in html


def test_it_sets_a_browser_session_seat_cookie_that_scripts_cannot_read(client: Client) -> None:
    room_meeting()
    cookie = seat_cookie(client, "/meetings/night-owls-room/room")
    assert cookie is not None
    assert len(cookie.value) >= 24
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # gone when the browser closes


def test_each_browser_gets_its_own_seat_cookie(client: Client) -> None:
    room_meeting()
    first = seat_cookie(Client(), "/meetings/night-owls-room/room")
    second = seat_cookie(Client(), "/meetings/night-owls-room/room")
    assert first is not None and second is not None and first.value != second.value


def test_it_keeps_the_seat_cookie_a_browser_already_has(client: Client) -> None:
    room_meeting()
    client.cookies["stayhere_seat"] = "already-here-cookie-value"
    assert seat_cookie(client, "/meetings/night-owls-room/room") is None
    assert client.cookies["stayhere_seat"].value == "already-here-cookie-value"


def test_the_seat_cookie_is_secure_when_the_site_runs_on_https(client: Client, settings: object) -> None:
    room_meeting()
    settings.HTTPS = True  # type: ignore[attr-defined]
    cookie = seat_cookie(client, "/meetings/night-owls-room/room")
    assert cookie is not None and cookie["secure"] is True


def test_neither_page_is_stored_by_caches_or_sends_a_referrer(client: Client) -> None:
    meeting = room_meeting()
    for path in ("/meetings/night-owls-room/room", f"/meetings/night-owls-room/room/chair/{chair_key_for(meeting)}"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"


def test_it_hands_the_websocket_path_and_the_slug_to_the_script(client: Client) -> None:
    room_meeting()
    html = client.get("/meetings/night-owls-room/room").content.decode()
    assert 'data-ws-path="/ws/rooms/night-owls-room"' in html
    assert 'data-slug="night-owls-room"' in html


def test_only_the_chair_page_embeds_the_chair_key(client: Client) -> None:
    meeting = room_meeting()
    key = chair_key_for(meeting)
    member_html = client.get("/meetings/night-owls-room/room").content.decode()
    chair_html = client.get(f"/meetings/night-owls-room/room/chair/{key}").content.decode()
    assert "data-chair-key" not in member_html and key not in member_html
    assert f'data-chair-key="{key}"' in chair_html


def test_the_chair_page_answers_404_for_a_wrong_or_old_key(client: Client) -> None:
    meeting = room_meeting()
    key = chair_key_for(meeting)
    assert client.get("/meetings/night-owls-room/room/chair/" + key[::-1] + "x").status_code == 404
    assert client.get("/meetings/night-owls-room/room/chair/" + key[:-1]).status_code == 404
    assert client.get(f"/meetings/night-owls-room/room/chair/{key}").status_code == 200
    rotated = make_room_key_rotated(meeting)
    assert client.get(f"/meetings/night-owls-room/room/chair/{key}").status_code == 404
    assert client.get(f"/meetings/night-owls-room/room/chair/{rotated}").status_code == 200


def test_the_page_has_no_inline_script_or_style(client: Client) -> None:
    meeting = room_meeting()
    for path in ("/meetings/night-owls-room/room", f"/meetings/night-owls-room/room/chair/{chair_key_for(meeting)}"):
        html = client.get(path).content.decode()
        assert " style=" not in html and "<style" not in html
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert scripts, "the page loads its module"
        for attributes, body in scripts:
            # its modules, and the language's JavaScript catalog (stayhere.core.language), both from this site
            assert body.strip() == "" and ('src="/static/' in attributes or 'src="/jsi18n/' in attributes)
        assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"


def test_the_page_loads_nothing_from_another_origin(client: Client) -> None:
    room_meeting()
    html = client.get("/meetings/night-owls-room/room").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/") or url.startswith("#") or url == "data:,", url


def test_the_service_tools_are_a_template_the_page_does_not_render(client: Client) -> None:
    room_meeting()
    html = client.get("/meetings/night-owls-room/room").content.decode()
    before, _, after = html.partition('<template id="host-console">')
    assert "End meeting" not in before and "End meeting" in after.split("</template>")[0]


def test_a_post_to_the_room_page_is_refused(client: Client) -> None:
    room_meeting()
    assert client.post("/meetings/night-owls-room/room").status_code == 405


def test_the_chair_key_never_reaches_the_log(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    meeting = room_meeting()
    key = chair_key_for(meeting)
    caplog.set_level(logging.DEBUG)
    assert client.get(f"/meetings/night-owls-room/room/chair/{key}").status_code == 200
    assert client.get(f"/meetings/night-owls-room/room/chair/{key[:-1]}").status_code == 404
    assert caplog.records, "the access log wrote nothing: this test would see nothing"
    assert key[:-1] not in caplog.text
