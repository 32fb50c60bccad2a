"""Where live rooms are kept while their meetings run: an interface, and the in-memory store of the embedded
default. (The Redis store of the scale-out deployment implements the same interface.)

A store holds Room values and nothing else; a room leaves the store when its meeting ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from stayhere.rooms.state import Room

T = TypeVar("T")
Change = Callable[[Room | None], tuple[Room | None, T]]


class RoomStore(Protocol):
    async def mutate(self, room_id: str, change: Change[T]) -> T:
        """Applies ``change`` to the room atomically: None in means no such room; None out deletes it."""
        ...

    async def get(self, room_id: str) -> Room | None: ...

    async def delete(self, room_id: str) -> None: ...

    async def room_ids(self) -> list[str]: ...


class MemoryRoomStore:
    """One process's rooms, in a dict. ``change`` runs without awaiting, so it is atomic on the event loop."""

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}

    async def mutate(self, room_id: str, change: Change[T]) -> T:
        room, result = change(self._rooms.get(room_id))
        if room is None:
            self._rooms.pop(room_id, None)
        else:
            self._rooms[room_id] = room
        return result

    async def get(self, room_id: str) -> Room | None:
        return self._rooms.get(room_id)

    async def delete(self, room_id: str) -> None:
        self._rooms.pop(room_id, None)

    async def room_ids(self) -> list[str]:
        return list(self._rooms)
