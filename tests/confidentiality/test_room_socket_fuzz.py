"""Fuzzing the room protocol over real sockets: a real `stayhere serve`, a chair and a member who behave, and
participants who send random and malformed frames (hypothesis), huge frames, binary frames and floods.

Checked: each frame is answered with events, an `error` whose code docs/protocol.md lists, or a close code it
lists; the server keeps running and the members who behave keep getting events; its memory stays bounded
after thousands of frames; the room is not corrupted (someone new joins and sees a consistent snapshot).
"""

from __future__ import annotations

import json
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from stayhere.rooms.live.protocol import MAX_FRAME, SCHEMAS, ProtocolError, decode
from tests.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parents[2]
PROTOCOL = (REPO / "docs" / "protocol.md").read_text()
ERROR_CODES = set(re.findall(r"`(\w+)`", PROTOCOL.split("## Error codes", 1)[1].split("\n## ", 1)[0]))
CLOSE_CODES = {1000, 1008, 1009, 4001, 4008}  # docs/protocol.md, Limits
FLOOD_FRAMES = 40  # docs/protocol.md: more than 20 frames a second, sustained over two seconds
PACE_S = 1 / 15  # a well-paced fuzzer stays under the flood limit, so that its every frame is answered
HOST_ONLY = {"segment", "call", "extend", "end_share", "mode", "role", "hand_chair", "admit", "deny", "admit_all"}
HOST_ONLY |= {"lock", "mute", "mute_all", "remove", "unremove", "delete_chat", "chat_policy", "end"}
RSS_GROWTH_LIMIT_KIB = 50 * 1024

SLUG = "fuzz-room"
SEED = f"""
from tests.browser.room_seed import running_now
from tests.rooms.factories import make_room
room = make_room(running_now("Fuzzed Room", "{SLUG}"), waiting_room=False, chat_policy="open")
print("CHAIR-KEY", room.chair_key)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    tmp = tmp_path_factory.mktemp("room-fuzz")
    data_dir = tmp / "data"
    data_dir.mkdir(mode=0o700)
    env = {"PYTHONPATH": str(REPO), "STAYHERE_JANUS": "0", "STAYHERE_LOG_LEVEL": "INFO"}
    # The fuzzer joins thousands of times from one address, faster than any crowd: the door's limits are off
    # here, as the room's answers to each frame are what is tested (the door: tests/rooms/test_gate.py).
    for door in ("JOINS_PER_SOURCE", "SOCKETS_PER_SOURCE", "JOINS_PER_ROOM", "UNSEATED_MAX"):
        env[f"STAYHERE_ROOM_{door}"] = "0"
    with live_server(data_dir, tmp / "server.log", setup=[["shell", "-c", SEED]], extra_env=env) as live:
        chair_key = next(line.split()[1] for line in live.log_text().splitlines() if line.startswith("CHAIR-KEY"))
        yield live, chair_key


def open_socket(live: LiveServer) -> ClientConnection:
    """A connection, entered as websockets asks (its caller closes it, or the server does)."""
    parts = urlsplit(live.url)
    return connect(
        f"ws://{parts.hostname}:{parts.port}/ws/rooms/{SLUG}",
        origin=f"http://{parts.hostname}:{parts.port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"stayhere_seat=fuzz-{secrets.token_hex(8)}"},
        max_size=None,
        open_timeout=20,
    ).__enter__()


def close_code(closed: ConnectionClosed) -> int:
    """The code the server closed with; 1006 when no close frame arrived (the TCP connection was cut)."""
    return closed.rcvd.code if closed.rcvd else 1006


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]


class Listener:
    """A participant who behaves: joins, then reads every event in a thread (so it never falls behind)."""

    def __init__(self, live: LiveServer, name: str, chair_key: str | None = None) -> None:
        self.ws = open_socket(live)
        self.events: list[dict[str, Any]] = []
        self.closed: int | None = None
        self.changed = threading.Condition()
        join = {"type": "join", "name": name, **({"chair_key": chair_key} if chair_key else {})}
        self.ws.send(json.dumps(join))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.welcome = self.wait_for(lambda e: e["type"] == "welcome")

    def _read(self) -> None:
        try:
            for frame in self.ws:
                with self.changed:
                    self.events.append(json.loads(frame))
                    self.changed.notify_all()
        except ConnectionClosed as closed:
            self.closed = close_code(closed)
        with self.changed:
            self.closed = self.closed or -1
            self.changed.notify_all()

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        with self.changed:
            while True:
                for event in self.events[seen:]:
                    if wanted(event):
                        return event
                seen = len(self.events)
                left = deadline - time.monotonic()
                assert self.closed is None, f"a member who behaved was disconnected ({self.closed})"
                assert left > 0, "a member who behaved did not get the event"
                self.changed.wait(left)

    def close(self) -> None:
        self.ws.close()
        self.thread.join(timeout=10)


class Fuzzer:
    """A member who sends what it likes, one frame at a time, and collects what each frame brought back."""

    def __init__(self, live: LiveServer, name: str = "Fuzzer") -> None:
        self.live, self.name = live, name
        self.sync = 0
        self.last = 0.0
        self.connect()

    def connect(self) -> None:
        self.ws = open_socket(self.live)
        answer = self.send({"type": "join", "name": self.name})
        assert answer.close is None and answer.events and answer.events[0]["type"] == "welcome", answer

    def send(self, frame: Any) -> Answer:
        """Sends the frame and a marker (an unknown type); what arrives before the marker's error answers it."""
        self.sync += 1
        marker = f"zz-marker-{self.sync}"
        wait = self.last + 2 * PACE_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last = time.monotonic()
        events: list[dict[str, Any]] = []
        raw = frame if isinstance(frame, str | bytes) else json.dumps(frame)
        try:
            self.ws.send(raw)
            if len(raw) <= MAX_FRAME:  # a longer one is cut off: a marker behind it might reset the connection
                self.ws.send(json.dumps({"type": marker}))
            while True:
                event = json.loads(self.ws.recv(timeout=15))
                if event["type"] == "error" and event.get("ref") == marker:
                    return Answer(events, None)
                events.append(event)
        except ConnectionClosed as closed:
            return Answer(events, close_code(closed))


