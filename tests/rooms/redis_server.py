"""A private Redis for tests that restart it or give it settings (Debian's redis-server, a child process)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def shared_redis_url() -> str:
    """The suite's Redis (scripts/test.sh starts one with persistence off and exports its address).

    Named by STAYHERE_TEST_REDIS_URL, it must answer (the full lane always names one). Unnamed (a bare pytest, or
    the fast lane on a machine without redis-server), a test that needs it skips when none answers on 6379."""
    named = os.environ.get("STAYHERE_TEST_REDIS_URL")
    if named:
        return named
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as probe:
            probe.sendall(b"PING\r\n")
            answered = probe.recv(16).startswith(b"+PONG")
    except OSError:
        answered = False
    if not answered:
        pytest.skip(
            "No Redis answers on 127.0.0.1:6379 and STAYHERE_TEST_REDIS_URL names none (scripts/test.sh starts one)"
        )
    return DEFAULT_REDIS_URL


def needs_redis_server() -> None:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("Debian's redis-server is not installed here: apt-get install redis-server")


def unique_prefix() -> str:
    return "stayhere-test-" + uuid.uuid4().hex[:10]


@dataclass
class PrivateRedis:
    port: int
    directory: Path
    args: tuple[str, ...]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        command += ["--logfile", str(self.directory / "redis.log"), *self.args]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the test's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def private_redis(directory: Path, *args: str) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own on a free loopback port; by default it keeps nothing on disk."""
    needs_redis_server()
    directory.mkdir(parents=True, exist_ok=True)
    server = PrivateRedis(free_port(), directory, args or ("--save", "", "--appendonly", "no"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
