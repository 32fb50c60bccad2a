"""Drives the pure room state machine in tests: a config, seats that join, messages, and what each seat got."""

from __future__ import annotations

import itertools
from typing import Any

from stayhere.rooms.core.config import RoomConfig, Segment
from stayhere.rooms.core.effects import Close, Delete, Effect, Error, Floor, Send
from stayhere.rooms.core.meeting import Disconnect, Join, Message, Resume, Tick, apply, hash_secret
from stayhere.rooms.core.snapshot import sees
from stayhere.rooms.core.state import Room, open_room

T0 = 1_800_000_000.0
CHAIR_KEY = "chair-key-for-tests"
FORMAT = (
    Segment("reading", "Welcome", "You are welcome here."),
    Segment("silence", "A moment of silence", minutes=1),
    Segment("speaker", "Our speaker", share_seconds=1200),
    Segment("sharing", "Open sharing", share_seconds=180),
    Segment("closing", "Closing", "Keep coming back."),
)
_numbers = itertools.count(1)


def config(**changes: Any) -> RoomConfig:
    fields: dict[str, Any] = {
        "meeting_slug": "test-meeting",
        "title": "Test Meeting",
        "format": FORMAT,
        "starts_at": T0,
        "ends_at": T0 + 3600,
        "chair_key_hash": hash_secret(CHAIR_KEY),
        "waiting_room": False,
    }
    fields.update(changes)
    return RoomConfig(**fields)


def seat_id() -> str:
    return f"s{next(_numbers):010d}"


class Meeting:
    """A room and everything it sent, with the clock under the test's control."""

    def __init__(self, **config_changes: Any) -> None:
        self.room: Room | None = open_room(config(**config_changes), T0)
        self.now = T0
        self.sent: list[Send] = []
        self.effects: list[Effect] = []
        self.tokens: dict[str, str] = {}
        self.browsers: dict[str, str] = {}

    @property
    def live(self) -> Room:
        assert self.room is not None, "the meeting has ended"
        return self.room

    def apply(self, event: Any) -> list[Effect]:
        self.room, effects = apply(self.live, event, self.now)
        self.effects.extend(effects)
        self.sent.extend(e for e in effects if isinstance(e, Send))
        return effects

    def join(self, name: str = "Sam", *, chair: bool = False, browser: str | None = None, **extra: Any) -> str:
        seat = seat_id()
        token = f"token{seat}"
        self.tokens[seat] = token
        self.browsers[seat] = browser or f"browser-{seat}"
        self.apply(
            Join(
                seat=seat,
                token=token,
                browser=self.browsers[seat],
                name=name,
                chair_key=CHAIR_KEY if chair else extra.pop("chair_key", None),
                **extra,
            )
        )
        return seat

    def say(self, sender: str, kind: str, /, **fields: Any) -> list[Effect]:
        return self.apply(Message(sender, kind, fields))

    def drop(self, seat: str) -> list[Effect]:
        return self.apply(Disconnect(seat))

    def resume(self, seat: str, last_seq: int = 0, token: str | None = None) -> list[Effect]:
        return self.apply(Resume(seat, token or self.tokens[seat], self.browsers[seat], last_seq))

    def tick(self, seconds: float = 1.0) -> list[Effect]:
        self.now += seconds
        return self.apply(Tick())

    def received(self, seat: str, kind: str | None = None) -> list[dict[str, Any]]:
        """Events that reached this seat (audiences resolved against the room as it is now)."""
        room = self.room
        found = []
        for send in self.sent:
            target = room.seats.get(seat) if room else None
            reached = seat in send.to or (target is not None and sees(target, send.to))
            if reached and (kind is None or send.event["type"] == kind):
                found.append(send.event)
        return found

    def errors(self, effects: list[Effect]) -> list[str]:
        return [e.code for e in effects if isinstance(e, Error)]

    def floors(self) -> list[str | None]:
        return [e.seat for e in self.effects if isinstance(e, Floor)]

    def closed(self) -> list[str]:
        return [e.seat for e in self.effects if isinstance(e, Close)]

    def deleted(self) -> bool:
        return any(isinstance(e, Delete) for e in self.effects)


RUN_ASYNC_LIMIT_S = 300.0


def run_async(coroutine: Any, limit_s: float = RUN_ASYNC_LIMIT_S) -> Any:
    """Runs a coroutine to the end on a new event loop in its own thread.

    Playwright's synchronous API (the browser tests) leaves an event loop marked as running in the main
    thread for the whole session, so ``asyncio.run`` cannot be called there after a browser test.

    A scenario still running after ``limit_s`` fails its test (its loop is left to a daemon thread) instead of
    holding the whole suite: a hang seen once in CI under load must not stop every later test.
    """
    import asyncio
    import threading

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed to the caller
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="run-async", daemon=True)
    thread.start()
    thread.join(limit_s)
    if thread.is_alive():
        raise TimeoutError(f"the scenario was still running after {limit_s:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Serving:
    """The ASGI application the tests' WebSocket clients connect to: the project's, made with a test's own rooms."""

    application: Any = None


def serve_rooms(rooms: Any) -> Any:
    """Serves ``rooms`` (a ``LiveRooms``) to the tests' clients from now on; returns it."""
    from stayhere.asgi import make_application

    Serving.application = make_application(rooms)
    return rooms


def fresh_live_rooms(**parts: Any) -> Any:
    """A fresh ``LiveRooms`` in this process's memory (``root.build``'s parts replaceable), served to the clients."""
    from stayhere.rooms.live import root
    from stayhere.rooms.live.store import MemoryRoomStore

    return serve_rooms(root.build(store=parts.pop("store", None) or MemoryRoomStore(), **parts))
