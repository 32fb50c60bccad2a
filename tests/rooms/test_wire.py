"""A room frame written straight to uvicorn's socket is the frame websockets itself would write, and a real
``stayhere serve`` delivers every seat's frames through that path intact, long ones, non-ASCII ones and a
Spanish page's translated sentences included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.frames import Frame, Opcode
from websockets.sync.client import ClientConnection, connect

from stayhere.rooms.adapters.consumer import direct_socket
from stayhere.rooms.live import wire
from tests.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parents[2]
SLUG = "wire-room"
SEED = f"""
from tests.browser.room_seed import running_now
from tests.rooms.factories import make_room
make_room(running_now("Wire Evening Room", "{SLUG}"), waiting_room=False, chat_policy="open")
"""


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 1000, 65535, 65536, 70000])
def test_a_text_frame_is_the_bytes_websockets_writes_for_it(size: int) -> None:
    text = ("ñ" * size)[:size] if size % 2 else "a" * size
    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
    assert wire.text_frame(text) == expected


def test_the_same_text_is_encoded_once_and_an_equal_text_made_apart_gets_equal_bytes() -> None:
    text = "".join(["{", '"type":"chat"', "}"])
    first = wire.text_frame(text)
    assert wire.text_frame(text) is first, "the next seat's frame is the bytes already made"
    other = "".join(["{", '"type":"chat"', "}"])
    assert other is not text
    assert wire.text_frame(other) == first
    assert wire.text_frame('{"type":"chat_deleted"}') != first


def test_a_send_that_is_not_uvicorns_goes_through_asgi() -> None:
    async def send(message: dict[str, Any]) -> None: ...

    assert direct_socket(send) is None
    assert direct_socket(object()) is None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("wire")
    env = {"PYTHONPATH": str(REPO), "STAYHERE_JANUS": "0", "STAYHERE_LOG_LEVEL": "INFO"}
    with live_server(tmp / "data", tmp / "server.log", setup=[["shell", "-c", SEED]], extra_env=env) as server:
        yield server


def seat(server: LiveServer, name: str, language: str = "en") -> ClientConnection:
    host = server.url.removeprefix("http://")
    ws = connect(
        f"ws://{host}/ws/rooms/{SLUG}",
        origin=server.url,  # type: ignore[arg-type]
        additional_headers={"Accept-Language": language},
    )
    ws.send(json.dumps({"type": "join", "name": name}))
    until(ws, "welcome")
    return ws


def until(ws: ClientConnection, kind: str, **fields: Any) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=15))
        if event["type"] == kind and all(event.get(key) == value for key, value in fields.items()):
            return event


@pytest.mark.slow
def test_every_seat_of_a_real_server_gets_each_chat_whole_short_long_and_not_ascii(served: LiveServer) -> None:
    seats = [seat(served, f"Seat {number}") for number in range(3)]
    try:
        texts = ["hi", " ".join(["¿Cómo están? Aquí, ñandú y café."] * 20), "x" * 1000]
        for text in texts:
            seats[0].send(json.dumps({"type": "chat", "text": text}))
            for ws in seats:
                assert until(ws, "chat")["text"] == text
    finally:
        for ws in seats:
            ws.close()


@pytest.mark.slow
def test_a_spanish_page_gets_its_sentence_in_spanish_and_an_english_page_in_english(served: LiveServer) -> None:
    english, spanish = seat(served, "Pat"), seat(served, "Paz", "es")
    try:
        for ws in (english, spanish):
            ws.send(json.dumps({"type": "join", "name": "Again"}))
        said_in_english = until(english, "error", code="already_joined")["message"]
        said_in_spanish = until(spanish, "error", code="already_joined")["message"]
        assert said_in_english == "You are already in this meeting."
        assert said_in_spanish != said_in_english and said_in_spanish
    finally:
        english.close()
        spanish.close()
