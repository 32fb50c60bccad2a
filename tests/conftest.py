"""Shared test set-up. Settings are read from the environment once, before Django starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.needs import FIXTURE_MARKERS, running

# The run's private data directory is chosen by stayhere.testing, loaded before Django starts.

REPO = Path(__file__).resolve().parent.parent
SHARED_FEEDS = REPO.parent / "shared" / "data" / "feeds"
TEST_DATA = Path(__file__).resolve().parent / "data"


COPIED_FEEDS = TEST_DATA / "feeds" / "real"  # five MIT/BSD ones, see tests/data/feeds/SOURCES.md


@pytest.fixture
def shared_feeds() -> Path:
    """The real feeds: all of ../shared/data/feeds when it is there, else the five copied into tests/data."""
    return SHARED_FEEDS if SHARED_FEEDS.is_dir() else COPIED_FEEDS


def real_feed(folder: Path, name: str) -> Path:
    """A real feed from that folder, or a skip that says why it is not there."""
    path = folder / name
    if not path.is_file():
        pytest.skip(f"{name} is not here: it comes with ../shared/data/feeds (the steering repository)")
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a fixture bringing Janus (or the like) gets that fixture's marker (tests/needs.py)."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marker in FIXTURE_MARKERS.items():
            if fixture in used:
                item.add_marker(marker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Lets tests.needs.need see which test is running, through its set-up, call and teardown."""
    running(item)
    try:
        yield
    finally:
        running(None)


@pytest.fixture(autouse=True)
def _english_after_each_test() -> object:
    """A request answered in Spanish leaves Spanish active in the thread (Django's LocaleMiddleware does not put
    the language back), which would turn the next test's English sentences Spanish: each test starts in English."""
    yield
    from django.utils import translation

    translation.deactivate()
