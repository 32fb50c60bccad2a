"""The room over a real WebSocket connection (Channels' communicator against the project's ASGI application)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from stayhere.directory.models import Attendance
from stayhere.rooms.adapters import consumer as consumers
from stayhere.rooms.core import meeting
from stayhere.rooms.live import hub, store
from stayhere.rooms.live.root import LiveRooms
from stayhere.slips import keystore
from stayhere.slips.signing import commitment_of
from stayhere.slips.verify import verify_with_name
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room
from tests.rooms.roomkit import Serving, fresh_live_rooms, run_async

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")


@pytest.fixture(autouse=True)
def fresh_rooms() -> Iterator[LiveRooms]:
    """Each test's own rooms, built by the composition root and served to its clients."""
    yield fresh_live_rooms()


@pytest.fixture
def fresh_hub(fresh_rooms: LiveRooms) -> hub.RoomHub:
    return fresh_rooms.hub


class Client:
    """One browser tab's connection to a room."""

    def __init__(
        self,
        slug: str,
        cookie: str | None = None,
        origin: tuple[bytes, bytes] = ORIGIN,
        client: tuple[str, int] | None = None,
    ) -> None:
        headers = [origin, HOST]
        if cookie:
            headers.append((b"cookie", f"stayhere_seat={cookie}".encode()))
        self.ws = WebsocketCommunicator(Serving.application, f"/ws/rooms/{slug}", headers=headers)
        if client is not None:
            self.ws.scope["client"] = client  # the address the server sees the connection come from
        self.seen: list[dict[str, Any]] = []

    async def open(self) -> bool:
        connected, _ = await self.ws.connect()
        return bool(connected)

    async def send(self, **message: Any) -> None:
        await self.ws.send_to(text_data=json.dumps(message))

    async def next(self, kind: str | None = None, timeout: float = 3) -> dict[str, Any]:
        """The next event (of this type, skipping others)."""
        while True:
            event = json.loads(await self.ws.receive_from(timeout=timeout))
            self.seen.append(event)
            if kind is None or event["type"] == kind:
                return event

    async def join(self, name: str, **fields: Any) -> dict[str, Any]:
        await self.send(type="join", name=name, **fields)
        return await self.next("welcome")

    async def closed_with(self) -> int:
        while True:
            output = await self.ws.receive_output(timeout=3)
            if output["type"] == "websocket.close":
                return int(output.get("code", 1000))


def run(test: Callable[[], Awaitable[None]]) -> None:
    run_async(test())


def test_a_chair_admits_a_member_from_the_waiting_room() -> None:
    room = make_room(waiting_room=True)

    async def scenario() -> None:
        chair, member = Client(room.meeting.slug, "c1"), Client(room.meeting.slug, "m1")
        assert await chair.open() and await member.open()
        welcome = await chair.join("Chair", chair_key=room.chair_key)
        assert welcome["snapshot"]["role"] == "chair"
        waiting = await member.join("Alex")
        assert waiting["snapshot"]["admitted"] is False and "participants" not in waiting["snapshot"]
        changed = await chair.next("waiting_changed")
        assert changed["count"] == 1
        await chair.send(type="admit", seat=changed["added"][0]["seat"])
        await member.next("admitted")
        snapshot = await member.next("snapshot")
        assert [p["name"] for p in snapshot["participants"]] == ["Chair", "Alex"]

    run(scenario)


def test_the_handshake_refuses_a_page_from_another_origin() -> None:
    room = make_room()

    async def scenario() -> None:
        stranger = Client(room.meeting.slug, origin=(b"origin", b"https://elsewhere.example"))
        assert not await stranger.open()

    run(scenario)


def test_the_handshake_refuses_another_port_or_scheme_of_the_same_host() -> None:
    room = make_room()

    async def scenario() -> None:
        for origin in (
            b"http://127.0.0.1:9999",  # another port of this host: another site
            b"https://127.0.0.1",  # the same host over another scheme
            b"http://127.0.0.1.evil.example",
            b"null",
            b"",
        ):
            stranger = Client(room.meeting.slug, origin=(b"origin", origin))
            assert not await stranger.open(), origin
        ours = Client(room.meeting.slug, origin=(b"origin", b"http://127.0.0.1:80"))  # the default port, said
        assert await ours.open()

    run(scenario)


