"""Shared test set-up. Settings are read from the environment once, before Django starts."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Each test run gets its own data directory, so nothing leaks between runs or into a user's.
os.environ.setdefault("STAYHERE_DATA_DIR", tempfile.mkdtemp(prefix="stayhere-test-"))

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED_FEEDS = REPO.parent / "shared" / "data" / "feeds"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def shared_feeds() -> Path:
    """The real feeds of ../shared/data/feeds, or a skip that says why."""
    if not SHARED_FEEDS.is_dir():
        pytest.skip(f"the shared real feeds are not here ({SHARED_FEEDS}); they come with the steering repository")
    return SHARED_FEEDS
