"""A fault inside a room handler or a search is logged as a fault, never with what the person sent.

The fault carries the canary in its own message too, as a careless `raise ValueError(f"bad {text}")` would: the
log may say what failed and where, not what was said, typed or searched for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient

from stayhere.directory import views as directory_views
from stayhere.rooms.core import meeting
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room
from tests.rooms.test_consumer import Client, fresh_rooms, run  # noqa: F401  (fresh_rooms: rooms per test)

CHAT_CANARY = "PlatypusChatCanary4417"
NAME_CANARY = "EchidnaNameCanary2290"
SEARCH_CANARY = "NumbatSearchCanary5108"
LATITUDE, LONGITUDE = "23.45678", "-56.78912"


class HandlerFault(RuntimeError):
    pass


def everything_logged(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> str:
    out, err = capfd.readouterr()
    return "\n".join([caplog.text, *(record.getMessage() for record in caplog.records), out, err])


@pytest.mark.django_db(transaction=True)
def test_a_fault_in_a_room_handler_answers_with_an_error_and_logs_no_canary(monkeypatch, caplog, capfd):
    room = make_room(waiting_room=False)

    def failing_chat(room: Any, seat: Any, msg: Mapping[str, Any], now: float, out: Any) -> Any:
        raise HandlerFault(f"could not send {msg['text']!r} from {seat.name}")

    monkeypatch.setitem(meeting.HANDLERS, "chat", failing_chat)
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        assert await chair.open()
        await chair.join(NAME_CANARY, chair_key=room.chair_key)
        await chair.send(type="chat", text=f"what I said: {CHAT_CANARY}")
        error = await chair.next("error")
        assert error["code"] == "internal" and CHAT_CANARY not in error["message"]
        # The connection goes on: the next message is handled.
        await chair.send(type="hand", up=True)
        assert (await chair.next("queue"))["queue"]

    run(scenario)
    logged = everything_logged(caplog, capfd)
    assert "HandlerFault" in logged, "the fault must be logged, by its kind"
    for canary in (CHAT_CANARY, NAME_CANARY):
        assert canary not in logged


def search_with_a_fault(monkeypatch, message: str) -> int:
    make_meeting("Error Log Meeting")

    def failing_search(query: Any, now: Any) -> Any:
        raise HandlerFault(message.format(query=query))

    monkeypatch.setattr(directory_views, "search", failing_search)
    client = HttpClient(raise_request_exception=False)
    query = urlencode({"q": SEARCH_CANARY, "near": f"{LATITUDE},{LONGITUDE}"})
    return client.get(f"/?{query}", REMOTE_ADDR="203.0.113.58").status_code


SEARCH_SECRETS = (SEARCH_CANARY, LATITUDE, LONGITUDE.lstrip("-"), "near=", "203.0.113.58")


@pytest.mark.django_db
def test_a_fault_in_a_search_answers_500_and_logs_no_canary_and_no_query_string(monkeypatch, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    assert search_with_a_fault(monkeypatch, "the search index failed") == 500
    logged = everything_logged(caplog, capfd)
    assert "HandlerFault" in logged, "the fault must be logged, by its kind"
    for secret in SEARCH_SECRETS:
        assert secret not in logged, secret


@pytest.mark.django_db
def test_a_search_fault_that_quotes_the_query_still_logs_no_canary(monkeypatch, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    assert search_with_a_fault(monkeypatch, "search for {query!r} failed") == 500
    logged = everything_logged(caplog, capfd)
    assert "HandlerFault (its message is not logged)" in logged, "the fault is logged, by its kind and frames"
    assert [secret for secret in SEARCH_SECRETS if secret in logged] == []
