"""What a newcomer meets: commands that build a directory prepare its database as `serve` does; commands that read
one say, in one sentence, that there is none and where they looked, exit non-zero, and make nothing.

Each runs the real command line in a child process, on a fresh data directory of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_DATA
from tests.deploy.throwaway_postgres import throwaway_database

FEED = TEST_DATA / "feeds" / "small-meeting-guide.json"  # three meetings, two of the Serenity Group
NO_DATABASE = "holds no stayhere database"
READERS = [
    pytest.param(["room-links", "serenity-group"], id="room-links"),
    pytest.param(["export-feed"], id="export-feed"),
    pytest.param(["export-feed", "--format", "csv"], id="export-feed-csv"),
    pytest.param(["slip-keys", "serenity-group", "--enable"], id="slip-keys"),
    pytest.param(["verify-slip", str(TEST_DATA / "feeds" / "malformed.json")], id="verify-slip"),
    pytest.param(["disclose"], id="disclose"),
]


def environment(home: Path, data: Path | None, **more: str) -> dict[str, str]:
    """This process' environment without the test run's own stayhere settings, HOME moved into the test's folder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STAYHERE_")}
    env |= {"HOME": str(home), "STAYHERE_JANUS": "0", **more}
    if data is not None:
        env["STAYHERE_DATA_DIR"] = str(data)
    return env


def stayhere(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stayhere.cli", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def everything_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("command", READERS)
def test_a_reading_command_on_a_fresh_data_directory_says_so_in_a_sentence_and_makes_nothing(
    tmp_path: Path, home: Path, command: list[str]
) -> None:
    data = tmp_path / "data"
    done = stayhere(environment(home, data), *command)
    assert done.returncode == 1
    said = done.stderr.strip()
    assert f"The data directory {data} {NO_DATABASE} (looked for {data / 'stayhere.sqlite3'})" in said
    assert "\n" not in said and "Traceback" not in said
    assert done.stdout == ""
    assert not data.exists()
    assert everything_under(tmp_path) == ["home"]


def test_a_reading_command_in_an_empty_data_directory_leaves_it_empty(tmp_path: Path, home: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    done = stayhere(environment(home, data), "slip-keys", "serenity-group", "--enable")
    assert done.returncode == 1 and NO_DATABASE in done.stderr
    assert everything_under(data) == []


def test_without_stayhere_data_dir_a_reading_command_names_the_default_and_makes_no_folder_in_home(
    home: Path,
) -> None:
    done = stayhere(environment(home, None), "room-links", "serenity-group")
    assert done.returncode == 1
    assert f"The data directory {home / '.local' / 'share' / 'stayhere'} {NO_DATABASE}" in done.stderr
    assert everything_under(home) == []


def test_the_example_disclosure_needs_no_database_and_makes_nothing(tmp_path: Path, home: Path) -> None:
    data = tmp_path / "data"
    done = stayhere(environment(home, data), "disclose", "--example")
    assert done.returncode == 0, done.stderr
    assert "`directory_meeting`" in done.stdout and "rows on this server" not in done.stdout
    assert not data.exists()


def test_import_feed_on_a_fresh_data_directory_prepares_the_database_and_the_readers_then_read_it(
    tmp_path: Path, home: Path
) -> None:
    data = tmp_path / "data"
    env = environment(home, data)
    imported = stayhere(env, "import-feed", str(FEED))
    assert imported.returncode == 0, imported.stderr
    assert "3 created" in imported.stdout
    assert {"stayhere.sqlite3", "secret_key"} <= set(everything_under(data))
    exported = stayhere(env, "export-feed", "--days", "array")
    assert exported.returncode == 0, exported.stderr
    assert sorted(m["name"] for m in json.loads(exported.stdout)) == [
        "Noon Step Study",
        "Online Daily Reflections",
        "Sunday Serenity",
    ]
    disclosed = stayhere(env, "disclose")
    assert disclosed.returncode == 0 and "| `directory_meeting` | 3 |" in disclosed.stdout


def test_load_demo_on_a_fresh_data_directory_prepares_the_database(tmp_path: Path, home: Path) -> None:
    env = environment(home, tmp_path / "data")
    loaded = stayhere(env, "load-demo", "--meetings", "12")
    assert loaded.returncode == 0, loaded.stderr
    assert "Loaded 12 demo meetings" in loaded.stdout
    exported = stayhere(env, "export-feed", "--days", "array")
    assert exported.returncode == 0 and len(json.loads(exported.stdout)) == 12


def test_a_database_older_than_this_stayhere_is_named_with_the_command_that_updates_it(
    tmp_path: Path, home: Path
) -> None:
    data = tmp_path / "data"
    env = environment(home, data)
    assert stayhere(env, "import-feed", str(FEED)).returncode == 0
    assert stayhere(env, "migrate", "slips", "zero", "--verbosity", "0").returncode == 0
    done = stayhere(env, "slip-keys", "serenity-group", "--enable")
    assert done.returncode == 1
    assert f"The stayhere tables in {data / 'stayhere.sqlite3'} are older than this stayhere" in done.stderr
    assert "run `stayhere migrate`" in done.stderr and "Traceback" not in done.stderr


def test_a_reader_that_finds_the_database_keeps_the_key_it_encrypts_with(tmp_path: Path, home: Path) -> None:
    """The data directory's key is made by a reader only once it has found the database, and then kept: slip keys
    encrypted with it must still open the next time."""
    data = tmp_path / "data"
    env = environment(home, data)
    assert stayhere(env, "import-feed", str(FEED)).returncode == 0
    (data / "secret_key").unlink()
    enabled = stayhere(env, "slip-keys", "serenity-group", "--enable")
    assert enabled.returncode == 0, enabled.stderr
    assert (data / "secret_key").stat().st_mode & 0o077 == 0
    rotated = stayhere(env, "slip-keys", "serenity-group", "--rotate")  # opens the key the first run stored
    assert rotated.returncode == 0, rotated.stderr
    assert "New signing key" in rotated.stdout


@pytest.mark.postgres
def test_on_postgresql_an_unmigrated_database_is_refused_by_readers_and_prepared_by_import_feed(
    tmp_path: Path, home: Path
) -> None:
    data = tmp_path / "data"
    with throwaway_database() as url:
        env = environment(home, data, STAYHERE_DATABASE_URL=url)
        name = url.rsplit("/", 1)[1]
        for command in (["export-feed"], ["room-links", "serenity-group"]):
            done = stayhere(env, *command)
            assert done.returncode == 1
            said = done.stderr.strip()
            assert f"The PostgreSQL database '{name}' on 127.0.0.1:5432 (STAYHERE_DATABASE_URL)" in said
            assert "holds no stayhere tables" in said and "\n" not in said and "stayhere_test:" not in said
            assert everything_under(tmp_path) == ["home"]
        imported = stayhere(env, "import-feed", str(FEED))
        assert imported.returncode == 0, imported.stderr
        exported = stayhere(env, "export-feed", "--days", "array")
        assert exported.returncode == 0 and len(json.loads(exported.stdout)) == 3


def test_serve_says_in_a_sentence_that_its_database_is_down_and_does_not_start(tmp_path: Path, home: Path) -> None:
    env = environment(home, tmp_path / "data", STAYHERE_DATABASE_URL="postgresql://nobody@127.0.0.1:1/stayhere")
    refused = stayhere(env, "serve", "--port", "18765")
    assert refused.returncode == 1
    assert refused.stderr.startswith("stayhere: ")
    assert "Traceback" not in refused.stderr
    assert "stayhere is running" not in refused.stdout
