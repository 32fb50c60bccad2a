from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from stayhere.service import suggestions
from tests.signin_counts import forget, hold_clock_mid_window, hold_sign_in_clock


def forget_suggestion_counts() -> None:
    forget("suggest:")
    forget("report:")


@pytest.fixture(autouse=True)
def _fresh_suggestion_counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Counts start at nothing, and their clock is held mid-window (fixed windows restart at their end)."""
    hold_clock_mid_window(monkeypatch, suggestions, settings.SUGGESTION_WINDOW_SECONDS)
    forget_suggestion_counts()
    yield
    forget_suggestion_counts()


@pytest.fixture(autouse=True)
def _sign_in_clock_mid_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in limits count in fixed windows too: a test must not straddle one's end."""
    hold_sign_in_clock(monkeypatch)
