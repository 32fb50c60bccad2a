"""The room store of the scale-out deployment: each live meeting in Redis, so any worker serves any seat.

Per meeting, three keys (one hash tag, so a Redis Cluster keeps them on one node), all with an expiry that the
workers serving the meeting push back while it runs, all deleted when it ends:
    stayhere:{room}:state   hash: v (a random version), s (the Room as JSON, stayhere.rooms.live.codec), ev
    stayhere:{room}:ring    list of recent kept events, for seats that reconnect
    stayhere:{room}:where   hash: seat -> the worker holding its connection
A change is a compare-and-set on the version, done by one Lua script that also appends the kept events to
the ring and publishes the change's plan on one channel that every worker reads, so every worker sees every
room's changes in the order they were committed. A worker that lost the race reads the room again and runs
the (pure) change again. Each worker keeps the last room it saw, so a worker that is the only writer of a
room neither reads nor decodes it before a change.

Redis is only ever memory here: ``ensure_no_persistence`` refuses a Redis that would write rooms to disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis.asyncio as aioredis
import redis.exceptions
from django.utils.translation import gettext_noop
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from stayhere.core.redis import problems_of
from stayhere.rooms.core.state import Room
from stayhere.rooms.live.codec import dump_carried, dump_room, load_carried, load_room
from stayhere.rooms.live.plan import Carried, Deliver, Kept, Plan, Step
from stayhere.rooms.live.store import RING, StoreBusy, StoreUnavailable

log = logging.getLogger("stayhere.rooms")

ROOM_TTL_MS = 10 * 60 * 1000  # a room nobody serves any more is gone from Redis within ten minutes
WORKER_TTL_S = 15  # a worker that has not said it is alive for this long is taken as gone
HEARTBEAT_S = 5.0
PERSISTENCE_CHECK_S = 60.0  # how often a worker asks Redis again whether it writes to disk
PERSISTING = gettext_noop(
    "The meeting was stopped: the server's store of live meetings began keeping them on disk, which this site "
    "never allows, so it was deleted. Nothing from it was kept. The site's operator has been told; rejoin in a "
    "little while."
)
ATTEMPTS = 50  # compare-and-set races lost in a row before a change gives up (never seen: a handful at most)
DELIVERY_TIMEOUT_S = 10.0
POOL_CONNECTIONS = 32  # connections to Redis per worker for changes and reads (the subscription has its own)
FAILURES = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

T = TypeVar("T")

# KEYS: state, ring, where. ARGV: expected version, new version, state ('' deletes the room), ttl ms, channel,
# message, ring size, kept events... Returns {1} when written, {0, version, state} when the version had moved.
_COMMIT = """
local current = redis.call('HGET', KEYS[1], 'v') or ''
if current ~= ARGV[1] then
  return {0, current, redis.call('HGET', KEYS[1], 's') or ''}
