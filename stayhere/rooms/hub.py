"""The rooms this process serves: it runs events through the state machine and delivers the effects.

Each event is encoded once and handed to every recipient's outgoing buffer without a task per message; each
connection's own writer drains its buffer in order. A connection that falls too far behind is closed (it
resumes and gets a fresh snapshot) rather than slowing the room down for everyone.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from stayhere.rooms.config import RoomConfig
from stayhere.rooms.effects import Close, Delete, Effect, Floor, IssueSlip, Muted, Replay, Send
from stayhere.rooms.meeting import Disconnect, Event, Join, Resume, Tick, apply
from stayhere.rooms.protocol import encode
from stayhere.rooms.snapshot import sees, snapshot_for
from stayhere.rooms.state import ALL_SEATS, EVERYONE, Room, open_room
from stayhere.rooms.store import MemoryRoomStore, RoomStore

log = logging.getLogger("stayhere.rooms")

# Recent events kept per room for seats that reconnect; older gaps get a snapshot instead.
RING = 512
TICK_S = 1.0


class Connection(Protocol):
    base_url: str  # this site as the connection's browser sees it, for links in what it is sent

    def push(self, text: str) -> None: ...

    def hangup(self, code: int) -> None: ...


ConfigLoader = Callable[[], Awaitable[RoomConfig]]
FloorListener = Callable[[str, str | None], None]
# (room id, seats a host muted): a host's ``mute`` or ``mute_all`` the room accepted.
MuteListener = Callable[[str, tuple[str, ...]], None]
# (room id, seat): the room sent this seat away (it left, was removed or denied).
GoneListener = Callable[[str, str], None]
# (room id): the meeting is over and the room deleted.
EndListener = Callable[[str], None]
# (room id, commitment, minutes present, the site's base URL) -> the signed slip, or SlipRefused with a sentence.
SlipIssuer = Callable[[str, str, int, str], Awaitable[dict[str, Any]]]


class SlipRefused(Exception):
    """The slip could not be signed; the message says why, for the person who asked."""


class RoomHub:
    def __init__(self, store: RoomStore | None = None, clock: Callable[[], float] = time.time) -> None:
        self.store: RoomStore = store or MemoryRoomStore()
        self.clock = clock
        self.connections: dict[str, dict[str, Connection]] = {}
        self.rings: dict[str, collections.deque[tuple[int, tuple[str, ...], str]]] = {}
        self.evicted: dict[str, int] = {}  # per room: the last sequence number dropped from its ring
        self.tickers: dict[str, asyncio.Task[None]] = {}
        self.floor_listeners: list[FloorListener] = []
        self.mute_listeners: list[MuteListener] = []
        self.gone_listeners: list[GoneListener] = []
        self.end_listeners: list[EndListener] = []
        self.slip_issuer: SlipIssuer | None = None
        self.pending: set[asyncio.Task[None]] = set()

    # -- entry points used by the consumer -------------------------------------------------------------

    async def join(self, room_id: str, conn: Connection, event: Join, load_config: ConfigLoader) -> bool:
        """Seats a new connection; False when the room refused it (the connection got an error)."""
        existing = await self.store.get(room_id)
        config = None if existing is not None else await load_config()
        now = self.clock()

        def change(room: Room | None) -> tuple[Room | None, tuple[Room | None, list[Effect]]]:
            fresh = room is None
            before = room if room is not None else open_room(config or _missing_config(), now)
            after, effects = apply(before, event, now)
            if fresh and after is not None and not after.seats:
                after = None  # refused on a room nobody was in: do not keep an empty room
            return after, (after, effects)

        self._register(room_id, event.seat, conn)
        room, effects = await self.store.mutate(room_id, change)
        self._deliver(room_id, room, effects)
        joined = room is not None and event.seat in room.seats
        if not joined:
            self._unregister(room_id, event.seat, conn)
        elif room_id not in self.tickers:
            self.tickers[room_id] = asyncio.create_task(self._tick_forever(room_id))
        return joined

    async def resume(self, room_id: str, conn: Connection, event: Resume) -> bool:
        if await self.store.get(room_id) is None:
            conn.push(_error("resume_failed", "The meeting is no longer running, or your place was not kept."))
            return False
        previous = self.connections.get(room_id, {}).get(event.seat)
        self._register(room_id, event.seat, conn)
        room, effects = await self._apply(room_id, event)
        if room is None or event.seat not in room.seats or not _resumed(effects, event.seat):
            self._unregister(room_id, event.seat, conn)
            if previous is not None:
                self._register(room_id, event.seat, previous)
            self._deliver_to(conn, effects, event.seat)
            return False
        if previous is not None and previous is not conn:
            previous.hangup(4000)  # an older connection of the same seat, now replaced
        self._deliver(room_id, room, effects)
        return True

    async def handle(self, room_id: str, event: Event) -> None:
        room, effects = await self._apply(room_id, event)
        self._deliver(room_id, room, effects)

    def push_admitted(self, room_id: str, event: dict[str, Any], room: Room) -> None:
        """An event outside the room's numbered stream (not kept for replay), to every admitted seat here."""
        text = encode({**event, "seq": self.current_seq(room_id)})
        for seat_id, conn in self.connections.get(room_id, {}).items():
            seat = room.seats.get(seat_id)
            if seat is not None and seat.admitted:
                conn.push(text)

    async def disconnected(self, room_id: str, seat: str, conn: Connection) -> None:
        """A connection went away; if it still held its seat, the seat keeps its place for the grace period."""
        if self.connections.get(room_id, {}).get(seat) is not conn:
            return
        self._unregister(room_id, seat, conn)
        await self.handle(room_id, Disconnect(seat))

    def current_seq(self, room_id: str) -> int:
        ring = self.rings.get(room_id)
        return ring[-1][0] if ring else 0

    # -- internals -----------------------------------------------------------------------------------

    async def _apply(self, room_id: str, event: Event) -> tuple[Room | None, list[Effect]]:
        now = self.clock()

        def change(room: Room | None) -> tuple[Room | None, tuple[Room | None, list[Effect]]]:
            if room is None:
                return None, (None, [])
            after, effects = apply(room, event, now)
            return after, (after, effects)

        return await self.store.mutate(room_id, change)

    def _register(self, room_id: str, seat: str, conn: Connection) -> None:
        self.connections.setdefault(room_id, {})[seat] = conn

    def _unregister(self, room_id: str, seat: str, conn: Connection) -> None:
        seats = self.connections.get(room_id)
        if seats is not None and seats.get(seat) is conn:
            del seats[seat]
            if not seats:
                del self.connections[room_id]

    def _deliver(self, room_id: str, room: Room | None, effects: list[Effect]) -> None:
        conns = self.connections.get(room_id, {})
        ring = self.rings.setdefault(room_id, collections.deque(maxlen=RING)) if room is not None else None
        for effect in effects:
            if isinstance(effect, Send):
                text = encode(effect.event)
                if effect.keep and ring is not None:
                    if len(ring) == RING:
                        self.evicted[room_id] = ring[0][0]
                    ring.append((effect.event["seq"], effect.to, text))
                if room is None:  # the meeting's last words, to everyone still connected
                    everyone = ALL_SEATS in effect.to or EVERYONE in effect.to
                    for seat_id, conn in conns.items():
                        if everyone or seat_id in effect.to:
                            conn.push(text)
                    continue
                seats = room.seats
                if effect.to == (EVERYONE,):  # the common case, kept short: every admitted seat
                    for seat_id, conn in conns.items():
                        seat = seats.get(seat_id)
                        if seat is not None and seat.admitted:
                            conn.push(text)
                    continue
                if len(effect.to) == 1 and not effect.to[0].startswith("@"):  # one seat
                    target = conns.get(effect.to[0])
                    if target is not None:
                        target.push(text)
                    continue
                for seat_id, conn in conns.items():
                    seat = seats.get(seat_id)
                    if seat is not None and sees(seat, effect.to):
                        conn.push(text)
            elif isinstance(effect, Close):
                if effect.seat in conns:
                    conns.pop(effect.seat).hangup(effect.code)
                for gone in self.gone_listeners:
                    gone(room_id, effect.seat)
            elif isinstance(effect, Replay) and room is not None:
                self._replay(room_id, room, effect)
            elif isinstance(effect, Muted):
                for muted in self.mute_listeners:
                    muted(room_id, effect.seats)
            elif isinstance(effect, Floor):
                for listener in self.floor_listeners:
                    listener(room_id, effect.seat)
            elif isinstance(effect, IssueSlip):
                asker = conns.get(effect.seat)
                if asker is not None:
                    task = asyncio.create_task(self._issue_slip(room_id, asker, effect))
                    self.pending.add(task)
                    task.add_done_callback(self.pending.discard)
            elif isinstance(effect, Delete):
                self._forget(room_id)

    def _deliver_to(self, conn: Connection, effects: list[Effect], seat: str) -> None:
        for effect in effects:
            if isinstance(effect, Send) and seat in effect.to:
                conn.push(encode(effect.event))

    def _replay(self, room_id: str, room: Room, replay: Replay) -> None:
        conn = self.connections.get(room_id, {}).get(replay.seat)
        seat = room.seats.get(replay.seat)
        if conn is None or seat is None:
            return
        ring = self.rings.get(room_id) or collections.deque()
        missed = [(seq, to, text) for seq, to, text in ring if seq > replay.after]
        # Everything kept since ``after`` is still held unless the ring has dropped something newer.
        if self.evicted.get(room_id, 0) <= replay.after <= room.seq:
            for _, to, text in missed:
                if sees(seat, to):
                    conn.push(text)
        else:
            conn.push(encode({"type": "snapshot", "seq": room.seq, **snapshot_for(room, seat.id)}))

    async def _issue_slip(self, room_id: str, conn: Connection, request: IssueSlip) -> None:
        """Signs in the background and hands the slip to the one seat that asked; nothing about it is kept."""
        if self.slip_issuer is None:
            conn.push(_error("slips_off", "This server does not sign attendance slips.", "slip"))
            return
        try:
            slip = await self.slip_issuer(room_id, request.commitment, request.minutes, conn.base_url)
        except SlipRefused as refused:
            conn.push(_error("slip_refused", str(refused), "slip"))
            return
        conn.push(encode({"type": "slip", "seq": self.current_seq(room_id), "slip": slip}))

    def _forget(self, room_id: str) -> None:
        for conn in self.connections.pop(room_id, {}).values():
            conn.hangup(1000)
        if room_id in self.rings or room_id in self.tickers:
            for ended in self.end_listeners:
                ended(room_id)
        self.rings.pop(room_id, None)
        self.evicted.pop(room_id, None)
        ticker = self.tickers.pop(room_id, None)
        if ticker is not None and ticker is not asyncio.current_task():
            ticker.cancel()

    async def _tick_forever(self, room_id: str) -> None:
        try:
            while room_id in self.tickers:
                await asyncio.sleep(TICK_S)
                if await self.store.get(room_id) is None:
                    self._forget(room_id)
                    return
                await self.handle(room_id, Tick())
        except asyncio.CancelledError:
            raise
        except Exception:
            # Never the event or the room: either may hold what people said.
            log.exception("A room's timer failed; the room carries on without it until the next event.")


def _resumed(effects: list[Effect], seat: str) -> bool:
    return any(isinstance(effect, Replay) and effect.seat == seat for effect in effects)


def _error(code: str, message: str, ref: str = "resume") -> str:
    return encode({"type": "error", "seq": 0, "code": code, "message": message, "ref": ref})


def _missing_config() -> RoomConfig:
    raise RuntimeError("a room was opened without its configuration")
