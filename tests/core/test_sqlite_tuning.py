"""Each SQLite connection maps the database into memory, so the request threads share the system's page cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from stayhere.core.apps import MMAP_BYTES


@pytest.mark.django_db
def test_a_sqlite_connection_reads_a_large_database_through_its_memory_map(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    # A connection to a database file, as the server's (the tests' own database is in memory: nothing to map).
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "mapped.sqlite3")})
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            (mapped,) = cursor.fetchone()
    finally:
        wrapper.close()
    # SQLite caps the size at its build's limit (just under 2 GiB); 256 MiB covered a fifth of a million meetings.
    assert mapped >= min(MMAP_BYTES, 2_000_000_000)
