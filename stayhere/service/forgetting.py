"""Saving a row whose visitor-typed fields were just emptied, so that the old text is gone from the database file.

On SQLite the old values are overwritten on disk: secure_delete zeroes the row's old bytes in the page, and after
the commit a TRUNCATE checkpoint empties the write-ahead log that held earlier copies of the page. (PostgreSQL
keeps a dead copy of the row until its pages are reused: see docs/SECURITY.md.)
"""

from __future__ import annotations

from django.db import connection, models, transaction


def save_forgetting(instance: models.Model, update_fields: list[str]) -> None:
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")
    try:
        instance.save(update_fields=update_fields)
    finally:
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete=OFF")
    if sqlite:
        transaction.on_commit(_empty_the_log)


def _empty_the_log() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
