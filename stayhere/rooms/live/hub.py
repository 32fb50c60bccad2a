"""The rooms this process serves: it runs events through the state machine and delivers the effects.

A change is committed to the room store with its *plan* (``stayhere.rooms.live.plan``): the core's effects, each
event's frame made once (by ``frames``, the only writer of frames) with the seats it goes to. The store hands the
plan to every process serving the room in the order changes were committed (one process in the embedded default;
every worker with a seat in the room on Redis), and each carries it out with one handler per type (``HANDLERS``).
Each process gives each text to its own connections' outgoing buffers without a task per message; each
connection's own writer drains its buffer in order. A connection that falls too far behind is
closed (it resumes and gets a fresh snapshot) rather than slowing the room down for everyone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from django.utils.translation import gettext_noop

from stayhere.rooms.core import voice
from stayhere.rooms.core.config import RoomConfig
from stayhere.rooms.core.effects import Close, Delete, Effect, Error, Floor, IssueSlip, Muted, Replay, Send, Voice
from stayhere.rooms.core.meeting import Disconnect, Event, Join, Resume, Tick, apply
from stayhere.rooms.core.snapshot import sees
from stayhere.rooms.core.state import ALL_SEATS, EVERYONE, GREETERS, HOSTS, Room, Seat, open_room
from stayhere.rooms.live import frames
from stayhere.rooms.live.plan import Carried, Plan, Presence, Push, Resumed
from stayhere.rooms.live.store import RING, MemoryRoomStore, RoomStore, StoreBusy, StoreUnavailable

log = logging.getLogger("stayhere.rooms")

__all__ = ["RING", "Connection", "RoomHub"]

TICK_S = 1.0
KEEP_ALIVE_TICKS = 30  # every this many ticks a served room's expiry in the store is pushed back
ORPHAN_TICKS = 10  # every this many ticks, seats held by a process that died are let go (they may resume)
INTERRUPTED_CODE = 4011
STORE_DOWN = gettext_noop(
    "The meeting cannot be joined right now: the server cannot reach the store where live meetings are kept. "
    "Try again in a minute."
)
BUSY = gettext_noop("The meeting is very busy on the server just now, so that did not go through. Try it again.")
RESUME_FAILED = gettext_noop("The meeting is no longer running, or your place was not kept.")
GONE = gettext_noop(
    "The meeting was interrupted on the server (it restarted), or it ended while you were away: nothing from before "
    "was kept. Rejoin to start it afresh."
)
INTERRUPTED = gettext_noop(
    "The meeting was interrupted on the server and could not go on as it was. Rejoin to start it afresh; "
    "nothing from before was kept."
)


class Connection(Protocol):
    base_url: str  # this site as the connection's browser sees it, for links in what it is sent

    def push(self, text: str) -> None: ...

    def hangup(self, code: int) -> None: ...


ConfigLoader = Callable[[], Awaitable[RoomConfig]]
# (room id, effect): the audio's part of a committed change, carried out where the seats' audio is: a Floor, a
# Muted, a Voice, a Close (the seat was sent away) or a Delete (the meeting is over). Never awaits.
AudioEffects = Callable[[str, Effect], None]
# (room id, commitment, minutes present, the site's base URL) -> the signed slip, or raises SlipNotSigned.
SlipIssuer = Callable[[str, str, int, str], Awaitable[dict[str, Any]]]


class SlipNotSigned(Exception):
    """The slip issuer could not sign the slip; the message says why, for the person who asked."""


class RoomHub:
    def __init__(self, store: RoomStore | None = None, clock: Callable[[], float] = time.time) -> None:
        self.store: RoomStore = store or MemoryRoomStore()
        self.store.deliver = self.dispatch
        self.clock = clock
        self.connections: dict[str, dict[str, Connection]] = {}
        self.seqs: dict[str, int] = {}  # per room: the last sequence number delivered here
        self.tickers: dict[str, asyncio.Task[None]] = {}
        self.audio_effects: list[AudioEffects] = []
        self.slip_issuer: SlipIssuer | None = None
        self.pending: set[asyncio.Task[None]] = set()
        self.epochs: dict[tuple[str, str], int] = {}  # (room, seat) -> the seat's epoch its connection here took
        self.held: dict[str, frames.PeopleChanges] = {}  # per room: presence changes not yet sent (see _presence)

    # -- entry points used by the consumer -------------------------------------------------------------

    async def join(self, room_id: str, conn: Connection, event: Join, load_config: ConfigLoader) -> bool:
        """Seats a new connection; False when the room refused it (the connection got an error)."""
        try:
            existing = await self.store.get(room_id)
        except StoreUnavailable:
            conn.push(frames.error("unavailable", STORE_DOWN, "join"))  # nothing was joined: nothing to interrupt
            return False
        if existing is None and room_id in self.connections:
            self.interrupt(room_id)  # the store lost the room under the seats here: they start again too
        config = None if existing is not None else await load_config()
        now = self.clock()

        def step(room: Room | None) -> Plan:
            fresh = room is None
            before = room if room is not None else open_room(config or _missing_config(), now)
            after, effects = apply(before, event, now)
            if fresh and after is not None and not after.seats:
                after = None  # refused on a room nobody was in: do not keep an empty room
            plan = self._plan(after, effects)
            if fresh and after is None:
                plan.carried = _answers(effects, event.seat)
            return plan

        self._register(room_id, event.seat, conn)
        plan = await self._commit(room_id, step, event.seat)
        joined = plan.room is not None and event.seat in plan.room.seats
        if not joined:
            self._unregister(room_id, event.seat, conn)
        else:
            assert plan.room is not None
            self.epochs[(room_id, event.seat)] = plan.room.seats[event.seat].epoch
            await self._attach(room_id, event.seat)
            if room_id not in self.tickers:
                self.tickers[room_id] = asyncio.create_task(self._tick_forever(room_id))
        return joined

    async def resume(self, room_id: str, conn: Connection, event: Resume) -> bool:
        try:
            existing = await self.store.get(room_id)
        except StoreUnavailable:
            existing = None
        if existing is None:
            # Nothing of the meeting is held (the process restarted, or Redis lost it, or it ended meanwhile): the
            # person is told, rather than joined quietly to an empty meeting.
            conn.push(frames.error("interrupted", GONE, "resume"))
            conn.hangup(INTERRUPTED_CODE)
            return False
        previous = self.connections.get(room_id, {}).get(event.seat)
        self._register(room_id, event.seat, conn)
        plan = await self._commit(room_id, self._step(event), event.seat)
        room = plan.room
        if room is None or event.seat not in room.seats or not _resumed(plan.effects, event.seat):
            self._unregister(room_id, event.seat, conn)
            if previous is not None:
                self._register(room_id, event.seat, previous)
            return False
        self.epochs[(room_id, event.seat)] = room.seats[event.seat].epoch
        if previous is not None and previous is not conn:
            previous.hangup(4000)  # an older connection of the same seat, now replaced
        await self._attach(room_id, event.seat)
        if room_id not in self.tickers:
            self.tickers[room_id] = asyncio.create_task(self._tick_forever(room_id))
        return True

    async def handle(self, room_id: str, event: Event) -> Plan:
        plan = await self._commit(room_id, self._step(event), getattr(event, "seat", None))
        if not plan.existed and room_id in self.connections:
            self.interrupt(room_id)  # the store lost the room under its live connections (Redis restarted)
        return plan

    async def announce(self, room_id: str, kind: str, /, **fields: Any) -> None:
        """An event outside the room's numbered stream (not kept for replay, the room unchanged), to every admitted
        seat on every worker serving the room: who is talking, say. Nothing when the room is gone."""
        try:
            room = await self.store.get(room_id)
            if room is None:
                return
            text = frames.outside(kind, self.current_seq(room_id), **fields)
            admitted = tuple(seat_id for seat_id, seat in room.seats.items() if seat.admitted)
            await self.store.announce(room_id, [Push(text, admitted)])
        except StoreUnavailable:
            self.interrupt(room_id)

    async def audio_view(self, room_id: str, seat: str) -> voice.AudioView | None:
        """What the audio may know of a seat now, as the room decides it (None: no such room or seat)."""
        try:
            room = await self.store.get(room_id)
        except StoreUnavailable:
            return None
        return voice.view(room, seat) if room is not None else None

    def frame(self, room_id: str, kind: str, /, **fields: Any) -> str:
        """A frame outside the numbered stream for one of this room's connections (``frames.outside``). The
        presence changes held back go first: their number is already counted in the one this frame carries."""
        self.flush(room_id)
        return frames.outside(kind, self.current_seq(room_id), **fields)

    def error(self, room_id: str, code: str, message: str, ref: str) -> str:
        """An error frame for one of this room's connections, after the last numbered event delivered here (the
        presence changes held back go first: a rename answered, then a mistake, arrive in that order)."""
        self.flush(room_id)
        return frames.error(code, message, ref, self.current_seq(room_id))

    async def disconnected(self, room_id: str, seat: str, conn: Connection) -> None:
        """A connection went away; if it still held its seat, the seat keeps its place for the grace period."""
        if self.connections.get(room_id, {}).get(seat) is not conn:
            return
        self._unregister(room_id, seat, conn)
        await self.handle(room_id, Disconnect(seat, self.epochs.pop((room_id, seat), None)))

    def current_seq(self, room_id: str) -> int:
        return self.seqs.get(room_id, 0)

    def interrupt(self, room_id: str, message: str = INTERRUPTED) -> None:
        """The meeting cannot go on as it was (its store lost it): everyone here is told to rejoin afresh."""
        text = frames.error("interrupted", message, "", self.current_seq(room_id))
        for conn in self.connections.get(room_id, {}).values():
            conn.push(text)
        self._forget(room_id, INTERRUPTED_CODE)

    def interrupt_all(self, message: str = INTERRUPTED) -> None:
        for room_id in list(self.connections):
            self.interrupt(room_id, message)

    # -- what every process serving a room does with a committed change -----------------------------------

    async def dispatch(self, room_id: str, seq: int | None, carried: list[Carried], origin: str) -> None:
        """Carries out a committed change for this process's connections, in the order it was made: one handler per
        type (``HANDLERS``)."""
        if room_id not in self.connections and room_id not in self.tickers:
            return  # no seat of this room here
        if seq is not None:
            self.seqs[room_id] = seq
        conns = self.connections.get(room_id, {})
        for_the_room = False
        for item in carried:
            done = await HANDLERS[type(item)](self, room_id, conns, item, origin)
            if done is _STOP:
                return
            for_the_room = for_the_room or done is _FOR_THE_ROOM
        if for_the_room:
            self.flush(room_id)  # a change that sent the room's seats anything else sends its presence changes too
        if not conns:
            self.connections.pop(room_id, None)

    async def _presence(self, room_id: str, conns: dict[str, Connection], change: Presence, origin: str) -> None:
        """Held back and merged with the room's next ones: a rush of joins costs each seat one frame a tick, not one
        a join. Sent at the room's next tick, or before the next other frame (so frames still arrive in the order
        of their numbers)."""
        held = self.held.get(room_id)
        if held is None:
            held = self.held[room_id] = frames.PeopleChanges()
        held.add(change.event, change.seats)

    def flush(self, room_id: str) -> None:
        """Sends the presence changes held for a room, as one ``people_changed`` frame to each seat here."""
        held = self.held.pop(room_id, None)
        if held is None:
            return
        conns = self.connections.get(room_id)
        if conns:
            self._deliver(conns, Push(held.frame(), held.seats))

    async def _push(self, room_id: str, conns: dict[str, Connection], push: Push, origin: str) -> object:
        held = self.held.get(room_id)
        if held is not None and not held.passes(push.seats):
            self.flush(room_id)  # what was held goes first: each seat gets its frames in the order of their numbers
        self._deliver(conns, push)
        # A frame for the room (not one seat's): presence changes of the same change follow it at once.
        return _FOR_THE_ROOM if push.seats is None or len(push.seats) > 1 else None

    @staticmethod
    def _deliver(conns: dict[str, Connection], push: Push) -> None:
        if push.seats is None:
            for conn in conns.values():
                conn.push(push.text)
            return
        for seat_id in push.seats:
            target = conns.get(seat_id)
            if target is not None:
                target.push(push.text)

    async def _close(self, room_id: str, conns: dict[str, Connection], close: Close, origin: str) -> None:
        if close.seat in conns:
            conns.pop(close.seat).hangup(close.code)
            self.epochs.pop((room_id, close.seat), None)
        self._tell_audio(room_id, close)

    async def _resumed(self, room_id: str, conns: dict[str, Connection], resumed: Resumed, origin: str) -> None:
        conn = conns.get(resumed.seat)
        if conn is None:
            return
        if origin != self.store.worker:
            conns.pop(resumed.seat).hangup(4000)  # it resumed through another process: this connection is an old one
            self.epochs.pop((room_id, resumed.seat), None)
            return
        mine = set(resumed.audiences)
        missed = (
            await self.store.recent(room_id, resumed.after, resumed.upto) if resumed.after <= resumed.upto else None
        )
        if missed is None:
            conn.push(resumed.snapshot)
            return
        for _, to, text in missed:
            if mine.intersection(to):
                conn.push(text)

    async def _audio(
        self, room_id: str, conns: dict[str, Connection], effect: Floor | Muted | Voice, origin: str
    ) -> None:
        self._tell_audio(room_id, effect)

    async def _slip(self, room_id: str, conns: dict[str, Connection], slip: IssueSlip, origin: str) -> None:
        asker = conns.get(slip.seat)
        if asker is not None:
            task = asyncio.create_task(self._issue_slip(room_id, asker, slip))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    async def _delete(self, room_id: str, conns: dict[str, Connection], delete: Delete, origin: str) -> object:
        self._forget(room_id, 1000)
        return _STOP

    def _tell_audio(self, room_id: str, effect: Effect) -> None:
        for carry_out in self.audio_effects:
            carry_out(room_id, effect)

    # -- internals -----------------------------------------------------------------------------------

    def _step(self, event: Event) -> Callable[[Room | None], Plan]:
        now = self.clock()

        def step(room: Room | None) -> Plan:
            if room is None:
                return Plan(room=None)
            after, effects = apply(room, event, now)
            if after is not None and after is not room and not effects and after == room:
                return Plan(room=room)  # nothing happened (a quiet tick): nothing to write or send
            return self._plan(after, effects)

        return step

    async def _commit(self, room_id: str, step: Callable[[Room | None], Plan], seat: str | None = None) -> Plan:
        try:
            return await self.store.commit(room_id, step)
        except StoreBusy:
            # Nothing changed; the meeting goes on. Whoever asked is told to try again.
            log.warning("A room change lost the race to other workers too often; it was refused.")
            conn = self.connections.get(room_id, {}).get(seat) if seat is not None else None
            if conn is not None:
                conn.push(self.error(room_id, "busy", BUSY, ""))
            return Plan(room=None, existed=True)
        except StoreUnavailable:
            log.warning("The room store could not be reached; a meeting was interrupted.")
            self.interrupt(room_id)
            return Plan(room=None, existed=False)

    def _plan(self, room: Room | None, effects: list[Effect]) -> Plan:
        """What each effect asks of every process serving the room: a Send or an Error addressed to the seats it
        reaches now (its frame made once), a Replay with the seat's audiences and a snapshot, the rest as they are."""
        plan = Plan(room=room, effects=effects)
        carried = plan.carried
        reached: dict[tuple[str, ...], tuple[str, ...] | None] = {}  # one change's audiences, each resolved once
        for effect in effects:
            if isinstance(effect, Send):
                text = frames.numbered(effect.event)
                if effect.keep and room is not None:
                    plan.kept.append((effect.event["seq"], effect.to, text))
                seats = reached.get(effect.to)
                if seats is None:
                    seats = reached[effect.to] = _recipients(room, effect.to)
                if effect.event["type"] == frames.PEOPLE_CHANGED and room is not None:
                    carried.append(Presence(effect.event, seats))
                else:
                    carried.append(Push(text, seats))
            elif isinstance(effect, Error):
                carried.append(Push(frames.refusal(effect), (effect.seat,)))
            elif isinstance(effect, Replay):
                seat = room.seats.get(effect.seat) if room is not None else None
                if room is not None and seat is not None:
                    snapshot = frames.snapshot(room, seat.id)
                    carried.append(Resumed(seat.id, effect.after, effect.upto, _audiences(seat), snapshot))
            else:
                carried.append(effect)
        return plan

    def _register(self, room_id: str, seat: str, conn: Connection) -> None:
        self.connections.setdefault(room_id, {})[seat] = conn

    def _unregister(self, room_id: str, seat: str, conn: Connection) -> None:
        seats = self.connections.get(room_id)
        if seats is not None and seats.get(seat) is conn:
            del seats[seat]
            if not seats:
                del self.connections[room_id]

    async def _attach(self, room_id: str, seat: str) -> None:
        try:
            await self.store.attach(room_id, seat)
        except StoreUnavailable:
            self.interrupt(room_id)

    async def _issue_slip(self, room_id: str, conn: Connection, asked: IssueSlip) -> None:
        """Signs in the background and hands the slip to the one seat that asked; nothing about it is kept."""
        if self.slip_issuer is None:
            conn.push(
                self.error(room_id, "slips_off", gettext_noop("This server does not sign attendance slips."), "slip")
            )
            return
        try:
            slip = await self.slip_issuer(room_id, asked.commitment, asked.minutes, conn.base_url)
        except SlipNotSigned as refused:
            conn.push(self.error(room_id, "slip_refused", str(refused), "slip"))
            return
        conn.push(self.frame(room_id, "slip", slip=slip))

    def _forget(self, room_id: str, code: int) -> None:
        known = room_id in self.connections or room_id in self.tickers or room_id in self.seqs
        for held in [held for held in self.epochs if held[0] == room_id]:
            del self.epochs[held]
        for conn in self.connections.pop(room_id, {}).values():
            conn.hangup(code)
        if known:
            self._tell_audio(room_id, Delete())
        self.seqs.pop(room_id, None)
        self.held.pop(room_id, None)
        self.store.release(room_id)
        ticker = self.tickers.pop(room_id, None)
        if ticker is not None and ticker is not asyncio.current_task():
            ticker.cancel()

    async def _tick_forever(self, room_id: str) -> None:
        ticks = 0
        while room_id in self.tickers:
            await asyncio.sleep(TICK_S)
            ticks += 1
            self.flush(room_id)
            try:
                if self.store.shared and room_id not in self.connections:
                    # Nobody here any more: the processes that still serve the room tick it (or, if none
                    # does, it expires from the store).
                    self.tickers.pop(room_id, None)
                    self.seqs.pop(room_id, None)
                    self.store.release(room_id)
                    return
                if ticks % ORPHAN_TICKS == 0:
                    for seat in await self.store.orphans(room_id):
                        await self.handle(room_id, Disconnect(seat))
                if ticks % KEEP_ALIVE_TICKS == 0:
                    await self.store.keep_alive(room_id)
                if not (await self.handle(room_id, Tick())).existed:
                    self._forget(room_id, 1000)
                    return
            except asyncio.CancelledError:
                raise
            except StoreUnavailable:
                self.interrupt(room_id)
                return
            except Exception:
                # Never the event or the room: either may hold what people said.
                log.exception("A room's timer failed; the room carries on without it until the next event.")