end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
else
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
  if #ARGV > 7 then
    redis.call('RPUSH', KEYS[2], unpack(ARGV, 8))
    local over = redis.call('LLEN', KEYS[2]) - tonumber(ARGV[7])
    if over > 0 then
      local dropped = redis.call('LRANGE', KEYS[2], over - 1, over - 1)
      redis.call('LTRIM', KEYS[2], over, -1)
      redis.call('HSET', KEYS[1], 'ev', string.match(dropped[1], '^%d+'))
    end
    redis.call('PEXPIRE', KEYS[2], ARGV[4])
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return {1}
"""


class RedisRoomStore:
    shared = True

    def __init__(
        self,
        url: str,
        prefix: str = "stayhere",
        *,
        allow_persistence: bool = False,
        persistence_check_s: float = PERSISTENCE_CHECK_S,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.channel = f"{prefix}:rooms"
        self.worker = secrets.token_hex(6)
        self.deliver: Deliver | None = None
        self.on_lost: Callable[[], None] | None = None  # every room here is interrupted (set by the hub's owner)
        # Redis began writing to disk: every room here is stopped, with this sentence (set by the hub's owner).
        self.on_persisting: Callable[[str], None] | None = None
        self.allow_persistence = allow_persistence
        self.persistence_check_s = persistence_check_s
        self.persisting: list[str] = []  # what makes Redis write to disk now (empty: it keeps nothing)
        self._redis: aioredis.Redis | None = None
        self._listener: aioredis.Redis | None = None
        self._commit: Any = None
        self._cache: dict[str, tuple[str, Room]] = {}  # room -> (version, room) as this worker last saw it
        self._fresh: set[str] = set()  # rooms whose copy here no other worker has changed since (as far as heard)
        self._locks: dict[str, asyncio.Lock] = {}  # room -> this worker's changes to it, one at a time
        self._waiting: dict[str, asyncio.Future[None]] = {}  # version -> this worker's own change, delivered
        self._reader: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None
        self._starting: asyncio.Lock | None = None

    # -- keys ----------------------------------------------------------------------------------------------

    def _keys(self, room_id: str) -> list[str]:
        tag = f"{self.prefix}:{{{room_id}}}"
        return [f"{tag}:state", f"{tag}:ring", f"{tag}:where"]

    def _worker_key(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    # -- start-up ------------------------------------------------------------------------------------------

    async def _client(self) -> aioredis.Redis:
        if self.persisting:
            raise StoreUnavailable("Redis writes to disk")
        return await self._connected()

    async def _connected(self) -> aioredis.Redis:
        """The connection, the subscription and the heartbeat, started on first use inside the event loop."""
        if self._redis is not None and self._reader is not None and not self._reader.done():
            return self._redis
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._redis is None:
                # A connection found dead is opened again, once, before a command fails: after Redis restarts
                # the pool holds only dead ones. (A change sent twice cannot apply twice: see commit.)
                options: dict[str, Any] = {
                    "socket_timeout": 5,
                    "socket_connect_timeout": 3,
                    "health_check_interval": 10,
                    "retry": Retry(NoBackoff(), 1),
                    "retry_on_error": [redis.exceptions.ConnectionError],
                }
                # A burst of joins waits its turn for one of a bounded number of connections rather than failing.
                pool = aioredis.BlockingConnectionPool.from_url(
                    self.url, max_connections=POOL_CONNECTIONS, timeout=DELIVERY_TIMEOUT_S, **options
                )
                self._redis = aioredis.Redis(connection_pool=pool)
                # The subscription has a connection of its own: a busy pool never stops this worker hearing changes.
                # It is never quietly reconnected: changes published meanwhile would be missed, so a lost
                # subscription is a lost meeting (see _read).
                self._listener = aioredis.Redis.from_url(self.url, **{**options, "retry": Retry(NoBackoff(), 0)})
                self._commit = self._redis.register_script(_COMMIT)
            if self._reader is None or self._reader.done():
                self._ready = asyncio.Event()
                self._reader = asyncio.create_task(self._read())
                await self._wait_ready()
            if self._heartbeat is None or self._heartbeat.done():
                self._heartbeat = asyncio.create_task(self._beat())
        return self._redis

    async def _wait_ready(self) -> None:
        assert self._ready is not None and self._reader is not None
        ready = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait({ready, self._reader}, timeout=DELIVERY_TIMEOUT_S, return_when="FIRST_COMPLETED")
        if ready not in done:
            ready.cancel()
            raise StoreUnavailable("Redis did not accept the subscription")

    async def _read(self) -> None:
        """Reads every committed change from the channel and hands it to this worker's hub, in order."""
        assert self._listener is not None and self._ready is not None
        pubsub = self._listener.pubsub()
        closing = False
        try:
            await pubsub.subscribe(self.channel)
            # The subscription is confirmed before any change this worker makes is published.
            while True:
                confirmation = await pubsub.get_message(timeout=DELIVERY_TIMEOUT_S)
                if confirmation is None:
                    raise TimeoutError("no confirmation of the subscription")
                if confirmation.get("type") == "subscribe":
                    break
            self._ready.set()
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None and message.get("type") == "message":
                    await self._received(message["data"])
        except asyncio.CancelledError:
            closing = True  # this worker is shutting the store down
            raise
        except FAILURES as failure:
            kind = type(failure).__name__
            log.warning("The connection to Redis was lost (%s): live meetings here are interrupted.", kind)
        finally:
            with contextlib.suppress(Exception):  # a Redis that stopped answering must not hold the shutdown
                await asyncio.wait_for(pubsub.aclose(), DELIVERY_TIMEOUT_S)  # type: ignore[no-untyped-call,unused-ignore]  # typed from redis 8
            self._lost(interrupt=not closing)

    def _lost(self, interrupt: bool = True) -> None:
        self._cache.clear()
        self._fresh.clear()
        for waiting in self._waiting.values():
            if not waiting.done():
                waiting.set_exception(StoreUnavailable("the connection to Redis was lost"))
        self._waiting.clear()
        if interrupt and self.on_lost is not None:
            self.on_lost()

    async def _received(self, data: bytes) -> None:
        room_id, origin, version, body = data.split(b"\n", 3)
        if version and origin.decode() != self.worker:
            self._fresh.discard(room_id.decode())  # another worker changed the room: this copy is behind
        if self.deliver is not None:
            try:
                seq, carried = load_carried(body)
                await self.deliver(room_id.decode(), seq, carried, origin.decode())
            except Exception:
                log.exception("A room change could not be delivered here.")
        waiting = self._waiting.pop(version.decode(), None)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    async def _beat(self) -> None:
        assert self._redis is not None
        checked = time.monotonic()
        while True:
            with contextlib.suppress(*FAILURES):
                await self._redis.set(self._worker_key(self.worker), b"1", ex=WORKER_TTL_S)
            if not self.allow_persistence and time.monotonic() - checked >= self.persistence_check_s:
                checked = time.monotonic()
                with contextlib.suppress(*FAILURES, redis.exceptions.RedisError):
                    await self.check_persistence()
            await asyncio.sleep(min(HEARTBEAT_S, self.persistence_check_s))

    async def check_persistence(self) -> list[str]:
        """Asks Redis again whether it writes to disk. If it has begun to, every meeting here is stopped and every
        meeting it holds is deleted (before its next snapshot), and nobody joins until it keeps nothing again."""
        assert self._redis is not None
        save = (await self._redis.config_get("save")).get("save", "")
        appendonly = (await self._redis.config_get("appendonly")).get("appendonly", "no")
        problems = problems_of(_text(save), _text(appendonly))
        if problems and not self.persisting:
            self.persisting = problems
            log.error(
                "Redis began writing to disk while meetings ran; they were ended and deleted, and no meeting "
                "opens until it keeps nothing on disk again. %s",
                " ".join(problems),
            )
            if self.on_persisting is not None:
                self.on_persisting(PERSISTING)
            await self._purge()
        elif not problems and self.persisting:
            self.persisting = []
            log.warning("Redis keeps nothing on disk again: meetings can open.")
        return problems

    async def _purge(self) -> None:
        """Deletes every room's keys (state, kept events, holders) under this prefix."""
        assert self._redis is not None
        async for key in self._redis.scan_iter(match=f"{self.prefix}:{{*}}:*", count=500):
            await self._redis.delete(key)

    # -- the store -----------------------------------------------------------------------------------------

    async def commit(self, room_id: str, step: Step) -> Plan:
        # This worker's changes to one room go one at a time (its copy of the room is then always the latest it
        # wrote), so compare-and-set races happen only between workers.
        lock = self._locks.setdefault(room_id, asyncio.Lock())
        async with lock:
            plan, delivered = await self._commit_one(room_id, step)
        if delivered is not None:
            await self._guard(asyncio.wait_for(delivered, DELIVERY_TIMEOUT_S))
        elif plan.carried and self.deliver is not None:
            await self.deliver(
                room_id, plan.seq, plan.carried, self.worker
            )  # the room unchanged: answers to this worker's seat
        return plan

    async def _commit_one(self, room_id: str, step: Step) -> tuple[Plan, asyncio.Future[None] | None]:
        """The compare-and-set loop: the plan, and what is delivered when this worker has read its own change back
        (None: nothing was written, the plan is for this worker alone)."""
        client = await self._guard(self._client())
        state, ring, where = self._keys(room_id)
        cached = self._cache.get(room_id)
        # A room just read from Redis is current, and so is this worker's copy until another worker's change is
        # heard of. (One heard late only delays a quiet tick's outcome by a tick: a write checks the version.)
        trusted = cached is None or room_id in self._fresh
        version, room = cached if cached is not None else await self._fetch(room_id)
        for attempt in range(ATTEMPTS):
            plan = step(room)
            plan.existed = room is not None
            if plan.room is room:
                # Nothing to write (a refusal, a quiet tick). If the room was this worker's copy, make sure it
                # is still the current one before trusting the outcome.
                if not trusted:
                    current = await self._guard(client.hget(state, "v"))
                    if _text(current) != version:
                        version, room = await self._fetch(room_id)
                        trusted = True
                        continue
                return plan, None
            token = secrets.token_hex(8)
            new_version = token if plan.room is not None else ""
            message = b"\n".join(
                (room_id.encode(), self.worker.encode(), token.encode(), dump_carried(plan.seq, plan.carried))
            )
            stored = dump_room(plan.room) if plan.room is not None else b""
            kept = [_kept(entry) for entry in plan.kept] if plan.room is not None else []
            delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting[token] = delivered
            try:
                result = await self._guard(
                    self._commit(
                        keys=[state, ring, where],
                        args=[version, new_version, stored, ROOM_TTL_MS, self.channel, message, RING, *kept],
                    )
                )
            except BaseException:
                self._waiting.pop(token, None)
                raise
            # Written; or written after all (the reply was lost, and the command sent again found its own version).
            if int(result[0]) == 1 or (new_version and _text(result[1]) == new_version):
                self._remember(room_id, new_version, plan.room)
                return plan, delivered
            self._waiting.pop(token, None)
            version, room = _decoded(result[1], result[2])
            self._remember(room_id, version, room)
            trusted = True
            await asyncio.sleep(random.uniform(0, 0.001 * (attempt + 1)))  # noqa: S311  (jitter: another worker won)
        raise StoreBusy("a room kept changing under this worker")

    async def get(self, room_id: str) -> Room | None:
        await self._guard(self._client())
        return (await self._fetch(room_id))[1]

    async def _fetch(self, room_id: str) -> tuple[str, Room | None]:
        client = await self._guard(self._client())
        version, stored = await self._guard(client.hmget(self._keys(room_id)[0], ["v", "s"]))
        found = _decoded(version, stored)
        self._remember(room_id, *found)
        return found

    def _remember(self, room_id: str, version: str, room: Room | None) -> None:
        if room is None:
            self._cache.pop(room_id, None)
            self._fresh.discard(room_id)
        else:
            self._cache[room_id] = (version, room)
            self._fresh.add(room_id)

    async def recent(self, room_id: str, after: int, upto: int) -> list[Kept] | None:
        client = await self._guard(self._client())
        state, ring, _ = self._keys(room_id)
        async with client.pipeline(transaction=True) as pipe:
            pipe.hget(state, "ev")
            pipe.lrange(ring, 0, -1)
            evicted, entries = await self._guard(pipe.execute())
        if int(evicted or 0) > after:
            return None
        missed = []
        for entry in entries:
            seq, to, text = entry.split(b"\x1f", 2)
            number = int(seq)
            if after < number <= upto:
                missed.append((number, tuple(to.decode().split(",")), text.decode()))
        return missed

    async def attach(self, room_id: str, seat: str) -> None:
        client = await self._guard(self._client())
        where = self._keys(room_id)[2]
        async with client.pipeline(transaction=False) as pipe:
            pipe.hset(where, seat, self.worker)
            pipe.pexpire(where, ROOM_TTL_MS)
            await self._guard(pipe.execute())

    async def orphans(self, room_id: str) -> list[str]:
        client = await self._guard(self._client())
        holders = await self._guard(client.hgetall(self._keys(room_id)[2]))
        held = {_text(seat): _text(worker) for seat, worker in holders.items()}
        workers = sorted(set(held.values()) - {self.worker})
        if not workers:
            return []
        alive = await self._guard(client.mget([self._worker_key(worker) for worker in workers]))
        gone = {worker for worker, beat in zip(workers, alive, strict=True) if beat is None}
        if not gone:
            return []
        room = (await self._fetch(room_id))[1]
        if room is None:
            return []
        return [
            seat
            for seat, worker in held.items()
            if worker in gone and seat in room.seats and room.seats[seat].connected
        ]

    async def announce(self, room_id: str, carried: list[Carried]) -> None:
        client = await self._guard(self._client())
        message = b"\n".join((room_id.encode(), self.worker.encode(), b"", dump_carried(None, carried)))
        await self._guard(client.publish(self.channel, message))

    def release(self, room_id: str) -> None:
        """This worker serves the room no more: its copy of the room goes."""
        self._cache.pop(room_id, None)
        self._fresh.discard(room_id)
        lock = self._locks.get(room_id)
        if lock is not None and not lock.locked():
            del self._locks[room_id]

    async def keep_alive(self, room_id: str) -> None:
        client = await self._guard(self._client())
        async with client.pipeline(transaction=False) as pipe:
            for key in self._keys(room_id):
                pipe.pexpire(key, ROOM_TTL_MS)
            await self._guard(pipe.execute())

    async def room_ids(self) -> list[str]:
        client = await self._guard(self._client())
        found = []
        async for key in client.scan_iter(match=f"{self.prefix}:{{*}}:state", count=500):
            found.append(_text(key)[len(self.prefix) + 2 : -len("}:state")])
        return found

    async def close(self) -> None:
        """Stops the reader and the heartbeat and closes the connections, each within DELIVERY_TIMEOUT_S: a Redis
        that stopped answering delays a shutdown by seconds, never holds it."""
        for task in (self._reader, self._heartbeat):
            if task is not None:
                task.cancel()
                await asyncio.wait({task}, timeout=DELIVERY_TIMEOUT_S)
        if self._redis is not None:
            with contextlib.suppress(*FAILURES, asyncio.TimeoutError):
                await asyncio.wait_for(self._redis.delete(self._worker_key(self.worker)), DELIVERY_TIMEOUT_S)
            with contextlib.suppress(*FAILURES, asyncio.TimeoutError):
                await asyncio.wait_for(self._redis.aclose(), DELIVERY_TIMEOUT_S)
        if self._listener is not None:
            with contextlib.suppress(*FAILURES, asyncio.TimeoutError):
                await asyncio.wait_for(self._listener.aclose(), DELIVERY_TIMEOUT_S)
            self._listener = None
        self._redis = self._reader = self._heartbeat = None

    @staticmethod
    async def _guard(work: Awaitable[T]) -> T:
        try:
            return await work
        except FAILURES as failure:
            raise StoreUnavailable(f"Redis could not be reached ({type(failure).__name__})") from None
        except redis.exceptions.RedisError as failure:
            raise StoreUnavailable(f"Redis refused a command ({type(failure).__name__})") from None


def _kept(entry: Kept) -> bytes:
    seq, to, text = entry
    return b"\x1f".join((str(seq).encode(), ",".join(to).encode(), text.encode()))


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value


def _decoded(version: bytes | str | None, stored: bytes | str | None) -> tuple[str, Room | None]:
    if isinstance(version, bytes):
        version = version.decode()
    if not version or not stored:
        return "", None
    return version, load_room(stored)