class Answer:
    def __init__(self, events: list[dict[str, Any]], close: int | None) -> None:
        self.events, self.close = events, close

    def errors(self) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == "error"]

    def __repr__(self) -> str:
        return f"Answer({[(e['type'], e.get('code')) for e in self.events]}, close={self.close})"


# Frames: random JSON, known types with random or wrongly typed fields, unknown types, raw text, binary.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(sorted({name for schema in SCHEMAS.values() for name in schema} | {"x", ""}))
member_types = sorted(set(SCHEMAS) - {"join", "resume", "leave"})  # leaving or joining again is not malformed
messages = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    st.sampled_from(member_types) | st.text(max_size=12),
    st.dictionaries(field_names, json_values, max_size=3),
)
seat_ids = st.from_regex(r"\As[A-Za-z0-9_-]{10}\Z")
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=60)
well_formed = st.one_of(
    st.builds(lambda up: {"type": "hand", "up": up}, st.booleans()),
    st.builds(lambda text: {"type": "chat", "text": text}, words),
    st.builds(lambda text, about: {"type": "report", "text": text, "about": about}, words, seat_ids),
    st.builds(lambda name: {"type": "rename", "name": name}, words),
    st.sampled_from([{"type": kind} for kind in ("accept", "pass", "done", "mute_all", "admit_all", "end")]),
    st.builds(lambda locked: {"type": "lock", "locked": locked}, st.booleans()),
    st.builds(lambda seat: {"type": "remove", "seat": seat}, seat_ids),
    st.builds(lambda muted: {"type": "audio_mute", "muted": muted}, st.booleans()),
    st.builds(lambda digits: {"type": "slip", "commitment": digits}, st.from_regex(r"\A[0-9a-f]{64}\Z")),
    st.builds(lambda kind: {"type": kind, "name": "Again"}, st.sampled_from(["join"])),
)
frames = st.one_of(
    well_formed,
    messages,
    messages.map(lambda message: json.dumps(message).encode()),  # a binary frame holding JSON
    json_values,
    st.text(max_size=60),  # anything at all, mostly not JSON
    st.binary(max_size=60),
    st.sampled_from([{"type": kind} for kind in sorted(HOST_ONLY)]),
    st.integers(MAX_FRAME + 1, 3 * MAX_FRAME).map(lambda size: json.dumps({"type": "chat", "text": "x" * size})),
)


