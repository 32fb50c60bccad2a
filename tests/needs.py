"""What a test needs beyond Python and this repository, as markers, so the fast lane can leave it out.

``scripts/test.sh --fast`` runs ``-m FAST_LANE``: neither these nor ``slow``. A test gets its marker by
hand (``@pytest.mark.janus``, a module's ``pytestmark``) or from a fixture it uses (``FIXTURE_MARKERS``, applied
by tests/conftest.py). So that no marker is forgotten, the helpers that start Janus, nginx or a PostgreSQL
database call ``need(marker)``: a test that reaches one without its marker fails, in the full lane, saying what
to add.
"""

from __future__ import annotations

import pytest

MARKERS = {
    "browser": "drives Debian's Chromium through Playwright",
    "janus": "starts a Janus (Debian's janus): stayhere's embedded one or a shared server",
    "nginx": "starts Debian's nginx in front of stayhere workers",
    "phone": "starts the telephone edge (Debian's kamailio and rtpengine, and baresip as a caller)",
    "postgres": "needs a PostgreSQL server: the suite's (scripts/test.sh starts it) or a cluster of its own",
}
# Fixtures that bring one of those with them: a test using one (directly or through another fixture) is marked.
FIXTURE_MARKERS = {
    "janus": "janus",  # tests/audio/conftest.py: the module's Janus
    "two_servers": "janus",  # tests/audio/test_shared_janus.py: two shared Janus servers
    "remote": "janus",  # tests/audio/test_remote_janus.py: a Janus in a network namespace
    "edge": "phone",  # tests/phone/conftest.py: the module's Kamailio and rtpengine
}
# Not a need but a cost: a test that takes tens of seconds by design (paced against a server's rate limits).
SLOW = "slow"
FAST_LANE = "not (" + " or ".join([*MARKERS, SLOW]) + ")"

_running: pytest.Item | None = None


def running(item: pytest.Item | None) -> None:
    """Called by tests/conftest.py around each test: the one whose set-up, call and teardown run now."""
    global _running
    _running = item


def need(marker: str) -> None:
    """Fails the running test unless it carries ``marker``: what it starts must show in its marks."""
    item = _running
    if item is not None and item.get_closest_marker(marker) is None:
        pytest.fail(
            f"{item.nodeid} {MARKERS[marker].split(':')[0]} but is not marked {marker}: add "
            f"@pytest.mark.{marker} (or `pytestmark = pytest.mark.{marker}` for the module), so that the fast "
            f"lane, -m {FAST_LANE!r}, leaves it out.",
            pytrace=False,
        )
