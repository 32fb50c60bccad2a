"""Attendance slips in real browsers against a real server: an in-person meeting's chair shows the rotating code,
an attendee scans it (opens its link), gets a slip with a name that stays in the browser and prints it to PDF; an
officer verifies it, a forged copy and a wrong name are refused; afterwards the attendee's name is nowhere on the
server: not in its database, its files or its output, and in no request the browsers sent.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, Watched, watch
from tests.confidentiality.test_finder_canaries import hits_in
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
SLUG = "slip-hall"
NAME = "SlipCanaryAxolotl Jones"
SEED = f"""
import datetime as dt
from stayhere.directory.models import Attendance, Group
from stayhere.rooms.web import keys
from stayhere.rooms.web.models import RoomSettings
from stayhere.slips import keystore
from tests.directory.factories import make_meeting
group = Group.objects.create(name="Church Hall Group", slug="church-hall")
start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
make_meeting("Church Hall Tuesday", slug="{SLUG}", days=list(range(7)), start=start.strftime("%H:%M"),
             end=(start + dt.timedelta(minutes=60)).strftime("%H:%M"), tz="UTC", attendance=Attendance.IN_PERSON,
             group=group)
keystore.enable(group, dt.datetime.now(dt.UTC) - dt.timedelta(days=1), minimum_minutes=0)
print("CHAIR-KEY", keys.rotate_chair_key(RoomSettings.objects.create(group=group)))
"""


@pytest.fixture(scope="module")
def slip_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    data_dir = tmp_path_factory.mktemp("slip-data")
    output = tmp_path_factory.mktemp("slip-logs") / "server.log"
    with live_server(data_dir, output, setup=[["shell", "-c", SEED]], extra_env={"PYTHONPATH": str(REPO)}) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        assert keys, "the seed printed no chair key"
        yield running, keys[-1]


def record_bodies(watched: Watched) -> list[str]:
    bodies: list[str] = []
    watched.page.on("request", lambda request: bodies.append(f"{request.url} {request.post_data or ''}"))
    watched.page.on("websocket", lambda ws: ws.on("framesent", lambda frame: bodies.append(f"ws {frame}")))
    return bodies


def test_an_attendee_gets_a_slip_in_person_prints_it_and_an_officer_verifies_it(
    browser: Any, slip_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, chair_key = slip_server
    contexts = [browser.new_context(base_url=server.url) for _ in range(3)]
    chair, attendee, officer = (watch(context, server.url) for context in contexts)
    sent = [record_bodies(w) for w in (chair, attendee, officer)]
    try:
        # The chair's phone shows this minute's code.
        chair.page.goto(f"/slips/chair/{SLUG}/{chair_key}")
        expect(chair.page.locator("#chair-qr svg")).to_be_visible(timeout=WAIT_MS)
        link = chair.page.locator("#chair-link")
        expect(link).to_have_attribute("href", re.compile(rf"/slips/here/{SLUG}/\d+/"), timeout=WAIT_MS)
        scanned = link.get_attribute("href")

        # The attendee scans it: checked in, and (the group's minimum being 0 here) asked for a name.
        attendee.page.goto(scanned)
        attendee.page.get_by_label("Your name for the slip").fill(NAME)
        attendee.page.get_by_role("button", name="Get my attendance slip").click()
        slip = attendee.page.locator("#slip")
        expect(slip).to_contain_text(NAME, timeout=WAIT_MS)
        expect(slip).to_contain_text("Church Hall Tuesday")
        expect(slip.locator(".qr svg")).to_be_visible()
        salt = slip.locator("dd").nth(1).inner_text()
        verify_link = slip.locator(".slip-url code").inner_text()
        assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){5}", salt)
        pdf = attendee.page.pdf(path=str(tmp_path / "slip.pdf"))
        assert pdf.startswith(b"%PDF") and len(pdf) > 2000
        attendee.page.emulate_media(media="print")
        expect(attendee.page.locator("header.site")).to_be_hidden()
        expect(attendee.page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
        attendee.page.emulate_media(media="screen")

        # The officer opens the slip's link (as from its QR code) and types the name and the salt.
        officer.page.goto(verify_link)
        officer.page.get_by_label("Name the attendee gave you").fill(NAME.upper())
        officer.page.get_by_label("Salt printed on the slip next to the name").fill(salt)
        officer.page.get_by_role("button", name="Verify").click()
        expect(officer.page.locator("#verdict-signature")).to_have_attribute("data-code", "valid", timeout=WAIT_MS)
        expect(officer.page.locator("#verdict-name")).to_have_attribute("data-code", "match")
        expect(officer.page.locator("#verdict-slip")).to_contain_text("Church Hall Tuesday")

        # A wrong name.
        officer.page.get_by_label("Name the attendee gave you").fill("Someone Else")
        officer.page.get_by_role("button", name="Verify").click()
        expect(officer.page.locator("#verdict-name")).to_have_attribute("data-code", "wrong_name", timeout=WAIT_MS)

        # A forged copy: the minutes raised, the signature kept.
        token = verify_link.split("#", 1)[1]
        prefix, body, signature = token.split(".")
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        payload["minutes"] = 90
        forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
        officer.page.get_by_label("The slip (scanned, pasted or from the file)").fill(
            f"{prefix}.{forged_body}.{signature}"
        )
        officer.page.get_by_label("Name the attendee gave you").fill(NAME)
        officer.page.get_by_role("button", name="Verify").click()
        verdict = officer.page.locator("#verdict-signature")
        expect(verdict).to_have_attribute("data-code", "altered", timeout=WAIT_MS)
        expect(verdict).to_contain_text("Altered")

        # A truncated one.
        officer.page.get_by_label("The slip (scanned, pasted or from the file)").fill(token[:80])
        officer.page.get_by_role("button", name="Verify").click()
        expect(verdict).to_have_attribute("data-code", "malformed", timeout=WAIT_MS)

        for watched in (chair, attendee, officer):
            assert watched.foreign_requests() == []
            assert watched.csp_violations() == []
    finally:
        for context in contexts:
            context.close()

    # The name went out in no request; the salt neither.
    everything_sent = "\n".join(line for lines in sent for line in lines)
    assert "SlipCanaryAxolotl" not in everything_sent and salt.replace(" ", "") not in everything_sent
    assert "/slips/scan/" in everything_sent and "/verify/check" in everything_sent


def test_the_name_is_nowhere_on_the_server_after_the_meeting(slip_server: tuple[LiveServer, str]) -> None:
    """Runs after the flow above (same server): the database, its files and the server's output."""
    server, _ = slip_server
    found: list[str] = []
    for path in [p for p in server.data_dir.rglob("*") if p.is_file()] + [server.output]:
        found += [f"{needle} in {path}" for needle in hits_in(path, ["SlipCanaryAxolotl", "slipcanaryaxolotl"])]
    assert found == [], "the attendee's name was kept: " + "; ".join(found)
    assert "/slips/scan/<slug:slug>" in server.log_text(), "the server did serve the scan (the search is not vacuous)"


