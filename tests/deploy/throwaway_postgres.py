"""A PostgreSQL cluster of the test's own (Debian's initdb and pg_ctl), on a free loopback port, to be stopped;
or, quicker, a throwaway database on the suite's own PostgreSQL (the one scripts/test.sh starts).

As root the cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root), in a directory that user
owns; otherwise as the user running the tests.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.live_server import free_port
from tests.needs import need

# The suite's PostgreSQL: a role that may create databases (scripts/test.sh makes it).
ADMIN_URL = os.environ.get(
    "STAYHERE_TEST_POSTGRES_ADMIN_URL", "postgresql://stayhere_test:stayhere_test@127.0.0.1:5432/postgres"
)


@contextmanager
def throwaway_database(prefix: str = "stayhere_throwaway_") -> Iterator[str]:
    """The URL of a new, empty database on the suite's PostgreSQL; dropped afterwards. Skips when none answers."""
    need("postgres")
    name = prefix + uuid.uuid4().hex[:10]
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (scripts/test.sh starts it)")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlsplit(ADMIN_URL)._replace(path="/" + name).geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


@dataclass
class Cluster:
    url: str
    directory: Path
    bin: Path

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.directory)

    def start(self, port: int) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={self.directory} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-l", str(self.directory / "log"), "-o", options,
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as when the database server goes away."""
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")


@contextmanager
def throwaway_postgres(bin_dir: Path) -> Iterator[Cluster]:
    """A fresh cluster with a database ``stayhere`` owned by the role ``stayhere`` (trust, loopback only)."""
    need("postgres")
    directory = Path(tempfile.mkdtemp(prefix="stayhere-pg-"))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(directory, postgres.pw_uid, postgres.pw_gid)
    port = free_port()
    cluster = Cluster(f"postgresql://stayhere@127.0.0.1:{port}/stayhere", directory, bin_dir)
    try:
        cluster._run(
            "initdb", "-D", str(directory / "data"), "-A", "trust", "-U", "stayhere", "-E", "UTF8", "--no-sync"
        )
        cluster.start(port)
        subprocess.run(
            [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "stayhere", "-d", "postgres", "-qc",
             "CREATE DATABASE stayhere"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield cluster
    finally:
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(directory, ignore_errors=True)