def _recipients(room: Room | None, audiences: tuple[str, ...]) -> tuple[str, ...] | None:
    """The seats an event goes to, resolved against their roles now; None: every connection (the last words)."""
    if room is None:
        return None
    seats = room.seats
    if audiences == (EVERYONE,):  # the common case, kept short: every admitted seat
        return tuple(seat_id for seat_id, seat in seats.items() if seat.admitted)
    if len(audiences) == 1 and not audiences[0].startswith("@"):  # one seat
        return audiences
    return tuple(seat_id for seat_id, seat in seats.items() if sees(seat, audiences))


def _audiences(seat: Seat) -> tuple[str, ...]:
    """The audiences an event may name that reach this seat now (for replaying kept events to it)."""
    return (seat.id, *(audience for audience in (ALL_SEATS, EVERYONE, HOSTS, GREETERS) if sees(seat, (audience,))))


def _answers(effects: list[Effect], seat: str) -> list[Carried]:
    """A refused first join's answers, for the one seat that asked (the room was never kept)."""
    carried: list[Carried] = []
    for effect in effects:
        if isinstance(effect, Send) and seat in effect.to:
            carried.append(Push(frames.numbered(effect.event), (seat,)))
        elif isinstance(effect, Error) and effect.seat == seat:
            carried.append(Push(frames.refusal(effect), (seat,)))
    return carried


def _resumed(effects: list[Effect], seat: str) -> bool:
    return any(isinstance(effect, Replay) and effect.seat == seat for effect in effects)


_STOP = object()  # a handler's answer when nothing more of the change applies here (the room is gone)
_FOR_THE_ROOM = object()  # a handler's answer when it sent the room's seats a frame (see RoomHub._presence)
# One handler per carried type: what this process does with it.
HANDLERS: dict[type, Callable[[RoomHub, str, dict[str, Connection], Any, str], Awaitable[object]]] = {
    Push: RoomHub._push,
    Presence: RoomHub._presence,
    Resumed: RoomHub._resumed,
    Close: RoomHub._close,
    Floor: RoomHub._audio,
    Muted: RoomHub._audio,
    Voice: RoomHub._audio,
    IssueSlip: RoomHub._slip,
    Delete: RoomHub._delete,
}


def _missing_config() -> RoomConfig:
    raise RuntimeError("a room was opened without its configuration")