ROOM_SLUG = "slip-room"
ROOM_SEED = f"""
import datetime as dt
from stayhere.directory.models import Attendance
from stayhere.slips import keystore
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room
from tests.browser.room_seed import FORMAT
start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
meeting = make_meeting("Online Slip Room", slug="{ROOM_SLUG}", days=list(range(7)), start=start.strftime("%H:%M"),
                       end=(start + dt.timedelta(minutes=60)).strftime("%H:%M"), tz="UTC",
                       attendance=Attendance.ONLINE, has_room=True)
room = make_room(meeting, waiting_room=False, chat_policy="open", format=FORMAT)
keystore.enable(meeting.group, dt.datetime.now(dt.UTC) - dt.timedelta(days=1), minimum_minutes=0)
print("CHAIR-KEY", room.chair_key)
"""


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    data_dir = tmp_path_factory.mktemp("slip-room-data")
    output = tmp_path_factory.mktemp("slip-room-logs") / "server.log"
    setup = [["shell", "-c", ROOM_SEED]]
    with live_server(data_dir, output, setup=setup, extra_env={"PYTHONPATH": str(REPO)}) as running:
        keys = [line.split()[1] for line in running.log_text().splitlines() if line.startswith("CHAIR-KEY ")]
        assert keys, "the seed printed no chair key"
        yield running, keys[-1]


def test_a_participant_asks_for_a_slip_in_a_room_too_early_then_at_the_closing(
    browser: Any, room_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, chair_key = room_server
    contexts = [browser.new_context(base_url=server.url) for _ in range(3)]
    chair, member, officer = (watch(context, server.url) for context in contexts)
    sent = [record_bodies(w) for w in (chair, member, officer)]
    try:
        for watched, path, display in (
            (chair, f"/meetings/{ROOM_SLUG}/room/chair/{chair_key}", "Pat"),
            (member, f"/meetings/{ROOM_SLUG}/room", "Sam"),
        ):
            watched.page.goto(path)
            watched.page.get_by_label("Your name in this meeting").fill(display)
            watched.page.get_by_role("button", name="Join", exact=True).click()
        section = member.page.locator("#room-slip")
        expect(section).to_be_visible(timeout=WAIT_MS)
        expect(section).to_contain_text("Get an attendance slip")

        # Asked at the opening: refused with a sentence, nothing signed.
        member.page.get_by_label("Your name for the slip").fill(NAME)
        member.page.get_by_role("button", name="Get my attendance slip").click()
        expect(member.page.locator("#slip-status")).to_contain_text("near the end", timeout=WAIT_MS)
        expect(member.page.locator("#slip")).to_have_count(0)

        # At the closing: the slip, printed to PDF, verified by an officer.
        chair.page.get_by_role("button", name="Go to “Closing”").click()
        expect(member.page.locator("#seg-h")).to_contain_text("Closing", timeout=WAIT_MS)
        member.page.get_by_role("button", name="Get my attendance slip").click()
        slip = member.page.locator("#slip")
        expect(slip).to_contain_text(NAME, timeout=WAIT_MS)
        expect(slip).to_contain_text("Online Slip Room")
        salt = slip.locator("dd").nth(1).inner_text()
        verify_link = slip.locator(".slip-url code").inner_text()
        assert verify_link.startswith(server.url + "/verify#SH1.")
        pdf = member.page.pdf(path=str(tmp_path / "room-slip.pdf"))
        assert pdf.startswith(b"%PDF")

        officer.page.goto(verify_link)
        officer.page.get_by_label("Name the attendee gave you").fill(NAME)
        officer.page.get_by_label("Salt printed on the slip next to the name").fill(salt)
        officer.page.get_by_role("button", name="Verify").click()
        expect(officer.page.locator("#verdict-signature")).to_have_attribute("data-code", "valid", timeout=WAIT_MS)
        expect(officer.page.locator("#verdict-name")).to_have_attribute("data-code", "match")
        for watched in (chair, member, officer):
            assert watched.foreign_requests() == []
            assert watched.csp_violations() == []
    finally:
        for context in contexts:
            context.close()
    everything_sent = "\n".join(line for lines in sent for line in lines)
    assert "SlipCanaryAxolotl" not in everything_sent and salt.replace(" ", "") not in everything_sent
    assert '"type": "slip"' in everything_sent or '"type":"slip"' in everything_sent, "the room was asked"
