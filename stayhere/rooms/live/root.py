"""The composition root: this process's live rooms, built once at start-up and handed to the adapters.

Everything the adapters use is made here and nowhere else: the room store (this process's memory, or Redis shared
with other workers), the hub, the audio relay (on the Janus ``stayhere serve`` started, or on the shared Janus
servers), the configuration loader (the room's settings from the database, with the group's slip settings) and
the slip issuer. ``stayhere.asgi`` builds one ``LiveRooms`` and routes each room's WebSocket to a consumer made
with it; a phone front end dials with the same one. It is the one module of rooms that may reach into the web side
and the slips app (the import contracts in pyproject.toml name it): the arrow from the rooms to the slips is wired
here, so the rest of rooms never imports slips, and the slips app never imports the runtime.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext_noop as _

from stayhere.audio.process import current_janus
from stayhere.audio.relay import AudioRelay
from stayhere.audio.servers import JanusPool
from stayhere.rooms.core.config import RoomConfig
from stayhere.rooms.live.gate import JoinGate, Limits
from stayhere.rooms.live.hub import RoomHub, SlipNotSigned
from stayhere.rooms.live.store import MemoryRoomStore, RoomStore
from stayhere.rooms.web.setup import RoomUnavailable
from stayhere.rooms.web.setup import load_room_config as load_settings
from stayhere.slips.errors import SlipRefused
from stayhere.slips.signing import issue_slip as sign_slip
from stayhere.slips.signing import room_slip_settings

log = logging.getLogger("stayhere.rooms")

DATABASE_DOWN = _(
    "The meeting cannot be opened right now: the server cannot reach its database. Try again in a minute; "
    "a meeting that is already under way goes on."
)
SLIPS_DOWN = _("The server cannot sign slips right now. Ask again in a minute or two.")


class RoomClosed(Exception):
    """The meeting has no room open now; the message says why."""


ConfigSource = Callable[[str], Awaitable[RoomConfig]]


@dataclass
class LiveRooms:
    """This process's rooms: the hub and what the adapters need beside it."""

    hub: RoomHub
    load_config: ConfigSource  # a room's configuration for its first join (RoomClosed, with a sentence, if none)
    make_relay: Callable[[RoomHub], AudioRelay]
    gate: JoinGate = field(default_factory=lambda: gate_from_settings())
    _relay: AudioRelay | None = field(default=None, repr=False)

    @property
    def relay(self) -> AudioRelay:
        """The audio relay, made on first use: inside the event loop, after ``serve`` has started Janus."""
        if self._relay is None:
            self._relay = self.make_relay(self.hub)
        return self._relay

    def use_relay(self, relay: AudioRelay) -> None:
        """Sets the relay (tests: one on a Janus the test started, made with ``AudioRelay(janus, rooms.hub)``)."""
        self._relay = relay


def build(
    redis_url: str | None = None,
    *,
    store: RoomStore | None = None,
    clock: Callable[[], float] = time.time,
    load_config: ConfigSource | None = None,
    make_relay: Callable[[RoomHub], AudioRelay] | None = None,
    gate: JoinGate | None = None,
) -> LiveRooms:
    """This process's rooms from its settings (``STAYHERE_REDIS_URL`` and the Janus settings), each part
    replaceable (tests)."""
    if store is None:
        store = _store(settings.REDIS_URL if redis_url is None else redis_url)
    hub = RoomHub(store, clock=clock)
    if hasattr(store, "on_lost"):
        store.on_lost = hub.interrupt_all
    if hasattr(store, "on_persisting"):
        store.on_persisting = hub.interrupt_all
    hub.slip_issuer = issue_slip
    return LiveRooms(
        hub=hub,
        load_config=load_config or load_room_config,
        make_relay=make_relay or relay_from_settings,
        gate=gate or gate_from_settings(),
    )


def gate_from_settings() -> JoinGate:
    """The join limits of ``STAYHERE_ROOM_JOINS_PER_SOURCE``, ``..._SOCKETS_PER_SOURCE`` and ``..._JOINS_PER_ROOM``."""
    limits = Limits(
        per_source=settings.ROOM_JOINS_PER_SOURCE,
        sockets_per_source=settings.ROOM_SOCKETS_PER_SOURCE,
        per_room=settings.ROOM_JOINS_PER_ROOM,
        unseated=settings.ROOM_UNSEATED_MAX,
    )
    return JoinGate(limits, settings.SECRET_KEY.encode())


def _store(redis_url: str) -> RoomStore:
    """In this process's memory (the embedded default), or in Redis shared with other workers."""
    if not redis_url:
        return MemoryRoomStore()
    from stayhere.rooms.live.redis_store import RedisRoomStore

    return RedisRoomStore(redis_url, allow_persistence=settings.REDIS_ALLOW_PERSISTENCE)


def relay_from_settings(hub: RoomHub) -> AudioRelay:
    """The shared Janus servers of ``STAYHERE_JANUS_SERVERS``, or the one ``stayhere serve`` started, or none."""
    servers = getattr(settings, "JANUS_SERVERS", ())
    turn = getattr(settings, "TURN", None)
    if servers:
        return AudioRelay(None, hub, turn=turn, pool=JanusPool(tuple(servers)), room_key=settings.SECRET_KEY.encode())
    return AudioRelay(current_janus(), hub, turn=turn)


async def load_room_config(slug: str) -> RoomConfig:
    """The room's configuration for a first join (RoomClosed, with a sentence, when it cannot open now)."""
    try:
        config: RoomConfig = await database_sync_to_async(room_config)(slug, time.time())
    except RoomUnavailable as unavailable:
        raise RoomClosed(str(unavailable)) from None
    except DatabaseError:
        log.warning("A room could not be opened: the database is unavailable.")
        raise RoomClosed(DATABASE_DOWN) from None
    return config


def room_config(slug: str, now: float) -> RoomConfig:
    """The room's configuration, with the group's attendance-slip settings (the slips app's, read here)."""
    config = load_settings(slug, now)
    slips, minimum = room_slip_settings(slug)
    return dataclasses.replace(config, slips=slips, slip_minimum_minutes=minimum)


async def issue_slip(room_id: str, commitment: str, minutes: int, url: str) -> dict[str, Any]:
    """Has the slips app sign a slip for this meeting (SlipNotSigned, with its sentence, when it will not)."""
    try:
        slip: dict[str, Any] = await database_sync_to_async(sign_slip)(
            room_id, commitment, minutes, time.time(), via="room", base_url=url
        )
    except SlipRefused as refused:
        raise SlipNotSigned(str(refused)) from None
    except DatabaseError:
        log.warning("A slip could not be signed: the database is unavailable.")
        raise SlipNotSigned(SLIPS_DOWN) from None
    return slip
