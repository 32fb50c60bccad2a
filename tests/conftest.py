"""Shared test set-up. Settings are read from the environment once, before Django starts."""

from __future__ import annotations

from pathlib import Path

import pytest

# The run's private data directory is chosen by stayhere.testing, loaded before Django starts.

REPO = Path(__file__).resolve().parent.parent
SHARED_FEEDS = REPO.parent / "shared" / "data" / "feeds"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def shared_feeds() -> Path:
    """The real feeds of ../shared/data/feeds, or a skip that says why."""
    if not SHARED_FEEDS.is_dir():
        pytest.skip(f"the shared real feeds are not here ({SHARED_FEEDS}); they come with the steering repository")
    return SHARED_FEEDS
