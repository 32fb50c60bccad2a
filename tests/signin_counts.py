"""The sign-in limits' counters, for tests: forgotten between tests, and their clock held mid-window (the limits
count in fixed windows, and a test whose attempts straddled a window's end saw its count start again: it failed
once in CI at 01:30 UTC). Shared by the operators' (tests/core/test_login.py) and the servants' tests."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

from stayhere.core import signin


def forget(prefix: str) -> None:
    """Deletes the cache's keys under this prefix only (a shared Redis may hold other people's keys)."""
    backend = caches["default"]
    full = backend.make_key(prefix)
    if isinstance(backend, LocMemCache):
        kept = [key for key in list(backend._cache) if key.startswith(full)]
    else:
        client = backend._cache.get_client()  # type: ignore[attr-defined]  (RedisCache)
        kept = [key.decode() for key in client.keys(full + "*")]
    cache.delete_many([key[len(full) - len(prefix) :] for key in kept])


def forget_counters() -> None:
    forget("signin:")


def hold_clock_mid_window(monkeypatch: pytest.MonkeyPatch, module: object, length: int) -> None:
    held = (int(time.time() // length) + 0.5) * length
    monkeypatch.setattr(module, "time", SimpleNamespace(time=lambda: held))


def hold_sign_in_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    hold_clock_mid_window(monkeypatch, signin, settings.SIGNIN_WINDOW_SECONDS)
