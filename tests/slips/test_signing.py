"""Signing: fixed vectors for the commitment, the canonical payload and the Ed25519 signature; issue_slip."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stayhere.directory.models import Attendance
from stayhere.slips import keystore
from stayhere.slips.errors import SlipRefused
from stayhere.slips.models import SigningKey
from stayhere.slips.signing import (
    canonical,
    commitment_of,
    issue_slip,
    normalize_name,
    parse_salt,
    room_slip_settings,
    sign,
)
from stayhere.slips.verify import verify_token
from tests.slips.factories import NOW, SEED, make_slip_meeting

PUBLIC = "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
KEY_ID = "56475aa75463474c"
PAYLOAD = {
    "v": 1, "group": "g", "group_name": "Group", "meeting": "m", "meeting_name": "Meeting", "date": "2026-03-04",
    "start": "19:00", "end": "20:00", "tz": "UTC", "minutes": 50, "via": "room", "commitment": "ab" * 32,
    "key": KEY_ID, "issued": "2026-03-04T19:50Z",
}  # fmt: skip
CANONICAL = (
    b'{"commitment":"abababababababababababababababababababababababababababababababab","date":"2026-03-04",'
    b'"end":"20:00","group":"g","group_name":"Group","issued":"2026-03-04T19:50Z","key":"56475aa75463474c",'
    b'"meeting":"m","meeting_name":"Meeting","minutes":50,"start":"19:00","tz":"UTC","v":1,"via":"room"}'
)
SIGNATURE = "lfPeSVT7xojzwJzp5GKaK-6uJSgPZUnOOou_3RsE2DbV9DqewuHWC16jpYMpGoLKuynN5CSAQpYhfhQoTSH9DQ"


def test_the_commitment_is_sha256_of_the_normalized_name_a_zero_byte_and_the_salt() -> None:
    salt = bytes(range(12))
    expected = "b07ef309dad1ce07f03ef01a865309dd46bcd571449b9b51d7a6bbec0a85ea0c"
    assert commitment_of("  Jane   Q. Doe ", salt) == expected
    assert commitment_of("jane q. doe", salt) == expected
    assert commitment_of("Jane Q. Doe", bytes(12)) != expected


def test_names_are_normalized_to_nfc_single_spaces_and_lower_case() -> None:
    assert normalize_name("  Zoe\u0301  Smith\t") == "zo\u00e9 smith"


def test_a_salt_is_read_as_printed_in_groups_and_refused_when_not_hex() -> None:
    assert parse_salt("0001 0203-0405 0607 0809 0a0b") == bytes(range(12))
    for bad in ("", "xyz", "0001", "000102030405060708090a0"):
        with pytest.raises(ValueError):
            parse_salt(bad)


def test_the_payload_is_signed_canonically_with_a_fixed_key_giving_a_fixed_signature() -> None:
    private = Ed25519PrivateKey.from_private_bytes(SEED)
    assert keystore.b64(keystore.public_raw(private)) == PUBLIC
    assert keystore.key_id_of(keystore.public_raw(private)) == KEY_ID
    assert canonical(PAYLOAD) == CANONICAL
    assert sign(PAYLOAD, private) == SIGNATURE


@pytest.mark.django_db
def test_the_private_key_is_stored_encrypted_and_reads_back() -> None:
    _meeting, key = make_slip_meeting(fixed_key=True)
    stored = SigningKey.objects.get(pk=key.pk)
    assert keystore.b64(SEED) not in stored.private_key and SEED.hex() not in stored.private_key
    assert keystore.private_raw(keystore.private_key_of(stored)) == SEED


@pytest.mark.django_db
def test_issue_slip_signs_the_meeting_date_times_minutes_and_commitment() -> None:
    meeting, _key = make_slip_meeting(fixed_key=True)
    result = issue_slip(meeting.slug, "cd" * 32, 50, NOW, base_url="https://meetings.example.org")
    slip = result["slip"]
    assert slip["meeting"] == meeting.slug and slip["group"] == meeting.group.slug
    assert (slip["date"], slip["start"], slip["end"], slip["tz"]) == ("2026-03-04", "19:00", "20:00", "UTC")
    assert (slip["minutes"], slip["commitment"], slip["key"], slip["via"]) == (50, "cd" * 32, KEY_ID, "room")
    assert slip["issued"] == "2026-03-04T19:50Z"
    assert result["url"] == "https://meetings.example.org/verify#" + result["token"]
    assert result["qr_svg"].startswith("<svg") and "style=" not in result["qr_svg"]
    assert verify_token(result["token"]).code == "valid"


@pytest.mark.django_db
def test_the_slip_states_local_times_in_the_meetings_own_zone() -> None:
    meeting, _key = make_slip_meeting(tz="America/Chicago")
    # 19:50 local in Chicago on 4 March 2026 (UTC-6) is 01:50 UTC on the 5th.
    slip = issue_slip(meeting.slug, "cd" * 32, 50, NOW + 6 * 3600)["slip"]
    assert (slip["date"], slip["start"], slip["end"]) == ("2026-03-04", "19:00", "20:00")


@pytest.mark.django_db
def test_issue_slip_refuses_before_the_minimum_time() -> None:
    meeting, _key = make_slip_meeting(minimum=45)
    with pytest.raises(SlipRefused, match="45 minutes"):
        issue_slip(meeting.slug, "cd" * 32, 30, NOW)


@pytest.mark.django_db
def test_issue_slip_refuses_a_damaged_commitment_and_a_meeting_not_running() -> None:
    meeting, _key = make_slip_meeting()
    with pytest.raises(SlipRefused, match="damaged"):
        issue_slip(meeting.slug, "Jane Doe", 50, NOW)
    with pytest.raises(SlipRefused, match="not being held"):
        issue_slip(meeting.slug, "cd" * 32, 50, NOW - 6 * 3600)


@pytest.mark.django_db
def test_a_group_with_slips_off_gives_none_and_the_room_is_told() -> None:
    meeting, _key = make_slip_meeting(minimum=30, attendance=Attendance.ONLINE)
    assert room_slip_settings(meeting.slug) == (True, 30)
    keystore.disable(meeting.group)
    assert room_slip_settings(meeting.slug) == (False, 30)
    with pytest.raises(SlipRefused, match="does not give attendance slips"):
        issue_slip(meeting.slug, "cd" * 32, 50, NOW)
