"""The door of this process's meetings: joins limited per meeting and per connection source, sockets per source.

A flood of joins from one place (one client opening thousands of WebSockets, as an intruder does) is slowed at
the door, before the room or the store does any work for it, and everyone else still gets in: each source has
its own allowance, and each meeting its own, so a flood at one meeting's door never slows another's.

A *source* is the address a connection came from, kept only as a keyed hash (HMAC with the site's secret) of
that address, or of its /64 network for IPv6, where one household has a whole network: never the address, never
written anywhere, never logged, forgotten once its allowance is full again. Behind a proxy every connection
comes from the proxy's address; the per-source limits are then the proxy's to keep (deploy/nginx/stayhere.conf
does), and are turned off here with ``STAYHERE_ROOM_JOINS_PER_SOURCE=0`` and ``STAYHERE_ROOM_SOCKETS_PER_SOURCE=0``
(docs/deploy.md).

Allowances are token buckets: a source may join ``per_source`` times at once and then once every
``60 / per_source`` seconds; a meeting may take ``per_room * BURST_S`` joins at once and then ``per_room`` a
second, in this process. A refusal says in how many seconds to try again.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from stayhere.rooms.core.words import ngettext_lazy

BURST_S = 10.0  # a meeting's allowance holds this many seconds of joins, for the crowd at the top of the hour
SOURCES_KEPT = 50_000  # allowances held at most; beyond it the longest-idle are forgotten (they were full)
ROOMS_KEPT = 10_000


@dataclass(slots=True)
class Bucket:
    tokens: float
    at: float

    def refill(self, now: float, capacity: float, rate: float) -> None:
        self.tokens = min(capacity, self.tokens + (now - self.at) * rate)
        self.at = now

    def wait(self, rate: float) -> float:
        """Seconds until one token is there (0 if one is)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate


@dataclass(frozen=True, slots=True)
class Limits:
    per_source: int = 20  # joins a minute from one source (0: no per-source limit here)
    sockets_per_source: int = 100  # room connections open at once from one source (0: no limit here)
    per_room: int = 20  # joins a second into one meeting, in this process (0: no limit)
    unseated: int = 1000  # connections open in this process that hold no seat yet, from anywhere (0: no limit)


class JoinGate:
    """Whether a join may go ahead now; every refusal comes with the seconds until it may."""

    def __init__(self, limits: Limits, secret: bytes, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.secret = secret
        self.clock = clock
        self.sources: dict[str, Bucket] = {}
        self.rooms: dict[str, Bucket] = {}
        self.sockets: dict[str, int] = {}
        self.waiting_for_seat = 0  # connections open that hold no seat yet

    def source(self, address: str | None) -> str | None:
        """The keyed hash a connection's address is known by here (None: no address, no per-source limit)."""
        if not address:
            return None
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            network = address  # a Unix socket's path or the like: one source
        else:
            if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
                parsed = parsed.ipv4_mapped
            if isinstance(parsed, ipaddress.IPv6Address):
                network = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
            else:
                network = str(parsed)
        return hmac.new(self.secret, network.encode(), hashlib.sha256).hexdigest()[:24]

    # -- sockets open at once, per source, and those holding no seat yet ----------------------------

    def open_socket(self, source: str | None) -> bool:
        """Counts a new connection from this source; False (and not counted) when it has too many open, or when
        this process already has ``unseated`` connections that hold no seat (a flood from many sources: each such
        connection costs memory until it joins or goes). A counted connection is unseated until ``seated``."""
        if 0 < self.limits.unseated <= self.waiting_for_seat:
            return False
        limit = self.limits.sockets_per_source
        if source is not None and limit > 0:
            count = self.sockets.get(source, 0)
            if count >= limit:
                return False
            self.sockets[source] = count + 1
        self.waiting_for_seat += 1
        return True

    def seated(self) -> None:
        """A counted connection took a seat (joined or resumed): it no longer counts as unseated."""
        self.waiting_for_seat = max(0, self.waiting_for_seat - 1)

    def close_socket(self, source: str | None, *, seated: bool) -> None:
        if not seated:
            self.waiting_for_seat = max(0, self.waiting_for_seat - 1)
        if source is None or source not in self.sockets:
            return
        left = self.sockets[source] - 1
        if left > 0:
            self.sockets[source] = left
        else:
            del self.sockets[source]

    # -- joins ------------------------------------------------------------------------------------

    def join(self, room_id: str, source: str | None) -> float | None:
        """None: the join may go ahead (and is counted); else the seconds to wait before trying again."""
        now = self.clock()
        per_source, per_room = self.limits.per_source, self.limits.per_room
        source_bucket = None
        if source is not None and per_source > 0:
            source_bucket = self._bucket(self.sources, source, per_source, now, SOURCES_KEPT, 60.0)
            source_bucket.refill(now, per_source, per_source / 60)
            wait = source_bucket.wait(per_source / 60)
            if wait:
                return _seconds(wait)
        room_bucket = None
        if per_room > 0:
            capacity = per_room * BURST_S
            room_bucket = self._bucket(self.rooms, room_id, capacity, now, ROOMS_KEPT, BURST_S)
            room_bucket.refill(now, capacity, per_room)
            wait = room_bucket.wait(per_room)
            if wait:
                return _seconds(wait)
        for bucket in (source_bucket, room_bucket):
            if bucket is not None:
                bucket.tokens -= 1
        return None

    def failed(self, source: str | None) -> None:
        """A resume that failed costs its source a join's allowance (resumes are never refused beforehand: a
        worker's restart must not turn its seats away)."""
        per_source = self.limits.per_source
        if source is None or per_source <= 0:
            return
        now = self.clock()
        bucket = self._bucket(self.sources, source, per_source, now, SOURCES_KEPT, 60.0)
        bucket.refill(now, per_source, per_source / 60)
        bucket.tokens = max(-float(per_source), bucket.tokens - 1)

    @staticmethod
    def _bucket(
        buckets: dict[str, Bucket], key: str, capacity: float, now: float, kept: int, full_after: float
    ) -> Bucket:
        """The key's allowance; a new one is full. Past ``kept`` allowances, those full again by now are
        forgotten (they would be made afresh, full), and if that is not enough, the oldest half."""
        bucket = buckets.get(key)
        if bucket is None:
            if len(buckets) >= kept:
                for idle in [idle for idle, held in buckets.items() if now - held.at >= full_after]:
                    del buckets[idle]
                if len(buckets) >= kept:
                    for oldest in list(buckets)[: len(buckets) - kept // 2]:
                        del buckets[oldest]
            bucket = buckets[key] = Bucket(tokens=capacity, at=now)
        return bucket


def _seconds(wait: float) -> float:
    return float(max(1, math.ceil(wait)))


BUSY_RETRY = ngettext_lazy(
    "Many people are joining through the same connection or into this meeting just now. Try again in {seconds} "
    "second; the page will try again by itself.",
    "Many people are joining through the same connection or into this meeting just now. Try again in {seconds} "
    "seconds; the page will try again by itself.",
    "seconds",
)


def busy_sentence(seconds: float) -> str:
    """The door's answer when it is busy (docs/protocol.md, "The door's busy answer"), in English; the writer of
    frames puts it into the connection's language."""
    return BUSY_RETRY.format(seconds=int(seconds))