def expected(frame: Any) -> str | None:
    """The error code the protocol's own decoder gives a malformed frame; None for a well-formed message."""
    raw = frame if isinstance(frame, str | bytes) else json.dumps(frame)
    try:
        decode(raw)
    except ProtocolError as problem:
        return problem.code
    return None


def check_answer(frame: Any, answer: Answer) -> None:
    raw = frame if isinstance(frame, str | bytes) else json.dumps(frame)
    code = expected(frame)
    documented = [error for error in answer.errors() if error["code"] in ERROR_CODES]
    assert len(documented) == len(answer.errors()), f"an error code docs/protocol.md does not list: {answer}"
    for error in answer.errors():
        assert isinstance(error["message"], str) and error["message"].endswith("."), error
    if len(raw) > MAX_FRAME:
        assert answer.close == 1009, f"a {len(raw)}-byte frame was not cut off with 1009: {answer}"
        assert [e["code"] for e in answer.errors()] == ["too_long"], answer
        return
    assert answer.close is None, f"closed with {answer.close} for {raw[:80]!r}"
    if code is not None:
        assert [e["code"] for e in answer.errors()] == [code], f"{raw[:80]!r} got {answer}, not a {code} error"
    elif json.loads(raw)["type"] in HOST_ONLY:
        assert [e["code"] for e in answer.errors()] == ["forbidden"], f"{raw[:80]!r} got {answer}"
    elif not answer.events:
        # Only a hand already where it was asked to be changes nothing and says nothing.
        assert json.loads(raw)["type"] == "hand", f"{raw[:80]!r} got no answer at all"


def consistent_snapshot(snapshot: dict[str, Any], *, present: list[str]) -> None:
    seats = [participant["seat"] for participant in snapshot["participants"]]
    assert len(seats) == len(set(seats)), "a seat appears twice"
    assert snapshot["phase"] == "open" and snapshot["admitted"] is True
    assert set(present) <= set(seats), "a member who behaved is missing"
    assert len(snapshot["queue"]) == len(set(snapshot["queue"])) and set(snapshot["queue"]) <= set(seats)
    assert snapshot["share"] is None or snapshot["share"]["seat"] in seats
    assert all(0 < len(participant["name"]) <= 40 for participant in snapshot["participants"])


@pytest.mark.slow  # about 20 s: every frame paced under the server's flood limit (PACE_S)
def test_every_malformed_frame_gets_a_clear_error_and_the_room_goes_on(server: tuple[LiveServer, str]) -> None:
    live, chair_key = server
    chair = Listener(live, "Chair who behaves", chair_key)
    member = Listener(live, "Member who behaves")
    fuzzer = Fuzzer(live)
    answered: list[int] = [0]

    @given(sent=st.lists(frames, min_size=1, max_size=4))
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def each_frame_is_answered(sent: list[Any]) -> None:
        for frame in sent:
            answer = fuzzer.send(frame)
            check_answer(frame, answer)
            answered[0] += 1
            if answer.close is not None:
                fuzzer.connect()  # a documented close is reconnectable

    each_frame_is_answered()
    assert answered[0] >= 60

    chair.ws.send(json.dumps({"type": "chat", "text": "the chair still reaches everyone"}))
    member.wait_for(lambda e: e["type"] == "chat" and e["text"] == "the chair still reaches everyone")
    newcomer = Listener(live, "Newcomer")
    consistent_snapshot(newcomer.welcome["snapshot"], present=[chair.welcome["seat"], member.welcome["seat"]])
    for listener in (chair, member, newcomer):
        assert listener.closed is None
        listener.close()


def flood(live: LiveServer, count: int) -> int | None:
    """Sends ``count`` frames without waiting: more than the limit, so the server cuts the connection."""
    ws = open_socket(live)
    ws.send(json.dumps({"type": "join", "name": "Flooder"}))
    try:
        for number in range(count):
            ws.send(json.dumps({"type": "hand", "up": number % 2 == 0}))
        while True:
            ws.recv(timeout=15)
    except ConnectionClosed as closed:
        return close_code(closed)


