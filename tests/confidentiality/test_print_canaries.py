"""What people ask a printed schedule for reaches no file and no log: only the public listings are kept."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.printing.conftest import (
    _weasyprint_missing,
    harbor,  # noqa: F401 (the printing tests' fixture: a service body and its meetings)
)

CANARY = "NumbatCanary5519"
pytestmark = [
    pytest.mark.usefixtures("harbor"),
    pytest.mark.skipif(bool(_weasyprint_missing()), reason=_weasyprint_missing() or "WeasyPrint is here"),
]


def _files_holding(folder: Path, needle: bytes) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()]


def test_a_printed_schedules_choices_reach_no_file_and_no_log(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    asked = [
        {"region": CANARY},
        {"body": CANARY},
        {"body": "harbor", "paper": CANARY},
        {"body": "harbor", "layout": "booklet", "utm": CANARY},  # an unknown parameter, ignored
    ]
    statuses = [
        client.get("/print/schedule.pdf", params, HTTP_USER_AGENT=f"agent-{CANARY}").status_code for params in asked
    ]
    assert statuses == [400, 400, 400, 200]
    assert CANARY not in caplog.text
    assert _files_holding(Path(settings.DATA_DIR), CANARY.encode()) == []
    assert list((Path(settings.DATA_DIR) / "print").glob("schedule-*.pdf"))  # the one schedule made was kept
