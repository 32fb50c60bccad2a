"""The slip pages through Django's test client: verify (with and without JavaScript), keys, in-person pages."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.test import Client

from stayhere.directory.models import Attendance
from stayhere.rooms.web import keys
from stayhere.rooms.web.models import RoomSettings
from stayhere.slips import inperson
from stayhere.slips.signing import commitment_of, issue_slip
from tests.slips.factories import NOW, make_slip_meeting

pytestmark = pytest.mark.django_db

NAME = "ViewCanaryQuokka Smith"
SALT = "000102030405060708090a0b"


def a_token() -> str:
    meeting, _key = make_slip_meeting()
    return str(issue_slip(meeting.slug, commitment_of(NAME, bytes(range(12))), 50, NOW)["token"])


def verdict_of(response) -> str:
    found = re.search(r'id="verdict-signature"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert found, "the page shows a verdict"
    return found.group(1)


def post_json(client: Client, path: str, data: object):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_the_verify_page_says_the_name_is_checked_in_the_page(client: Client) -> None:
    response = client.get("/verify")
    html = response.content.decode()
    assert response.status_code == 200 and "not sent to the server" in html
    assert "<style" not in html and " style=" not in html and not response.cookies


def test_the_check_endpoint_gives_the_verdict_without_any_name(client: Client) -> None:
    token = a_token()
    verdict = post_json(client, "/verify/check", {"token": token}).json()
    assert verdict["valid"] and verdict["code"] == "valid" and verdict["slip"]["minutes"] == 50
    broken = post_json(client, "/verify/check", {"token": token[:50]}).json()
    assert broken["code"] == "malformed" and not broken["valid"]
    assert post_json(client, "/verify/check", ["no"]).status_code == 400


def test_without_javascript_the_server_checks_the_name_only_when_asked(client: Client, caplog) -> None:
    token = a_token()
    with caplog.at_level(logging.DEBUG):
        asked = client.post("/verify", {"token": token, "name": NAME, "salt": SALT, "check_name": "on"})
        not_asked = client.post("/verify", {"token": token, "name": NAME, "salt": SALT})
        wrong = client.post("/verify", {"token": token, "name": "Someone Else", "salt": SALT, "check_name": "on"})
    assert "The name matches" in verdict_of(asked)
    assert "Valid" in verdict_of(not_asked) and "name" not in verdict_of(not_asked)
    assert "does not match" in verdict_of(wrong)
    assert "ViewCanaryQuokka" not in caplog.text and SALT not in caplog.text and token[:40] not in caplog.text


def test_an_uploaded_slip_file_is_verified(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("slip.json", json.dumps({"token": a_token()}).encode(), "application/json")
    assert "Valid" in verdict_of(client.post("/verify", {"file": upload}))


def test_the_key_list_shows_each_key_with_its_dates(client: Client) -> None:
    _meeting, key = make_slip_meeting()
    listed = client.get("/slips/keys.json").json()
    mine = next(entry for entry in listed["keys"] if entry["id"] == key.key_id)
    assert mine["public_key"] == key.public_key and mine["algorithm"] == "Ed25519" and mine["revoked"] is None
    assert key.key_id in client.get("/slips/keys").content.decode()
    assert "private" not in json.dumps(listed)


def test_the_meeting_page_publishes_the_groups_public_key(client: Client) -> None:
    meeting, key = make_slip_meeting()
    html = client.get(f"/meetings/{meeting.slug}").content.decode()
    assert key.public_key in html and "Attendance slips" in html


def chair_setup():
    meeting, key = make_slip_meeting(minimum=0, attendance=Attendance.IN_PERSON)
    room = RoomSettings.objects.create(group=meeting.group)
    return meeting, key, keys.rotate_chair_key(room)


def test_the_chair_page_needs_the_chair_link_key(client: Client) -> None:
    meeting, _key, chair_key = chair_setup()
    assert client.get(f"/slips/chair/{meeting.slug}/{chair_key}").status_code == 200
    assert client.get(f"/slips/chair/{meeting.slug}/{'x' * 32}").status_code == 404
    assert client.get(f"/slips/chair/{meeting.slug}/{'x' * 32}/code").status_code == 404


def test_the_chair_code_endpoint_says_when_the_meeting_is_not_on(client: Client) -> None:
    meeting, _key, chair_key = chair_setup()
    answer = client.get(f"/slips/chair/{meeting.slug}/{chair_key}/code")
    # Whether the meeting runs at the real time of the test is not fixed; either answer must be whole.
    body = answer.json()
    assert ("qr_svg" in body and answer.status_code == 200) or ("error" in body and answer.status_code == 409)


def test_the_scan_endpoint_refuses_damaged_and_replayed_scans_in_sentences(client: Client) -> None:
    meeting, key, _chair_key = chair_setup()
    path = f"/slips/scan/{meeting.slug}"
    assert "damaged" in post_json(client, path, {"minute": "12", "code": "x"}).json()["error"]
    assert "damaged" in post_json(client, path, {"minute": 12, "code": 5}).json()["error"]
    old = inperson.minute_of(NOW)
    replay = post_json(client, path, {"minute": old, "code": inperson.minute_code(key, meeting.slug, old)})
    assert replay.status_code == 409 and re.search(r"earlier minute|not being held", replay.json()["error"])


def test_the_attendee_page_carries_the_code_for_its_script(client: Client) -> None:
    meeting, _key, _chair_key = chair_setup()
    html = client.get(f"/slips/here/{meeting.slug}/123/abcDEF").content.decode()
    assert 'data-minute="123"' in html and 'data-code="abcDEF"' in html and "never sent" in html
