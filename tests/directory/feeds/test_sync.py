"""`stayhere sync-feeds` against real local HTTP servers: one answers 304, one changes, one answers 500, one hangs.
What changed is updated, the rest is kept, and each source is reported in one sentence."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from io import StringIO

import orjson
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from stayhere.directory.feeds import sources, sync
from stayhere.directory.feeds.sync import Result
from stayhere.directory.models import FeedSource, Meeting, ServiceBody
from tests.directory.feeds.localhttp import QuietHandler, serving

pytestmark = pytest.mark.django_db


def feed(prefix: str, count: int, name: str = "Meeting") -> bytes:
    return orjson.dumps(
        [
            {
                "name": f"{name} {n}",
                "slug": f"{prefix}-{n}",
                "day": n % 7,
                "time": "19:00",
                "timezone": "America/Chicago",
                "address": f"{n} Elm Street",
                "city": "Springfield",
                "types": ["O", "D"],
            }
            for n in range(count)
        ]
    )


class Publishers:
    """What each path answers; the test changes it between syncs."""

    def __init__(self) -> None:
        self.bodies = {"/same.json": feed("same", 3), "/changing.json": feed("chg", 3), "/failing.json": feed("f", 3)}
        self.failing = False
        self.release = threading.Event()  # the hanging server answers only once this is set
        self.asked: dict[str, dict[str, str]] = {}
        self.asked_at: dict[str, float] = {}  # time.monotonic() when each path was asked


@pytest.fixture
def publishers() -> Iterator[tuple[Publishers, str]]:
    state = Publishers()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            state.asked[self.path] = dict(self.headers.items())
            state.asked_at[self.path] = time.monotonic()
            if self.path == "/hang.json":
                state.release.wait(30)
                self.send_body(feed("hang", 2))
                return
            if self.path == "/failing.json" and state.failing:
                self.send_body(b"oops", status=500)
                return
            body = state.bodies[self.path]
            etag = f'"{hash(body) & 0xFFFFFF:x}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_body(body, headers={"ETag": etag, "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"})

    with serving(Handler) as url:
        yield state, url
        state.release.set()


def _add(url: str, name: str, **more: str) -> FeedSource:
    return sources.add(sources.NewSource(location=url, name=name, every="every 6 hours", **more))


def _slugs(source: FeedSource) -> list[str]:
    return sorted(Meeting.objects.filter(source=source.key).values_list("source_slug", flat=True))


def test_sync_updates_what_changed_keeps_the_rest_and_says_each_in_a_sentence(publishers, settings):
    state, url = publishers
    settings.FEED_FETCH_TIMEOUT = 2
    same = _add(f"{url}/same.json", "Same list")
    changing = _add(f"{url}/changing.json", "Changing list")
    failing = _add(f"{url}/failing.json", "Failing list")
    first = sync.sync([same, changing, failing])
    assert [o.result for o in first] == [Result.CHANGED] * 3
    assert Meeting.objects.count() == 9

    hanging = _add(f"{url}/hang.json", "Hanging list")
    state.bodies["/changing.json"] = feed("chg", 4, name="Renamed")
    state.failing = True
    for source in (same, changing, failing):
        source.refresh_from_db()
    kept_failing = sorted(Meeting.objects.filter(source=failing.key).values_list("slug", "updated"))

    outcomes = {o.source.key: o for o in sync.sync([same, changing, failing, hanging])}

    assert outcomes[same.key].result is Result.NOT_MODIFIED
    assert state.asked["/same.json"]["If-None-Match"].startswith('"')
    assert state.asked["/same.json"]["If-Modified-Since"] == "Tue, 01 Dec 2026 10:00:00 GMT"
    assert "answered 304 Not Modified" in outcomes[same.key].sentence
    assert _slugs(same) == ["same-0", "same-1", "same-2"]

    assert outcomes[changing.key].result is Result.CHANGED
    assert "1 created, 3 updated" in outcomes[changing.key].sentence
    assert _slugs(changing) == ["chg-0", "chg-1", "chg-2", "chg-3"]
    assert Meeting.objects.get(source=changing.key, source_slug="chg-0").name == "Renamed 0"

    assert outcomes[failing.key].result is Result.FAILED
    assert "HTTP status 500" in outcomes[failing.key].sentence
    assert "its meetings were kept as they were" in outcomes[failing.key].sentence
    assert sorted(Meeting.objects.filter(source=failing.key).values_list("slug", "updated")) == kept_failing

    assert outcomes[hanging.key].result is Result.FAILED
    assert "did not answer within 2 seconds" in outcomes[hanging.key].sentence
    assert not Meeting.objects.filter(source=hanging.key).exists()

    for outcome in outcomes.values():  # one sentence each, naming the source
        assert outcome.sentence.startswith(outcome.source.name)
        assert outcome.sentence.endswith(".") and "\n" not in outcome.sentence

    failing.refresh_from_db()
    assert failing.last_error.startswith(f"{url}/failing.json answered with HTTP status 500")
    assert failing.failing_since is not None and failing.last_success_at is not None
    assert (failing.last_created, failing.last_updated) == (3, 0)  # the counts of its last good sync
    changing.refresh_from_db()
    assert (changing.last_created, changing.last_updated, changing.last_removed) == (1, 3, 0)
    assert changing.failing_since is None and changing.last_error == ""


def test_a_hanging_source_is_bounded_and_does_not_hold_up_the_next(publishers, settings):
    state, url = publishers
    settings.FEED_FETCH_TIMEOUT = 5
    hanging = _add(f"{url}/hang.json", "Hanging list")
    same = _add(f"{url}/same.json", "Same list")
    outcomes = sync.sync([hanging, same])
    assert [o.result for o in outcomes] == [Result.FAILED, Result.CHANGED]
    assert "did not answer within 5 seconds" in outcomes[0].sentence
    # The second was asked while the first still hung, not after it had been given up (5 s on).
    assert state.asked_at["/same.json"] - state.asked_at["/hang.json"] < 5
    assert _slugs(same) == ["same-0", "same-1", "same-2"]


def test_the_run_deadline_leaves_a_late_source_for_the_next_run(publishers, settings):
    _state, url = publishers
    settings.FEED_FETCH_TIMEOUT = 30
    hanging = _add(f"{url}/hang.json", "Hanging list")
    outcomes = sync.sync([hanging], deadline=1)
    assert outcomes[0].result is Result.NOT_REACHED
    assert "reached its deadline" in outcomes[0].sentence
    hanging.refresh_from_db()
    assert hanging.last_attempt_at is None  # still due next run


def test_a_feed_cut_short_by_its_publisher_removes_nothing_and_is_held_back(publishers):
    state, url = publishers
    changing = _add(f"{url}/changing.json", "Changing list")
    state.bodies["/changing.json"] = feed("chg", 10)
    sync.sync([changing])
    state.bodies["/changing.json"] = feed("chg", 2)  # a whole feed that lost 8 of its 10 meetings
    changing.refresh_from_db()
    (outcome,) = sync.sync([changing])
    assert outcome.result is Result.HELD
    assert "8 no longer listed but kept" in outcome.sentence and "STAYHERE_FEED_SHRINK_LIMIT" in outcome.sentence
    assert len(_slugs(changing)) == 10
    changing.refresh_from_db()
    assert "none was removed" in changing.last_warning


def test_the_same_bytes_are_not_imported_again(publishers):
    _state, url = publishers
    changing = _add(f"{url}/changing.json", "Changing list")
    sync.sync([changing])
    changing.refresh_from_db()
    changing.etag = changing.last_modified = ""  # a server that gives no validators
    changing.save()
    (outcome,) = sync.sync([changing])
    assert outcome.result is Result.NOT_MODIFIED and "same bytes" in outcome.sentence


def test_a_source_s_owner_becomes_its_meetings_service_body(publishers):
    _state, url = publishers
    body = ServiceBody.objects.create(name="District 12", slug="district-12")
    owned = _add(f"{url}/same.json", "Same list", body="district-12")
    sync.sync([owned])
    assert set(Meeting.objects.filter(source=owned.key).values_list("service_body", flat=True)) == {body.pk}


def test_only_due_sources_are_synced(publishers, settings):
    _state, url = publishers
    now = timezone.now()
    fresh = _add(f"{url}/same.json", "Fresh")
    stale = _add(f"{url}/changing.json", "Stale")
    manual = sources.add(sources.NewSource(location=f"{url}/failing.json", name="By hand", every="manual"))
    FeedSource.objects.filter(pk=fresh.pk).update(last_attempt_at=now - dt.timedelta(hours=1))
    FeedSource.objects.filter(pk=stale.pk).update(last_attempt_at=now - dt.timedelta(hours=7))
    assert [s.name for s in sync.due(now)] == ["Stale"]
    assert manual.interval is None


def test_the_command_reports_each_source_and_exits_1_when_one_failed(publishers, settings):
    state, url = publishers
    settings.FEED_FETCH_TIMEOUT = 2
    _add(f"{url}/same.json", "Same list")
    _add(f"{url}/failing.json", "Failing list")
    state.failing = True
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("sync_feeds", stdout=out)
    assert failed.value.returncode == 1
    assert "1 of 2 sources were not synced" in str(failed.value)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Failing list failed, and its meetings were kept as they were:")
    assert lines[1].startswith("Same list: 3 meetings read from")


def test_a_source_failing_for_days_is_flagged_in_the_list(publishers, settings):
    state, url = publishers
    settings.FEED_FETCH_TIMEOUT = 2
    settings.SOURCE_FAILING_DAYS = 3
    failing = _add(f"{url}/failing.json", "Failing list")
    state.failing = True
    sync.sync([failing])
    out = StringIO()
    call_command("sources", "list", stdout=out)
    assert "FAILING FOR" not in out.getvalue() and "failing since" in out.getvalue()
    FeedSource.objects.filter(pk=failing.pk).update(failing_since=timezone.now() - dt.timedelta(days=4))
    out = StringIO()
    call_command("sources", "list", stdout=out)
    assert "FAILING FOR 4 DAYS (STAYHERE_SOURCE_FAILING_DAYS is 3)" in out.getvalue()
    assert "1 of 1 sources have been failing for 3 days or more: Failing list." in out.getvalue()


def test_the_stayhere_command_syncs_the_due_sources_and_exits_1_for_a_failing_one(publishers, tmp_path):
    """The real `stayhere sources add` and `stayhere sync-feeds`, in a process of their own, as the timer runs it."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    state, url = publishers
    state.failing = True
    env = {name: value for name, value in os.environ.items() if not name.startswith("STAYHERE_")}
    env |= {"HOME": str(tmp_path), "STAYHERE_JANUS": "0", "STAYHERE_DATA_DIR": str(tmp_path / "data"),
            "STAYHERE_FEED_TIMEOUT": "2"}  # fmt: skip

    def stayhere(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stayhere.cli", *args], env=env, cwd=REPO, capture_output=True, text=True,
            timeout=180, check=False,
        )  # fmt: skip

    assert stayhere("sources", "add", f"{url}/same.json", "--name", "Same list").returncode == 0
    assert stayhere("sources", "add", f"{url}/failing.json", "--name", "Failing list").returncode == 0
    bad = stayhere("sources", "add", "ftp://example.org/x.json", "--name", "Bad")
    assert bad.returncode == 1 and "is not an http(s) URL or a file" in bad.stderr and "Traceback" not in bad.stderr
    done = stayhere("sync-feeds")
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Failing list failed, and its meetings were kept as they were:")
    assert lines[1].startswith("Same list: 3 meetings read from")
    assert "1 of 2 sources were not synced." in done.stderr and "Traceback" not in done.stderr
    again = stayhere("sync-feeds")  # nothing is due any more
    assert again.returncode == 0 and again.stdout.strip() == "No source is due for a sync."