def random_frame(rng: random.Random) -> str | bytes:
    """Cheap random frames for the volume run (hypothesis draws the varied ones above)."""
    choice = rng.randrange(6)
    if choice == 0:
        return rng.randbytes(rng.randrange(1, 200))
    if choice == 1:
        return json.dumps({"type": rng.choice(member_types), rng.choice(["text", "seat", "up", "x"]): rng.random()})
    if choice == 2:
        return json.dumps({"type": "chat", "text": "".join(rng.choices("abc xyz", k=rng.randrange(1, 900)))})
    if choice == 3:
        return json.dumps([rng.random() for _ in range(rng.randrange(50))])
    if choice == 4:
        return json.dumps({"type": rng.choice(sorted(HOST_ONLY))})
    return json.dumps({"type": "rename", "name": f"Fuzzer {rng.randrange(10**6)}"})


@pytest.mark.slow  # about 20 s: eight paced fuzzers beside twenty floods
def test_thousands_of_frames_floods_and_huge_frames_leave_memory_bounded_and_the_room_whole(
    server: tuple[LiveServer, str],
) -> None:
    live, chair_key = server
    chair = Listener(live, "Chair who behaves", chair_key)
    member = Listener(live, "Member who behaves")
    before = rss_kib(live.pid)

    closes = [flood(live, 3 * FLOOD_FRAMES) for _ in range(20)]  # 2,400 frames
    assert closes == [1008] * 20

    # Huge frames: over the protocol's 8 KiB, and over what the server reads at all (64 KiB).
    for size in [MAX_FRAME + 1, 60_000]:
        answer = Fuzzer(live, "Huge").send(json.dumps({"type": "chat", "text": "y" * size}))
        assert answer.close == 1009 and [e["code"] for e in answer.errors()] == ["too_long"], answer
    for size in [200_000, 1_000_000]:
        # The server stops reading and closes with 1009; when the client is still sending, the kernel resets the
        # connection and the close frame may be lost on the way (1006): cut off either way.
        answer = Fuzzer(live, "Huge").send(json.dumps({"type": "chat", "text": "y" * size}))
        assert answer.close in {1009, 1006} and answer.events == [], answer

    # Paced fuzzers in parallel, each under the flood limit: every frame is answered.
    answered: list[int] = []

    def fuzz(seed: int) -> None:
        rng, fuzzer = random.Random(seed), Fuzzer(live, f"Volume {seed}")  # noqa: S311 (repeatable, not secret)
        for _ in range(150):
            frame = random_frame(rng)
            answer = fuzzer.send(frame)
            assert answer.close is None, (frame[:80], answer)
            assert all(error["code"] in ERROR_CODES for error in answer.errors()), answer
            answered.append(1)

    threads = [threading.Thread(target=fuzz, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answered) == 8 * 150, "a fuzzer thread failed (see its exception above)"

    after = rss_kib(live.pid)
    assert after - before < RSS_GROWTH_LIMIT_KIB, f"the server grew from {before} KiB to {after} KiB"

    chair.ws.send(json.dumps({"type": "chat", "text": "still here after the storm"}))
    member.wait_for(lambda e: e["type"] == "chat" and e["text"] == "still here after the storm")
    newcomer = Listener(live, "Newcomer after the storm")
    consistent_snapshot(newcomer.welcome["snapshot"], present=[chair.welcome["seat"], member.welcome["seat"]])
    for listener in (chair, member, newcomer):
        assert listener.closed is None
        listener.close()


def test_a_frame_over_8_kib_of_multibyte_text_is_cut_off_too(server: tuple[LiveServer, str]) -> None:
    live, _chair_key = server
    frame = json.dumps({"type": "chat", "text": "€" * 3000}, ensure_ascii=False)
    assert len(frame.encode()) > MAX_FRAME
    answer = Fuzzer(live, "Multibyte").send(frame)
    assert answer.close == 1009 and [e["code"] for e in answer.errors()] == ["too_long"], answer
