"""Python's cyclic collector in a serving process: what it never scans again, and how large its young lists grow.

A serving process's heap is nearly all long-lived (Django, the app, every seat's connection, consumer and tasks), and
the rooms make almost no cyclic garbage once joined (a 1 s sample at 5,000 seats found none). Every collection is a
pause of the one event loop, so of every seat's deliveries. Measured at 5,000 seats in 250 rooms (docs/BENCHMARKS.md,
"The rooms' p99 stalls"): with young lists of 20,000 objects and 20 young collections before a middle one, the middle
generation held some 316,000 objects and each of its collections took 220-290 ms of CPU (a 231 ms delivery in a quiet
window; 1-2 s on a saturated machine), the young ones 10-60 ms. Small young lists keep both short; full collections
stay rare (the high third threshold and CPython's own rule of a full one only once the objects promoted since the
last reach a quarter of the long-lived heap), and what was loaded at start-up is frozen, never scanned again.

This module imports nothing of stayhere's: any serving process (the rooms' ``stayhere serve``, the finder's) may call
it once its start-up is done.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

# (young, middle, old): a young collection once 2,000 more container objects are alive than at the last one
# (CPython's default: 700), a middle one every 5 young ones (10), a full one at most every 1,000 middle ones (10).
THRESHOLDS = (2_000, 5, 1_000)


def tune_for_serving() -> None:
    """Collects once, freezes what is alive (start-up's objects: a full collection will not scan them again), then
    sets ``THRESHOLDS``. Call it when start-up is done; calling it again freezes what has been made since."""
    gc.collect()  # garbage frozen would never be freed
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


# How often a serving loop collects its young generations itself (``collect_young_regularly``).
YOUNG_EVERY_S = 1.0


def collect_young_regularly(loop: asyncio.AbstractEventLoop, every_s: float = YOUNG_EVERY_S) -> None:
    """Collects the two young generations every ``every_s`` on ``loop``, for as long as it runs.

    CPython counts a young collection due from allocations minus deallocations, and a long-lived object freed counts
    too: in a steady meeting, as many room values die as are made, the count hardly moves, and the young lists grow
    without bound between collections (73,701 objects young and 316,133 in the middle at 5,000 seats, thresholds
    20,000 and 20). Collected every second, they hold one second's survivors; the survivors then go to the old
    generation, whose full collections stay as rare as ``THRESHOLDS`` makes them."""

    if loop in _COLLECTING:
        return  # one round of collections a loop, however many times it is asked for
    _COLLECTING.add(loop)

    def collect() -> None:
        gc.collect(1)
        loop.call_later(every_s, collect)

    loop.call_later(every_s, collect)


# The loops whose young generations are already collected every second (a loop that is gone drops out).
_COLLECTING: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

AsgiApp = Callable[[Any, Any, Any], Awaitable[None]]


class CollectingOnItsLoop:
    """An ASGI application that starts ``collect_young_regularly`` on the loop serving it, at its first connection.

    ``stayhere serve --workers N`` has uvicorn's supervisor start each worker process, which imports the application
    and serves it on a loop of its own: no start-up hook of ours runs there. The first request or socket a worker
    serves starts its collections; later ones cost a look-up in a set."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        loop = asyncio.get_running_loop()
        if loop not in _COLLECTING:
            collect_young_regularly(loop)
        await self.app(scope, receive, send)
