"""`stayhere import-feed` when something around it fails (issue 15, item 5): a full disk, a read-only disk, a
database that is down, another import in the way, a source that is no feed. Each ends in one sentence on
standard error and a non-zero exit, never a traceback, and leaves the directory as it was.

The real command line runs in a child process on a data directory of its own (on a small real file system for
the disk faults, on a throwaway PostgreSQL database for the database ones).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from stayhere.directory.feeds.importer import IMPORT_LOCK
from tests.conftest import REPO, TEST_DATA
from tests.deploy.throwaway_postgres import throwaway_database
from tests.directory.feeds.disks import fill, read_only, small_file_system
from tests.directory.feeds.localhttp import not_http

SMALL = TEST_DATA / "feeds" / "small-tsml.csv"  # two meetings
LARGER = TEST_DATA / "feeds" / "real" / "mg-san-jose-2018-code4recovery.json"  # 568 meetings


def _environment(data: Path, **more: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STAYHERE_")}
    return env | {"HOME": str(data.parent), "STAYHERE_JANUS": "0", "STAYHERE_DATA_DIR": str(data), **more}


def _stayhere(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stayhere.cli", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=180
    )


def _said_in_a_sentence(done: subprocess.CompletedProcess[str], *words: str) -> str:
    said = done.stderr.strip()
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in said and "\n" not in said, said
    for word in words:
        assert word in said, said
    return said


def _meetings(data: Path) -> list[str]:
    # Closed after: a remount needs no file open. Immutable: read on a read-only disk too (no WAL files made).
    with closing(sqlite3.connect(f"file:{data / 'stayhere.sqlite3'}?immutable=1", uri=True)) as db:
        return sorted(slug for (slug,) in db.execute("SELECT slug FROM directory_meeting"))


@pytest.mark.parametrize("free", [0, 200_000], ids=["full", "nearly-full"])
def test_a_full_disk_is_a_sentence_and_the_meetings_stay(tmp_path, free):
    with small_file_system(tmp_path / "disk") as disk:
        env = _environment(disk / "data")
        assert _stayhere(env, "import-feed", str(SMALL)).returncode == 0
        before = _meetings(disk / "data")
        filler = fill(disk, leave=free)
        done = _stayhere(env, "import-feed", str(LARGER))
        _said_in_a_sentence(done, "is full", "nothing was written: free some space, then run the command again")
        filler.unlink()
        assert _meetings(disk / "data") == before


def test_a_read_only_disk_is_a_sentence_and_the_meetings_stay(tmp_path):
    with small_file_system(tmp_path / "disk") as disk:
        env = _environment(disk / "data")
        assert _stayhere(env, "import-feed", str(SMALL)).returncode == 0
        before = _meetings(disk / "data")
        read_only(disk)
        done = _stayhere(env, "import-feed", str(LARGER))
        _said_in_a_sentence(done, "is read-only here", "nothing was written: mount its disk writable")
        assert _meetings(disk / "data") == before


def test_a_database_that_is_down_is_a_sentence(tmp_path):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _environment(tmp_path / "data", STAYHERE_DATABASE_URL=f"postgresql://stayhere@127.0.0.1:{port}/stayhere")
    done = _stayhere(env, "import-feed", str(SMALL))
    _said_in_a_sentence(done, "could not reach the PostgreSQL database", "Is the database server running")


def test_an_import_that_waited_too_long_for_another_writer_says_so_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    env = _environment(data, STAYHERE_FEED_IMPORT_WAIT="1")
    assert _stayhere(env, "import-feed", str(SMALL)).returncode == 0
    other = sqlite3.connect(data / "stayhere.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its work
    try:
        done = _stayhere(env, "import-feed", str(LARGER))
    finally:
        other.execute("ROLLBACK")
        other.close()
    _said_in_a_sentence(done, "nother import (or another writer) held", "run the command again once it has finished")
    assert len(_meetings(data)) == 2


@pytest.mark.postgres
def test_an_import_waits_for_another_on_postgresql_and_gives_up_with_a_sentence(tmp_path):
    with throwaway_database("stayhere_feeds_") as url:
        env = _environment(tmp_path / "data", STAYHERE_DATABASE_URL=url, STAYHERE_FEED_IMPORT_WAIT="1")
        assert _stayhere(env, "import-feed", str(SMALL)).returncode == 0
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK])  # another import, under way
            done = _stayhere(env, "import-feed", str(LARGER))
        _said_in_a_sentence(done, "nother import (or another writer) held", "nothing was written")
        with psycopg.connect(url) as check:
            assert check.execute("SELECT count(*) FROM directory_meeting").fetchone() == (2,)


@pytest.mark.postgres
def test_two_imports_of_one_source_at_once_on_postgresql_both_finish(tmp_path):
    # Both used to take the same new slugs; the second failed on the unique constraint with a traceback.
    with throwaway_database("stayhere_feeds_") as url:
        env = _environment(tmp_path / "data", STAYHERE_DATABASE_URL=url)
        assert _stayhere(env, "import-feed", str(SMALL)).returncode == 0  # migrated once, before the race
        results: list[subprocess.CompletedProcess[str]] = []
        runs = [
            threading.Thread(
                target=lambda: results.append(_stayhere(env, "import-feed", str(LARGER), "--source-key", "same"))
            )
            for _ in range(2)
        ]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        assert [done.returncode for done in results] == [0, 0], [done.stderr[-500:] for done in results]
        with psycopg.connect(url) as check:
            row = check.execute("SELECT count(*) FROM directory_meeting WHERE source = 'same'").fetchone()
        assert row == (568,)


def test_dev_zero_as_the_source_is_read_only_up_to_the_limit(tmp_path):
    env = _environment(tmp_path / "data", STAYHERE_FEED_MAX_BYTES="100000")
    done = _stayhere(env, "import-feed", "/dev/zero")
    _said_in_a_sentence(done, "/dev/zero is larger than 100000 bytes (STAYHERE_FEED_MAX_BYTES)")


def test_an_address_that_does_not_speak_http_is_a_sentence(tmp_path):
    with not_http() as url:
        done = _stayhere(_environment(tmp_path / "data"), "import-feed", url)
    _said_in_a_sentence(done, f"{url} does not speak HTTP")
