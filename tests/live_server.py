"""A real stayhere server in a child process, for tests that need real HTTP (browser, canaries)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    output: Path  # the server's stdout and stderr, together
    pid: int = 0  # the serving process (for tests that watch its memory)

    def log_text(self) -> str:
        return self.output.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stayhere(args: list[str], env: dict[str, str], output: Path | None = None) -> None:
    """Runs a stayhere command to completion (its output appended to ``output`` when given)."""
    if output is None:
        subprocess.run([sys.executable, "-m", "stayhere.cli", *args], env=env, check=True, capture_output=True)
        return
    with output.open("ab") as sink:
        subprocess.run([sys.executable, "-m", "stayhere.cli", *args], env=env, check=True, stdout=sink, stderr=sink)


@contextmanager
def live_server(
    data_dir: Path,
    output: Path,
    *,
    setup: Sequence[list[str]] = (),
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[LiveServer]:
    """Migrates, runs each ``setup`` command, serves on ``port`` (a free one by default); stops the server
    afterwards (SIGTERM, as systemd stops a worker)."""
    # The embedded default (SQLite in data_dir) unless extra_env names another database.
    env = {name: value for name, value in os.environ.items() if name != "STAYHERE_DATABASE_URL"}
    env.update({"STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_LOG_LEVEL": "DEBUG", **(extra_env or {})})
    stayhere(["migrate", "--verbosity", "0"], env, output)
    for command in setup:
        stayhere(command, env, output)
    port = port or free_port()
    with output.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "stayhere.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"],
            env=env,
            stdout=sink,
            stderr=sink,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"stayhere did not start:\n{output.read_text(errors='replace')}") from None
                time.sleep(0.2)
        yield LiveServer(url=url, data_dir=data_dir, output=output, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
