"""Django's cache when it may be away: in the scale-out deployment it is Redis, which can restart or go missing.

Two kinds of use, two rules:

- a cache that only saves work (the finder's week chart) must never take a page down: ``read`` answers a miss and
  ``write`` does nothing while the cache cannot be reached, so the page is worked out from the database;
- a cache that holds a limit (the sign-in's counts of failed attempts) must not be skipped: ``CacheDown`` is
  raised, and the caller refuses what the limit guards, with a sentence.

After a failure the cache is left alone for ``RETRY_S`` seconds (each use then answers at once, not after a
timeout), and the log gets one line per such spell, naming the error's kind and never its message (which can
name an address).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis.exceptions
from django.core.cache import cache

log = logging.getLogger("stayhere.cache")

# What a cache that cannot be reached raises (redis-py's errors, a socket's own).
FAILURES: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError)
RETRY_S = 10

T = TypeVar("T")
_down_until = 0.0


class CacheDown(Exception):
    """The cache cannot be reached now (Redis is down or restarting)."""


def use(work: Callable[[], T]) -> T:
    """Runs ``work`` on the cache; ``CacheDown`` when the cache cannot be reached (or could not just now)."""
    global _down_until
    if time.monotonic() < _down_until:
        raise CacheDown("the cache failed moments ago")
    try:
        return work()
    except FAILURES as failure:
        _down_until = time.monotonic() + RETRY_S
        log.warning(
            "The cache (Redis) could not be reached (%s): it is not used for %d seconds.",
            type(failure).__name__,
            RETRY_S,
        )
        raise CacheDown(type(failure).__name__) from None


def read(key: str) -> Any:
    """The cached value, or None when there is none or the cache cannot be reached (a miss either way)."""
    try:
        return use(lambda: cache.get(key))
    except CacheDown:
        return None


def write(key: str, value: Any, timeout: float) -> None:
    """Keeps the value when the cache can be reached; otherwise nothing (the next reader works it out again)."""
    try:
        use(lambda: cache.set(key, value, timeout))
    except CacheDown:
        return
