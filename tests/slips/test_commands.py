"""``verify_slip`` (stayhere verify-slip) and ``slip_keys`` (stayhere slip-keys)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stayhere.directory.models import Attendance, Group
from stayhere.slips.models import SigningKey, SlipSettings
from stayhere.slips.signing import commitment_of, issue_slip
from tests.slips.factories import NOW, make_slip_meeting

pytestmark = pytest.mark.django_db

SALT = "0001 0203 0405 0607 0809 0a0b"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def slip_file(tmp_path: Path) -> Path:
    meeting, _key = make_slip_meeting()
    token = issue_slip(meeting.slug, commitment_of("Ann Example", bytes(range(12))), 50, NOW)["token"]
    path = tmp_path / "slip.json"
    path.write_text(json.dumps({"token": token}))
    return path


def test_verify_slip_accepts_a_valid_slip_and_its_name(tmp_path: Path) -> None:
    out = run("verify_slip", str(slip_file(tmp_path)), "--name", "Ann Example", "--salt", SALT)
    assert out.startswith("valid match:") and "minutes: 50" in out


def test_verify_slip_fails_for_a_wrong_name(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not valid"):
        run("verify_slip", str(slip_file(tmp_path)), "--name", "Bob Example", "--salt", SALT)


def test_verify_slip_fails_for_a_truncated_file_and_a_missing_one(tmp_path: Path) -> None:
    path = slip_file(tmp_path)
    path.write_text(path.read_text()[:60] + '"}')
    with pytest.raises(CommandError, match="not valid"):
        run("verify_slip", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run("verify_slip", str(tmp_path / "nothing.json"))
    with pytest.raises(CommandError, match="--salt"):
        run("verify_slip", str(path), "--name", "Ann")


def test_slip_keys_enables_rotates_and_revokes() -> None:
    group = Group.objects.create(name="Keys Group", slug="keys-group")
    assert "Slips are on" in run("slip_keys", "keys-group", "--enable", "--minimum", "30")
    assert SlipSettings.objects.get(group=group).minimum_minutes == 30
    first = SigningKey.objects.get(group=group)
    assert "New signing key" in run("slip_keys", "keys-group", "--rotate")
    first.refresh_from_db()
    assert first.retired_at is not None and first.revoked_at is None
    out = run("slip_keys", "keys-group", "--revoke", first.key_id)
    assert "revoked" in out and SigningKey.objects.filter(group=group, revoked_at=None, retired_at=None).count() == 1


def test_slip_keys_refuses_unknown_groups_keys_and_minimums() -> None:
    Group.objects.create(name="Keys Group", slug="keys-group")
    with pytest.raises(CommandError, match="no group"):
        run("slip_keys", "nope", "--enable")
    with pytest.raises(CommandError, match="has no key"):
        run("slip_keys", "keys-group", "--revoke", "0123456789abcdef")
    with pytest.raises(CommandError, match="0 to 600"):
        run("slip_keys", "keys-group", "--enable", "--minimum", "-5")


def test_slip_keys_prints_the_in_person_code_pages_with_a_fresh_chair_key(client) -> None:
    meeting, _key = make_slip_meeting(attendance=Attendance.IN_PERSON)
    out = run("slip_keys", meeting.group.slug, "--chair-links", "--base-url", "https://m.example.org/")
    link = next(line.split(": ", 1)[1] for line in out.splitlines() if meeting.name in line)
    assert link.startswith(f"https://m.example.org/slips/chair/{meeting.slug}/")
    assert client.get(link.removeprefix("https://m.example.org")).status_code == 200
