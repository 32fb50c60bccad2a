"""The scale-out deployment keeps nothing either: PostgreSQL, Redis and their files after a whole meeting.

The same meeting as tests/confidentiality/test_room_canaries.py (canary names, chat, a report, a wrong
passcode, a removal, the end), served by a real server on PostgreSQL with its rooms in a Redis of the test's
own. Afterwards the canaries and the client's address are searched for in: a dump of the PostgreSQL database,
every key and value left in Redis, every file in Redis' directory (its log included), the data directory, the
server's output and the temp directory.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import redis

from tests.confidentiality.test_finder_canaries import hits_in
from tests.confidentiality.test_room_canaries import CANARIES, REPO, SEED, hold_a_meeting
from tests.live_server import live_server
from tests.rooms.redis_server import private_redis
from tests.rooms.test_scaleout_processes import throwaway_database


def redis_contents(url: str) -> bytes:
    """Every key and its serialized value (DUMP), whatever its type."""
    client = redis.Redis.from_url(url)
    try:
        return b"".join(key + b"=" + (client.dump(key) or b"") for key in client.scan_iter(count=1000))
    finally:
        client.close()


@pytest.mark.postgres
def test_a_whole_meeting_on_postgresql_and_redis_leaves_nothing_behind(tmp_path: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed here: apt-get install postgresql-client")
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    with throwaway_database() as database, private_redis(tmp_path / "redis") as redis_server:
        env = {"PYTHONPATH": str(REPO), "STAYHERE_DATABASE_URL": database, "STAYHERE_REDIS_URL": redis_server.url}
        with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env=env) as server:
            chair_key = next(line.split()[1] for line in server.log_text().splitlines() if line.startswith("CHAIR-KEY"))
            hold_a_meeting(server, chair_key)
            keyspace = redis_contents(redis_server.url)
        dump = subprocess.run([pg_dump, "--no-owner", database], capture_output=True, check=True, timeout=120).stdout

    found: list[str] = []
    (tmp_path / "keyspace.bin").write_bytes(keyspace)
    (tmp_path / "pg_dump.sql").write_bytes(dump)
    for path in [p for p in tmp_path.rglob("*") if p.is_file()]:
        found += [f"{needle} in {path.relative_to(tmp_path)}" for needle in hits_in(path, CANARIES)]
    for path in Path(tempfile.gettempdir()).glob("*"):
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_size < 50_000_000:
                found += [f"{needle} in {path}" for needle in hits_in(path, CANARIES[:-1])]
    assert found == [], "canaries were kept: " + "; ".join(found)
    # Not vacuous: the database was dumped, the server logged, and Redis kept no snapshot file at all.
    assert b"CREATE TABLE" in dump and b"canary-room" in dump
    assert "stayhere is running" in output.read_text()
    assert not list((tmp_path / "redis").glob("*.rdb")) and not list((tmp_path / "redis").glob("appendonly*"))
