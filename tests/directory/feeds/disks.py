"""Small real file systems for the tests of a full or read-only data directory: tmpfs mounts, as root (which the
suite's machines are); a test skips where mounting is not allowed."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_file_system(where: Path, options: str = "size=8m,mode=700") -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"a small file system cannot be mounted here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """Writes a file into ``folder`` until its file system has at most ``leave`` bytes free; the file's path."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        if leave:
            free = subprocess.run(["df", "--output=avail", "-B1", str(folder)], capture_output=True, text=True)
            out.write(b"\0" * max(0, int(free.stdout.split()[-1]) - leave))
            return filler
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def read_only(where: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
