"""The join form's name advice: names.py's note about a name, asked before joining (docs/protocol.md).

It answers as the room does, refuses what is not a name with a sentence, and keeps nothing: no log line that
holds the name, no cookie, nothing a cache may store.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from stayhere.rooms.core import names
from tests.directory.factories import make_meeting

URL = "/rooms/name-advice"


def ask(client: Client, body: Any, *, raw: bool = False, content_type: str = "application/json") -> tuple[int, Any]:
    data = body if raw else json.dumps(body)
    response = client.post(URL, data=data, content_type=content_type)
    return response.status_code, response.json()


def test_the_address_is_the_one_the_page_names() -> None:
    assert reverse("rooms:name-advice") == URL


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("sam@example.org", "email address"),
        ("Call 555 123 4567", "phone number"),
        ("Ana Lopez", "full name"),
        ("  Ana   Maria  Lopez ", "full name"),
    ],
)
def test_a_name_that_says_too_much_gets_the_rooms_own_note(client: Client, name: str, word: str) -> None:
    status, answer = ask(client, {"name": name})
    assert status == 200
    assert answer == {"advice": names.name_advice(names.clean_name(name))}
    assert word in answer["advice"]


@pytest.mark.parametrize("name", ["Ana", "Ana L.", "sam", "J. R.", "Ana 12"])
def test_a_first_name_or_alias_gets_no_note(client: Client, name: str) -> None:
    assert ask(client, {"name": name}) == (200, {"advice": None})


def test_it_answers_only_a_post(client: Client) -> None:
    for response in (client.get(URL), client.put(URL, "{}", content_type="application/json"), client.head(URL)):
        assert response.status_code == 405
        assert response["Allow"] == "POST"
    answer = client.get(URL, {"name": "Ana Lopez"}).json()
    assert answer["error"] == "method" and "POST" in answer["message"]
    assert "advice" not in answer


def test_it_refuses_what_is_not_json_with_a_sentence(client: Client) -> None:
    status, answer = ask(client, "name=Ana Lopez", raw=True)
    assert status == 400 and answer["error"] == "bad_json" and answer["message"].endswith(".")
    status, answer = ask(client, "name=Ana Lopez", raw=True, content_type="application/x-www-form-urlencoded")
    assert status == 415 and answer["error"] == "bad_json" and "application/json" in answer["message"]


@pytest.mark.parametrize("body", [["Ana"], "Ana", {"name": 7}, {"name": None}, {}, {"name": "Ana", "seat": "s1"}])
def test_it_refuses_json_that_is_not_one_name(client: Client, body: Any) -> None:
    status, answer = ask(client, body)
    assert status == 400 and answer["error"] == "bad_message" and '{"name": "..."}' in answer["message"]


def test_it_refuses_a_name_longer_than_the_room_takes(client: Client) -> None:
    status, answer = ask(client, {"name": "A" * (names.NAME_MAX + 1)})
    assert status == 400 and answer == {"error": "bad_name", "message": "Keep the name to 40 characters or fewer."}
    # Spaces collapse first, as they do for the room: this one fits.
    assert ask(client, {"name": "Ana" + " " * 60 + "B."}) == (200, {"advice": None})


def test_it_refuses_a_body_far_larger_than_any_name(client: Client) -> None:
    status, answer = ask(client, {"name": "A" * 5000})
    assert status == 413 and answer["error"] == "too_long" and "40 characters" in answer["message"]


@pytest.mark.parametrize("name", ["", "   ", "Ana\u0000", "Ana\u202e"])
def test_it_refuses_a_name_the_room_cannot_show_as_the_room_does(client: Client, name: str) -> None:
    status, answer = ask(client, {"name": name})
    with pytest.raises(ValueError) as refused:
        names.clean_name(name)
    assert status == 400 and answer == {"error": "bad_name", "message": str(refused.value)}


def test_it_sets_no_cookie_and_nothing_may_store_the_answer(client: Client) -> None:
    for response in (
        client.post(URL, {"name": "Ana Lopez"}, content_type="application/json"),
        client.post(URL, "not json", content_type="application/json"),
        client.get(URL),
    ):
        assert response.cookies == {}, "the advice sets no cookie"
        assert "Set-Cookie" not in response.headers
        assert "no-store" in response["Cache-Control"]
    assert client.cookies == {}


NAME_CANARY = "Quenda Canaryname"


def test_the_name_reaches_no_log_at_any_level(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ask(client, {"name": NAME_CANARY})
    ask(client, f'{{"name": "{NAME_CANARY}"', raw=True)  # not JSON: refused
    ask(client, {"name": NAME_CANARY * 3})  # too long
    client.get(URL, {"name": NAME_CANARY})  # the wrong method, the name in a query string
    assert caplog.records, "the access log wrote nothing: this test would see nothing"
    assert "name-advice" in caplog.text
    for word in NAME_CANARY.split():
        assert word not in caplog.text
        assert all(word not in repr(record.__dict__) for record in caplog.records)


@pytest.mark.django_db
def test_the_room_page_tells_its_script_where_to_ask(client: Client) -> None:
    from stayhere.directory.models import Attendance

    make_meeting("Night Owls", slug="night-owls-room", attendance=Attendance.ONLINE, has_room=True)
    html = client.get("/meetings/night-owls-room/room").content.decode()
    assert f'data-advice-url="{URL}"' in html