def test_bad_messages_get_errors_and_the_connection_goes_on() -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        await chair.open()
        await chair.ws.send_to(text_data="{not json")
        assert (await chair.next("error"))["code"] == "bad_json"
        await chair.send(type="hand", up=True)
        assert (await chair.next("error"))["code"] == "not_joined"
        await chair.join("Chair", chair_key=room.chair_key)
        await chair.send(type="dance")
        assert (await chair.next("error"))["code"] == "unknown_type"
        await chair.send(type="extend", seconds="lots")
        error = await chair.next("error")
        assert error["code"] == "bad_message" and "seconds" in error["message"]
        await chair.send(type="hand", up=True)
        assert (await chair.next("queue"))["queue"]

    run(scenario)


def test_an_oversized_frame_is_cut_off() -> None:
    room = make_room()

    async def scenario() -> None:
        client = Client(room.meeting.slug, "c1")
        await client.open()
        await client.ws.send_to(text_data="x" * 9000)
        assert (await client.next("error"))["code"] == "too_long"
        assert await client.closed_with() == 1009

    run(scenario)


def test_a_flood_of_frames_is_cut_off() -> None:
    room = make_room()

    async def scenario() -> None:
        client = Client(room.meeting.slug, "c1")
        await client.open()
        for _ in range(consumers.FLOOD_FRAMES + 5):
            await client.ws.send_to(text_data="{}")
        assert await client.closed_with() == 1008

    run(scenario)


def test_a_member_cannot_join_before_the_room_opens_but_a_chair_opens_it() -> None:
    # No weekly schedule, so the room is never open to members on its own, whenever the test runs.
    unscheduled = make_meeting("By Appointment", days=[], attendance=Attendance.ONLINE, has_room=True)
    room = make_room(unscheduled, waiting_room=False)

    async def scenario() -> None:
        early = Client(room.meeting.slug, "m1")
        await early.open()
        await early.send(type="join", name="Early")
        assert (await early.next("error"))["code"] == "closed"
        chair = Client(room.meeting.slug, "c1")
        await chair.open()
        await chair.join("Chair", chair_key=room.chair_key)
        welcome = await early.join("Early")
        assert welcome["snapshot"]["admitted"] is True

    run(scenario)


def test_a_meeting_without_a_room_answers_with_a_clear_error() -> None:
    async def scenario() -> None:
        client = Client("no-such-meeting", "c1")
        await client.open()
        await client.send(type="join", name="Sam")
        error = await client.next("error")
        assert error["code"] == "closed" and error["message"].endswith(".")

    run(scenario)


