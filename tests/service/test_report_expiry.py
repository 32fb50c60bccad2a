"""Open problem reports expire: after STAYHERE_REPORT_KEEP_DAYS days (90) a report nobody closed is closed the way
closing forgets, its words and contact address gone from every file (`stayhere forget-old-reports`, run by the sync
timer's service, and the servants' report list). An open suggestion's note and contact address go after as long; the
suggested change stays open for review."""

from __future__ import annotations

import configparser
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from stayhere.service import reports, suggestions
from stayhere.service.models import ChangeRequest, ProblemReport
from tests.confidentiality.test_finder_canaries import hits_in
from tests.service.factories import make_tree, signed_in

REPO = Path(__file__).resolve().parents[2]
OLD_TEXT, OLD_CONTACT = "ExpiredReportCanary6181", "expiredcanary5127@example.org"
NEW_TEXT, NEW_CONTACT = "FreshReportCanary2290", "freshcanary8843@example.org"
OLD_NOTE, OLD_NOTE_CONTACT = "ExpiredNoteCanary7304", "expirednote6620@example.org"


def _aged(meeting, days: int, text: str, contact: str) -> ProblemReport:
    made = ProblemReport.objects.create(meeting=meeting, kind="conduct", text=text, contact=contact)
    ProblemReport.objects.filter(pk=made.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return made


@pytest.mark.django_db
def test_an_open_report_older_than_the_setting_is_closed_and_forgotten_and_a_younger_one_kept() -> None:
    tree = make_tree()
    old = _aged(tree.meeting, 91, OLD_TEXT, OLD_CONTACT)
    young = _aged(tree.meeting, 89, NEW_TEXT, NEW_CONTACT)
    assert reports.forget_old() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, old.text, old.contact, old.closed_by) == ("closed", "", "", reports.EXPIRED)
    assert old.closed_at is not None
    assert (young.status, young.text, young.contact) == ("open", NEW_TEXT, NEW_CONTACT)
    assert reports.forget_old() == 0
    with override_settings(REPORT_KEEP_DAYS=30):
        assert reports.forget_old() == 1
    young.refresh_from_db()
    assert (young.status, young.text) == ("closed", "")


@pytest.mark.django_db
def test_the_servants_report_list_forgets_expired_reports_before_showing_any() -> None:
    tree = make_tree()
    _aged(tree.meeting, 120, OLD_TEXT, OLD_CONTACT)
    page = signed_in(tree.secretary).get("/service/reports").content.decode()
    assert OLD_TEXT not in page
    assert ProblemReport.objects.get().text == ""


def _aged_suggestion(meeting, days: int, note: str, contact: str) -> ChangeRequest:
    made = suggestions.suggest(meeting, {"start_time": "19:30"}, note=note, contact=contact)
    ChangeRequest.objects.filter(pk=made.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return made


@pytest.mark.django_db
def test_an_open_suggestion_older_than_the_setting_loses_its_note_and_contact_but_stays_open() -> None:
    tree = make_tree()
    old = _aged_suggestion(tree.meeting, 91, OLD_NOTE, OLD_NOTE_CONTACT)
    young = _aged_suggestion(tree.meeting, 89, NEW_TEXT, NEW_CONTACT)
    assert suggestions.forget_old_notes() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, old.note, old.contact) == ("open", "", "")
    assert old.proposed == {"start_time": "19:30"}  # the suggestion itself is the public listing's fields: kept
    assert (young.status, young.note, young.contact) == ("open", NEW_TEXT, NEW_CONTACT)
    assert suggestions.forget_old_notes() == 0  # nothing left to forget: the old one is not counted again
    with override_settings(REPORT_KEEP_DAYS=30):
        assert suggestions.forget_old_notes() == 1
    young.refresh_from_db()
    assert (young.status, young.note, young.contact) == ("open", "", "")


