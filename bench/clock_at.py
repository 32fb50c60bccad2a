"""Runs the `stayhere` command with the site's clock set to an instant, running on from there at the real pace.

`python -m bench.clock_at 2026-11-30T01:28:00+00:00 serve --port 8123` serves as if it were that Monday's busiest
hour. A near-me-now search answers what starts soon *now*: measured at the real clock, the same benchmark lists 7
meetings a search at one hour and none at another, and its figures move with the hour the run began. The benchmarks
that search start their server this way, so that every run measures the same instant of the week. Only Django's
``timezone.now`` is moved (what the finder, the feeds and the pages read); ``time.monotonic`` and the logs keep the
real time. This is the benchmarks' own tool: nothing in stayhere reads or knows of it.
"""

from __future__ import annotations

import datetime as dt
import sys

EXAMPLE = "2026-11-30T01:28:00+00:00"


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant with its offset (``2026-11-30T01:28:00+00:00`` or ``...Z``)."""
    try:
        instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"bench.clock_at: {text!r} is not an ISO 8601 instant, e.g. {EXAMPLE}") from None
    if instant.tzinfo is None:
        raise SystemExit(f"bench.clock_at: {text!r} has no UTC offset: add one, e.g. +00:00")
    return instant


def set_clock(instant: dt.datetime) -> None:
    """From now on ``django.utils.timezone.now`` reads ``instant`` plus the real time passed since this call."""
    from django.utils import timezone

    real_now = timezone.now
    offset = instant - dt.datetime.now(dt.UTC)  # not real_now(): Django's settings are not read yet

    def now() -> dt.datetime:
        return real_now() + offset

    timezone.now = now


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        raise SystemExit("usage: python -m bench.clock_at INSTANT COMMAND [options]")
    set_clock(parse_instant(argv[0]))
    from stayhere.cli import run

    return run(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