def test_a_dropped_seat_resumes_and_receives_what_it_missed_in_order() -> None:
    room = make_room(waiting_room=False, chat_policy="open")

    async def scenario() -> None:
        chair, member = Client(room.meeting.slug, "c1"), Client(room.meeting.slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        welcome = await member.join("Alex")
        await member.send(type="hand", up=True)
        last = (await member.next("queue"))["seq"]
        await member.ws.disconnect()
        await chair.send(type="chat", text="first")
        await chair.send(type="chat", text="second")
        await chair.next("chat")
        await chair.next("chat")
        back = Client(room.meeting.slug, "m1")
        await back.open()
        await back.send(type="resume", seat=welcome["seat"], token=welcome["token"], last_seq=last)
        texts = [(await back.next("chat"))["text"], (await back.next("chat"))["text"]]
        assert texts == ["first", "second"]
        await chair.send(type="call")
        offer = await back.next("offer")
        assert offer["seat"] == welcome["seat"], "the seat kept its place in the queue"
        # Each numbered event once: its own return ("participant", connected again) is not both replayed and sent.
        numbered = [e for e in back.seen if e["type"] not in OUTSIDE_THE_STREAM]
        seqs = [e["seq"] for e in numbered]
        assert seqs == sorted(set(seqs)), seqs
        own = [
            person["connected"]
            for e in numbered
            if e["type"] == "people_changed"
            for person in e["changed"]
            if person["seat"] == welcome["seat"]
        ]
        assert own == [False, True], "its drop, replayed, then its return, once"

    run(scenario)


OUTSIDE_THE_STREAM = {"audio", "audio_answer", "live", "talking", "slip", "error"}


def test_a_stopping_process_lets_each_room_socket_go_with_1012_and_the_seats_stay_as_they_were(
    fresh_rooms: LiveRooms,
) -> None:
    room = make_room(waiting_room=False, chat_policy="open")
    slug = room.meeting.slug

    async def scenario() -> None:
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        await chair.open()
        await member.open()
        chair_welcome = await chair.join("Chair", chair_key=room.chair_key)
        welcome = await member.join("Alex")
        await member.send(type="hand", up=True)
        last = {"chair": (await chair.next("queue"))["seq"], "member": (await member.next("queue"))["seq"]}

        # What `stayhere serve` does on SIGTERM, once it has stopped accepting connections.
        draining = asyncio.create_task(consumers.drain(fresh_rooms, timeout=5))
        for client in (chair, member):
            closing = await client.ws.receive_output(timeout=3)
            assert closing == {"type": "websocket.close", "code": 1012, "reason": consumers.RESTARTING}
            await client.ws.disconnect()  # the page's side of the closing handshake
        assert await draining == 2
        stored = await fresh_rooms.hub.store.get(slug)
        assert stored is not None
        assert [seat.connected for seat in stored.seats.values()] == [True, True], "a seat was marked as dropped"

        # Each page resumes (through another worker, in production) and finds its seat as it was: nobody is told
        # that anyone dropped, the chair is the chair and the hand is still up.
        chair, member = Client(slug, "c1"), Client(slug, "m1")
        for client, seat, seq in ((chair, chair_welcome, last["chair"]), (member, welcome, last["member"])):
            await client.open()
            await client.send(type="resume", seat=seat["seat"], token=seat["token"], last_seq=seq)
            await client.next("audio")  # sent right after a resume that worked
        await chair.send(type="call")
        assert (await member.next("offer"))["seat"] == welcome["seat"]
        await chair.next("offer")
        seen = chair.seen + member.seen
        drops = [
            person for e in seen if e["type"] == "people_changed" for person in e["changed"] if not person["connected"]
        ]
        assert drops == []
        assert [e for e in seen if e["type"] == "error"] == []

    run(scenario)


def test_a_resume_that_missed_too_much_gets_a_fresh_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "RING", 3)
    room = make_room(waiting_room=False, chat_policy="open")

    async def scenario() -> None:
        chair, member = Client(room.meeting.slug, "c1"), Client(room.meeting.slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        welcome = await member.join("Alex")
        await member.ws.disconnect()
        for text in ("one", "two", "three", "four", "five"):
            await chair.send(type="chat", text=text)
            await chair.next("chat")
        back = Client(room.meeting.slug, "m1")
        await back.open()
        await back.send(type="resume", seat=welcome["seat"], token=welcome["token"], last_seq=1)
        snapshot = await back.next()
        assert snapshot["type"] == "snapshot"
        assert [m["text"] for m in snapshot["chat"]] == ["one", "two", "three", "four", "five"]

    run(scenario)


def test_a_removed_browser_session_cannot_come_back() -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        chair, intruder = Client(room.meeting.slug, "c1"), Client(room.meeting.slug, "x1")
        await chair.open()
        await intruder.open()
        await chair.join("Chair", chair_key=room.chair_key)
        seat = (await intruder.join("Troll"))["seat"]
        await chair.send(type="remove", seat=seat)
        assert (await intruder.next("removed"))["message"]
        assert await intruder.closed_with() == 4403
        again = Client(room.meeting.slug, "x1")
        await again.open()
        await again.send(type="join", name="Troll2")
        assert (await again.next("error"))["code"] == "removed"

    run(scenario)


def test_ending_the_meeting_tells_everyone_and_deletes_the_room(fresh_hub: hub.RoomHub) -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        chair, member = Client(room.meeting.slug, "c1"), Client(room.meeting.slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        await member.join("Alex")
        await chair.send(type="end")
        assert (await member.next("ended"))["message"]
        assert await member.closed_with() == 1000
        assert await fresh_hub.store.get(room.meeting.slug) is None
        assert room.meeting.slug not in fresh_hub.connections

    run(scenario)


def test_a_member_present_long_enough_gets_a_signed_slip_that_verifies_with_their_name(
    monkeypatch: pytest.MonkeyPatch, fresh_hub: hub.RoomHub
) -> None:
    # A daily meeting that began 50 minutes ago (UTC), so its last quarter hour is now.
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=50)
    meeting = make_meeting(
        "Slip Room",
        days=list(range(7)),
        start=started.strftime("%H:%M"),
        end=(started + dt.timedelta(hours=1)).strftime("%H:%M"),
        tz="UTC",
        attendance=Attendance.ONLINE,
        has_room=True,
    )
    room = make_room(meeting, waiting_room=False)
    keystore.enable(meeting.group, dt.datetime.now(dt.UTC), minimum_minutes=1)  # type: ignore[arg-type]
    later = [0.0]
    fresh_hub.clock = lambda: time.time() + later[0]
    salt = bytes(range(16))
    commitment = commitment_of("Alex", salt)

    async def scenario() -> None:
        chair, member = Client(meeting.slug, "c1"), Client(meeting.slug, "m1")
        await chair.open()
        await member.open()
        await chair.join("Chair", chair_key=room.chair_key)
        welcome = await member.join("Alex")
        assert welcome["snapshot"]["slips"] is True
        await member.send(type="slip", commitment=commitment)
        assert (await member.next("error"))["code"] == "too_early"
        later[0] = 90.0
        await member.send(type="slip", commitment=commitment)
        slips.append((await member.next("slip"))["slip"])
        await chair.send(type="hand", up=True)
        await chair.next("queue")
        assert not [event for event in chair.seen if event["type"] == "slip"], "a slip went to someone else"

    slips: list[dict[str, Any]] = []
    run(scenario)
    slip = slips[0]
    assert slip["slip"]["minutes"] >= 1 and "Alex" not in json.dumps(slip)
    assert verify_with_name(slip["token"], "Alex", salt.hex()).valid
    assert not verify_with_name(slip["token"], "Sam", salt.hex()).valid


def test_a_fault_in_a_handler_answers_with_an_error_keeps_the_room_and_logs_no_words(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    room = make_room(waiting_room=False, chat_policy="open")

    def broken(*args: Any) -> Any:
        raise ValueError(f"while handling {args[2]!r}")  # a fault that would carry the message into a log

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        await chair.open()
        await chair.join("ChairCanaryOkapi", chair_key=room.chair_key)
        monkeypatch.setitem(meeting.HANDLERS, "chat", broken)
        await chair.send(type="chat", text="CanaryChatTapir")
        error = await chair.next("error")
        assert error["code"] == "internal"
        await chair.send(type="hand", up=True)
        assert (await chair.next("queue"))["queue"], "the connection and the room go on"

    caplog.set_level("DEBUG")
    run(scenario)
    assert "ValueError" in caplog.text
    assert "CanaryChatTapir" not in caplog.text and "ChairCanaryOkapi" not in caplog.text


def test_joins_from_one_source_are_limited_with_when_to_try_again_and_others_still_get_in(
    fresh_rooms: LiveRooms,
) -> None:
    from stayhere.rooms.live.gate import JoinGate, Limits

    fresh_rooms.gate = JoinGate(Limits(per_source=3, sockets_per_source=0, per_room=0), b"test secret")
    room = make_room(waiting_room=True)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "chair", client=("198.51.100.9", 4000))
        assert await chair.open()
        await chair.join("Chair", chair_key=room.chair_key)
        fillers = [Client(room.meeting.slug, f"f{n}", client=("203.0.113.7", 5000 + n)) for n in range(4)]
        for number, filler in enumerate(fillers[:2]):
            assert await filler.open()
            await filler.join(f"Filler {number}")
        last = fillers[3]
        assert await fillers[2].open() and await last.open()
        await fillers[2].join("Filler three")
        await last.send(type="join", name="Filler four")
        refused = await last.next("error")
        assert refused["code"] == "busy" and refused["ref"] == "join"
        assert refused["retry_after"] >= 1 and f"{refused['retry_after']:.0f} seconds" in refused["message"]
        held = await fresh_rooms.hub.store.get(room.meeting.slug)
        assert held is not None and len(held.waiting()) == 3, "the refused join left no seat"
        # Someone else, from elsewhere, still gets in at once.
        newcomer = Client(room.meeting.slug, "new", client=("192.0.2.44", 6000))
        assert await newcomer.open()
        welcome = await newcomer.join("Newcomer")
        assert welcome["snapshot"]["admitted"] is False
        assert "203.0.113.7" not in repr(fresh_rooms.gate.sources), "the gate keeps no address"

    run(scenario)


def test_too_many_connections_from_one_source_are_turned_away_and_their_room_is_untouched(
    fresh_rooms: LiveRooms,
) -> None:
    from stayhere.rooms.live.gate import JoinGate, Limits

    fresh_rooms.gate = JoinGate(Limits(per_source=0, sockets_per_source=2, per_room=0), b"test secret")
    room = make_room()

    async def scenario() -> None:
        held = [Client(room.meeting.slug, f"h{n}", client=("203.0.113.7", 5000 + n)) for n in range(2)]
        for client in held:
            assert await client.open()
        extra = Client(room.meeting.slug, "x", client=("203.0.113.7", 5100))
        assert await extra.open()
        refused = await extra.next("error")
        assert refused["code"] == "busy" and refused["retry_after"] == consumers.SOCKETS_RETRY_S
        assert await extra.closed_with() == 1013
        # A connection that closes gives its place back.
        await held[0].ws.disconnect()
        again = Client(room.meeting.slug, "y", client=("203.0.113.7", 5200))
        assert await again.open()
        welcome = await again.join("Chair", chair_key=room.chair_key)
        assert welcome["snapshot"]["role"] == "chair"

    run(scenario)


def test_connections_holding_no_seat_are_capped_per_process_and_one_that_joins_frees_its_place(
    fresh_rooms: LiveRooms,
) -> None:
    from stayhere.rooms.live.gate import JoinGate, Limits

    fresh_rooms.gate = JoinGate(Limits(per_source=0, sockets_per_source=0, per_room=0, unseated=2), b"test secret")
    room = make_room()

    async def scenario() -> None:
        # Two connections from two addresses, neither joined yet: the process holds as many unseated as it may.
        first, second = (Client(room.meeting.slug, f"u{n}", client=(f"198.51.100.{n}", 5000)) for n in range(2))
        assert await first.open() and await second.open()
        flood = Client(room.meeting.slug, "f", client=("198.51.100.9", 5000))
        assert await flood.open()
        refused = await flood.next("error")
        assert (refused["code"], refused["ref"]) == ("busy", "")
        assert refused["retry_after"] == consumers.SOCKETS_RETRY_S
        assert await flood.closed_with() == 1013
        # One of them takes a seat: it no longer counts, and a newcomer may wait in its place.
        welcome = await first.join("Chair", chair_key=room.chair_key)
        assert welcome["snapshot"]["role"] == "chair"
        newcomer = Client(room.meeting.slug, "n", client=("198.51.100.10", 5000))
        assert await newcomer.open()
        member = await newcomer.join("Ana")
        assert member["type"] == "welcome"

    run(scenario)