@pytest.mark.django_db
def test_the_review_pages_forget_an_old_suggestion_s_note_before_showing_it() -> None:
    tree = make_tree()
    old = _aged_suggestion(tree.meeting, 120, OLD_NOTE, OLD_NOTE_CONTACT)
    reviewer = signed_in(tree.reviewer)
    for page in (f"/service/requests/{old.pk}", "/service/bodies/north/requests"):
        answer = reviewer.get(page)
        assert answer.status_code == 200, page
        assert OLD_NOTE not in answer.content.decode() and OLD_NOTE_CONTACT not in answer.content.decode()
    assert ChangeRequest.objects.get().note == ""


SEED = f"""
import datetime as dt
from django.utils import timezone
from tests.directory.factories import make_meeting
from stayhere.service.models import ProblemReport
meeting = make_meeting("Canary Listing", slug="canary-listing", days=[1], tz="America/Chicago")
for days, text, contact in [(100, "{OLD_TEXT}", "{OLD_CONTACT}"), (5, "{NEW_TEXT}", "{NEW_CONTACT}")]:
    made = ProblemReport.objects.create(meeting=meeting, kind="conduct", text=text, contact=contact)
    ProblemReport.objects.filter(pk=made.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
from stayhere.service import suggestions
from stayhere.service.models import ChangeRequest
made = suggestions.suggest(meeting, {{"start_time": "19:30"}}, note="{OLD_NOTE}", contact="{OLD_NOTE_CONTACT}")
ChangeRequest.objects.filter(pk=made.pk).update(created_at=timezone.now() - dt.timedelta(days=100))
"""


def _stayhere(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stayhere.cli", *args], env=env, capture_output=True, text=True)


@pytest.mark.slow
def test_forget_old_reports_leaves_an_expired_report_s_words_and_contact_in_no_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    env = {name: value for name, value in os.environ.items() if name != "STAYHERE_DATABASE_URL"}
    env.update({"STAYHERE_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)})
    assert _stayhere(env, "migrate", "--no-input").returncode == 0
    seeded = _stayhere(env, "shell", "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr
    database = [p for p in data_dir.rglob("*.sqlite3*") if p.is_file()]
    assert any(hits_in(path, [OLD_TEXT]) for path in database), "the canary was not even stored"
    assert any(hits_in(path, [OLD_NOTE]) for path in database), "the note's canary was not even stored"
    done = _stayhere(env, "forget-old-reports")
    assert done.returncode == 0, done.stderr
    assert "1 open report was older than 90 days" in done.stdout
    assert "1 open suggestion was older than 90 days: its note and contact address are deleted" in done.stdout
    found = [
        f"{needle} in {path}"
        for path in data_dir.rglob("*")
        if path.is_file()
        for needle in hits_in(path, [OLD_TEXT, OLD_CONTACT, OLD_NOTE, OLD_NOTE_CONTACT])
    ]
    assert found == [], "kept: " + "; ".join(found)
    assert any(hits_in(path, [NEW_TEXT]) for path in data_dir.rglob("*.sqlite3*")), "the younger report was lost"
    again = _stayhere(env, "forget-old-reports")
    assert "No open report is older than 90 days." in again.stdout


@pytest.mark.parametrize(("value", "sentence"), [("ninety", "is not a whole number"), ("0", "use 1 or more")])
def test_a_bad_report_keep_days_setting_is_refused_with_a_sentence(tmp_path: Path, value: str, sentence: str) -> None:
    tmp_path.chmod(0o700)
    env = {
        **os.environ,
        "STAYHERE_DATA_DIR": str(tmp_path),
        "STAYHERE_REPORT_KEEP_DAYS": value,
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import stayhere.settings"], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode != 0
    assert "STAYHERE_REPORT_KEEP_DAYS" in done.stderr and sentence in done.stderr


def test_the_sync_timer_s_service_forgets_old_reports_before_syncing() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((REPO / "deploy" / "systemd" / "stayhere-sync.service").read_text())
    service = parser["Service"]
    assert service["ExecStartPre"].split()[1:] == ["forget-old-reports"]
    assert service["ExecStartPre"].split()[0] == service["ExecStart"].split()[0]
    from stayhere.cli import SUBCOMMAND_ALIASES

    assert SUBCOMMAND_ALIASES["forget-old-reports"] == "forget_old_reports"
