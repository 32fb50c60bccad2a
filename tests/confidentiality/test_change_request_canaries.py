"""A visitor's change request keeps no address, browser or fingerprint, and its contact address and note are gone
from every file once the request is closed (SQLite: overwritten in the database, the write-ahead log emptied)."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from stayhere.directory.feeds.importer import import_text
from stayhere.directory.models import Group
from stayhere.service.models import ListingChange
from tests.confidentiality.test_finder_canaries import hits_in
from tests.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parents[2]
CLIENT_ADDRESS = "127.0.0.5"
CONTACT = "contactcanary8841@example.org"
NOTE = "VisitorNoteCanary5530"
AGENT = "AgentCanary2219"
LISTED = "ListedNotesCanary7012"  # the suggested listing text: public, kept by design (shows the search works)
SEED = """
from tests.directory.factories import make_meeting
make_meeting("Canary Listing", slug="canary-listing", days=[1], start="19:00", end="20:00", tz="America/Chicago")
"""
CLOSE = f"""
from stayhere.service import suggestions
from stayhere.service.models import ChangeRequest
request = ChangeRequest.objects.get()
assert request.contact == "{CONTACT}", "the request did not keep the contact before closing"
suggestions.approve(request.pk, "canary-reviewer")
print("CLOSED", ChangeRequest.objects.get().status)
import json
from stayhere.service.models import ListingChange
print("HISTORY", json.dumps([[c.who, c.approved_by, c.label, c.fields] for c in ListingChange.objects.all()]))
"""


def request(server: LiveServer, method: str, path: str, body: str = "", headers: dict[str, str] | None = None):
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(CLIENT_ADDRESS, 0))
    try:
        connection.request(method, path, body=body, headers={"User-Agent": AGENT, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        connection.close()


def suggest(server: LiveServer) -> int:
    _status, cookie, page = request(server, "GET", "/meetings/canary-listing/suggest")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie)
    assert token and csrf_cookie
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "name": "Canary Listing",
        "days": "1",
        "start_time": "19:00",
        "end_time": "20:00",
        "timezone": "America/Chicago",
        "attendance": "in_person",
        "notes": LISTED,
        "note": NOTE,
        "contact": CONTACT,
    }
    status, _cookie, _page = request(
        server,
        "POST",
        "/meetings/canary-listing/suggest",
        urlencode(form),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.group(1)}",
            "Origin": server.url,
        },
    )
    return status


def test_a_closed_request_s_contact_and_note_are_in_no_file_and_the_visitor_s_address_never_was(tmp_path: Path):
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    env = {name: value for name, value in os.environ.items() if name != "STAYHERE_DATABASE_URL"}
    env.update({"STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_LOG_LEVEL": "DEBUG", "PYTHONPATH": str(REPO)})
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}) as server:
        assert suggest(server) == 200
        closed = subprocess.run(
            [sys.executable, "-m", "stayhere.cli", "shell", "-c", CLOSE], env=env, capture_output=True, text=True
        )
        assert "CLOSED approved" in closed.stdout, closed.stderr
        # The approved change is in the history, by the suggestion's number; the visitor's note and address are not.
        recorded = closed.stdout.split("HISTORY", 1)[1]
        assert LISTED in recorded and "canary-reviewer" in recorded
        assert CONTACT not in recorded and NOTE not in recorded
    found: list[str] = []
    for path in [p for p in data_dir.rglob("*") if p.is_file()] + [output]:
        found += [f"{needle} in {path}" for needle in hits_in(path, [CONTACT, NOTE, AGENT, CLIENT_ADDRESS])]
    assert found == [], "kept: " + "; ".join(found)
    database = [p for p in data_dir.rglob("*.sqlite3*") if p.is_file()]
    assert any(hits_in(path, [LISTED]) for path in database), "the search found not even the listing's own text"
    assert "POST /meetings/<slug:slug>/suggest 200" in output.read_text()


REPORT_CONTACT = "reportcontact4471@example.org"
REPORT_TEXT = "ConductReportCanary9034"
CLOSE_REPORT = f"""
from stayhere.service import reports
from stayhere.service.models import ProblemReport
report = ProblemReport.objects.get()
assert (report.contact, report.text) == ("{REPORT_CONTACT}", "{REPORT_TEXT}"), "the report was not kept before closing"
reports.close(report.pk, "canary-secretary")
print("CLOSED", ProblemReport.objects.get().status)
"""


def report_conduct(server: LiveServer) -> int:
    _status, cookie, page = request(server, "GET", "/meetings/canary-listing/report")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie)
    assert token and csrf_cookie
    form = {"csrfmiddlewaretoken": token.group(1), "kind": "conduct", "text": REPORT_TEXT, "contact": REPORT_CONTACT}
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf_cookie.group(1)}",
        "Origin": server.url,
    }
    status, _cookie, _page = request(server, "POST", "/meetings/canary-listing/report", urlencode(form), headers)
    return status


def test_a_closed_report_s_words_and_contact_are_in_no_file_and_the_visitor_s_address_never_was(tmp_path: Path):
    data_dir, output = tmp_path / "data", tmp_path / "server.log"
    data_dir.mkdir(mode=0o700)
    env = {name: value for name, value in os.environ.items() if name != "STAYHERE_DATABASE_URL"}
    env.update({"STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_LOG_LEVEL": "DEBUG", "PYTHONPATH": str(REPO)})
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}) as server:
        assert report_conduct(server) == 200
        closed = subprocess.run(
            [sys.executable, "-m", "stayhere.cli", "shell", "-c", CLOSE_REPORT], env=env, capture_output=True, text=True
        )
        assert "CLOSED closed" in closed.stdout, closed.stderr
    found: list[str] = []
    for path in [p for p in data_dir.rglob("*") if p.is_file()] + [output]:
        found += [
            f"{needle} in {path}" for needle in hits_in(path, [REPORT_CONTACT, REPORT_TEXT, AGENT, CLIENT_ADDRESS])
        ]
    assert found == [], "kept: " + "; ".join(found)
    database = [p for p in data_dir.rglob("*.sqlite3*") if p.is_file()]
    assert any(hits_in(path, ["Canary Listing"]) for path in database), "the search found not even the listing"
    assert "POST /meetings/<slug:slug>/report 200" in output.read_text()


CONTACT_NAME = "ContactNameCanary6620"
CONTACT_EMAIL = "groupcontactcanary3307@example.org"


@pytest.mark.django_db
def test_the_history_never_holds_a_group_s_contact_people_from_any_path(admin_client: Client) -> None:
    """A group's contact people are members: their names and addresses stay out of the listings' history whether
    they arrive by an import, a re-import or the Django admin (the change itself, "contacts changed", is not kept
    either; the group's own public fields are)."""
    record = {
        "slug": "canary-group-meeting", "name": "Canary Group Meeting", "day": 2, "time": "19:00",
        "timezone": "America/Chicago", "address": "1 Main Street", "city": "Springfield", "group": "Canary Group",
        "contact_1_name": CONTACT_NAME, "contact_1_email": CONTACT_EMAIL,
    }  # fmt: skip
    import_text(json.dumps([record]), source_name="feed.json", key="canary-source")
    moved = dict(record, contact_1_email="other" + CONTACT_EMAIL, group_notes="Upstairs")
    import_text(json.dumps([moved]), source_name="feed.json", key="canary-source")
    group = Group.objects.get(name="Canary Group")
    assert group.contacts  # the group keeps them, as the feed published them
    page = admin_client.get(f"/admin/directory/group/{group.pk}/change/")
    form = page.context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data.update(contacts=json.dumps([{"name": CONTACT_NAME + "Two", "email": "new" + CONTACT_EMAIL}]), notes="Side")
    data = {name: value for name, value in data.items() if value is not False}
    assert admin_client.post(f"/admin/directory/group/{group.pk}/change/", data).status_code == 302
    admin_client.post(f"/admin/directory/group/{group.pk}/delete/", {"post": "yes"})
    recorded = json.dumps([[c.label, c.who, c.fields] for c in ListingChange.objects.all()])
    assert "Upstairs" in recorded and "Side" in recorded  # the public fields are recorded, from every path
    assert ListingChange.objects.filter(kind="group", action="removed").exists()
    assert CONTACT_NAME not in recorded and CONTACT_EMAIL not in recorded
