"""bench.directory --database-url: the same benchmark on PostgreSQL, in a database it makes and drops.

Runs in the suite's PostgreSQL pass (STAYHERE_DATABASE_URL set); the SQLite pass skips it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.conftest import REPO

DATABASE_URL = os.environ.get("STAYHERE_DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        urlsplit(DATABASE_URL).scheme not in ("postgres", "postgresql"),
        reason="needs STAYHERE_DATABASE_URL (PostgreSQL)",
    ),
]


def _databases(server: str) -> set[str]:
    """The benchmark's own databases on the server (others' tests may make and drop theirs meanwhile)."""
    with psycopg.connect(server) as connection:
        names = {row[0] for row in connection.execute("SELECT datname FROM pg_database")}
    return {name for name in names if name.startswith("stayhere_bench_")}


def test_the_smoke_run_measures_postgresql_and_drops_its_database(tmp_path: Path) -> None:
    server = urlunsplit(urlsplit(DATABASE_URL)._replace(path="/postgres"))
    before = _databases(server)
    output = tmp_path / "bench.json"
    env = {key: value for key, value in os.environ.items() if key != "STAYHERE_DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--smoke", "--database-url", server, "--json", str(output)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(output.read_text())
    assert figures["database"] == "postgresql" and figures["machine"]["postgresql"]
    assert figures["imported_meetings"] == 300 and figures["slots"] > 300
    assert figures["export_status"] == 200 and figures["query_errors"] == 0
    assert _databases(server) == before  # the throwaway database is gone


def test_a_database_url_that_is_not_postgresql_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.directory", "--smoke", "--database-url", "mysql://x@localhost/db"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--database-url must be a postgresql:// URL" in done.stderr
