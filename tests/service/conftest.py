from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

from stayhere.core import signin
from stayhere.service import suggestions


def forget_suggestion_counts() -> None:
    backend = caches["default"]
    prefix = backend.make_key("suggest:")
    if isinstance(backend, LocMemCache):
        kept = [key for key in list(backend._cache) if key.startswith(prefix)]
    else:
        client = backend._cache.get_client()  # type: ignore[attr-defined]  (RedisCache)
        kept = [key.decode() for key in client.keys(prefix + "*")]
    cache.delete_many([key[len(prefix) - len("suggest:") :] for key in kept])


@pytest.fixture(autouse=True)
def _fresh_suggestion_counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Counts start at nothing, and their clock is held mid-window (fixed windows restart at their end)."""
    length = settings.SUGGESTION_WINDOW_SECONDS
    held = (int(time.time() // length) + 0.5) * length
    monkeypatch.setattr(suggestions, "time", SimpleNamespace(time=lambda: held))
    forget_suggestion_counts()
    yield
    forget_suggestion_counts()


@pytest.fixture(autouse=True)
def _sign_in_clock_mid_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in limits count in fixed windows too: a test must not straddle one's end (as tests/core/test_login)."""
    length = settings.SIGNIN_WINDOW_SECONDS
    held = (int(time.time() // length) + 0.5) * length
    monkeypatch.setattr(signin, "time", SimpleNamespace(time=lambda: held))
