"""Where live rooms are kept while their meetings run: an interface, and the in-memory store of the embedded
default. (``stayhere.rooms.live.redis_store`` implements the same interface on Redis for several processes.)

A store holds three things per live meeting and nothing else: the Room value, a short ring of recent events
for seats that reconnect, and nothing more durable than that; all of it leaves the store when the meeting
ends. A change is committed with the *plan* of what it asks every process to do (send these texts to these
seats, close this connection, move the floor); the store delivers the plan to every process that serves the
room, in the order the changes were committed, before ``commit`` returns.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Protocol

from stayhere.rooms.core.state import Room
from stayhere.rooms.live.plan import Carried, Deliver, Kept, Plan, Step

# Recent events kept per room for seats that reconnect; older gaps get a snapshot instead.
RING = 512


class StoreBusy(Exception):
    """A change lost the race for the room to other workers too many times in a row: try it again later."""


class StoreUnavailable(Exception):
    """The store cannot be reached (Redis is down or restarting): the meeting is interrupted."""


class RoomStore(Protocol):
    worker: str  # this process, as the store names it to other processes
    shared: bool  # other processes serve the same rooms
    deliver: Deliver | None  # set by the hub: carries out a plan in this process

    async def commit(self, room_id: str, step: Step) -> Plan:
        """Runs ``step`` on the room atomically, keeps what it returns and has every process serving the room
        carry out what it carries (this one included) before returning. A plan whose room is None deletes the room."""
        ...

    async def get(self, room_id: str) -> Room | None: ...

    async def recent(self, room_id: str, after: int, upto: int) -> list[Kept] | None:
        """Kept events with ``after < seq <= upto``; None when the ring no longer reaches back that far."""
        ...

    async def attach(self, room_id: str, seat: str) -> None:
        """Notes that this process now holds the seat's connection (for finding seats of a process that died)."""
        ...

    async def orphans(self, room_id: str) -> list[str]:
        """Seats whose connection was held by a process that is gone."""
        ...

    async def keep_alive(self, room_id: str) -> None:
        """Pushes back the expiry of a room that is still being served."""
        ...

    async def announce(self, room_id: str, carried: list[Carried]) -> None:
        """Has every process serving the room carry these out without changing the room (no order kept)."""
        ...

    def release(self, room_id: str) -> None:
        """This process no longer serves the room (it may keep serving it elsewhere)."""
        ...

    async def room_ids(self) -> list[str]: ...


@dataclass(slots=True)
class _Ring:
    events: collections.deque[Kept] = field(default_factory=lambda: collections.deque(maxlen=RING))
    evicted: int = 0  # the last sequence number dropped from the ring


class MemoryRoomStore:
    """One process's rooms, in a dict. ``step`` runs without awaiting, so a change is atomic on the event loop."""

    worker = "local"
    shared = False

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}
        self._rings: dict[str, _Ring] = {}
        self.deliver: Deliver | None = None

    async def commit(self, room_id: str, step: Step) -> Plan:
        before = self._rooms.get(room_id)
        plan = step(before)
        plan.existed = before is not None
        if plan.room is None:
            self._rooms.pop(room_id, None)
            self._rings.pop(room_id, None)
        else:
            self._rooms[room_id] = plan.room
            if plan.kept:
                ring = self._rings.setdefault(room_id, _Ring())
                for kept in plan.kept:
                    if len(ring.events) == RING:
                        ring.evicted = ring.events[0][0]
                    ring.events.append(kept)
        if self.deliver is not None and plan.carried:
            await self.deliver(room_id, plan.seq, plan.carried, self.worker)
        return plan

    async def get(self, room_id: str) -> Room | None:
        return self._rooms.get(room_id)

    async def recent(self, room_id: str, after: int, upto: int) -> list[Kept] | None:
        ring = self._rings.get(room_id) or _Ring()
        if ring.evicted > after:
            return None
        return [kept for kept in ring.events if after < kept[0] <= upto]

    async def attach(self, room_id: str, seat: str) -> None:
        return None  # one process: its seats cannot outlive it

    async def orphans(self, room_id: str) -> list[str]:
        return []

    async def keep_alive(self, room_id: str) -> None:
        return None

    async def announce(self, room_id: str, carried: list[Carried]) -> None:
        if self.deliver is not None:
            await self.deliver(room_id, None, carried, self.worker)

    def release(self, room_id: str) -> None:
        return None  # the room lives here until its meeting ends

    async def room_ids(self) -> list[str]:
        return list(self._rooms)

    def ring_size(self, room_id: str) -> int:
        ring = self._rings.get(room_id)
        return len(ring.events) if ring is not None else 0
