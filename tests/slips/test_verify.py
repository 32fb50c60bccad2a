"""Verdicts: valid, forged, altered, truncated, expired key, revoked key, wrong name."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stayhere.slips import keystore
from stayhere.slips.signing import commitment_of, compact, issue_slip, sign
from stayhere.slips.verify import check_name, extract_token, verify_token, verify_with_name
from tests.slips.factories import NOW, make_slip_meeting

pytestmark = pytest.mark.django_db

SALT = "00010203 04050607 08090a0b"
NAME = "Jane Q. Doe"


def a_slip(minutes: int = 50, now: float = NOW) -> tuple[dict[str, object], str]:
    meeting, _key = make_slip_meeting()
    result = issue_slip(meeting.slug, commitment_of(NAME, bytes(range(12))), minutes, now)
    return result["slip"], result["token"]


def test_a_slip_as_issued_is_valid_and_matches_its_name() -> None:
    _slip, token = a_slip()
    verdict = verify_with_name(token, "  jane q.  DOE", SALT)
    assert (verdict.valid, verdict.code, verdict.name) == (True, "valid", "match")
    assert "Valid" in verdict.message and "name matches" in verdict.message


def test_a_slip_checked_with_another_name_is_refused_as_wrong_name() -> None:
    _slip, token = a_slip()
    verdict = verify_with_name(token, "John Doe", SALT)
    assert (verdict.valid, verdict.code, verdict.name) == (False, "valid", "wrong_name")
    assert "does not match" in verdict.message


def test_a_salt_that_is_not_hex_says_where_the_salt_is() -> None:
    _slip, token = a_slip()
    assert check_name("ab" * 32, NAME, "not a salt").code == "bad_salt"
    assert verify_with_name(token, NAME, "").name == "bad_salt"


def test_an_altered_slip_is_refused() -> None:
    slip, token = a_slip()
    altered = dict(slip, minutes=90)
    signature = token.rsplit(".", 1)[1]
    verdict = verify_token(compact(altered, signature))
    assert (verdict.valid, verdict.code) == (False, "altered")


def test_a_slip_signed_with_a_key_this_server_does_not_have_is_forged() -> None:
    slip, _token = a_slip()
    stranger = Ed25519PrivateKey.generate()
    forged = dict(slip, key=keystore.key_id_of(keystore.public_raw(stranger)))
    verdict = verify_token(compact(forged, sign(forged, stranger)))
    assert (verdict.valid, verdict.code) == (False, "forged")


def test_a_slip_signed_by_another_key_under_the_groups_key_id_is_refused() -> None:
    slip, _token = a_slip()
    verdict = verify_token(compact(slip, sign(slip, Ed25519PrivateKey.generate())))
    assert (verdict.valid, verdict.code) == (False, "altered")


@pytest.mark.parametrize("cut", [10, 40, -5, -40])
def test_a_truncated_slip_is_malformed(cut: int) -> None:
    _slip, token = a_slip()
    verdict = verify_token(token[:cut])
    assert (verdict.valid, verdict.code) == (False, "malformed")
    assert "cut short" in verdict.message


@pytest.mark.parametrize("text", ["", "hello", "SH1..", "SH1.e30.AAAA", "SH2.a.b", "{not json", "x" * 9000])
def test_garbage_is_malformed(text: str) -> None:
    assert verify_token(text).code == "malformed"


def test_a_slip_dated_after_its_key_was_replaced_is_an_expired_key() -> None:
    meeting, key = make_slip_meeting()
    commitment = commitment_of(NAME, bytes(range(12)))
    before = issue_slip(meeting.slug, commitment, 50, NOW)["token"]
    keystore.rotate(meeting.group, dt.datetime.fromtimestamp(NOW + 60, dt.UTC))
    after = issue_slip(meeting.slug, commitment, 51, NOW + 120)["token"]
    assert verify_token(before).code == "valid", "a replaced key still verifies its older slips"
    assert verify_token(after).code == "valid" and verify_token(after).key["id"] != key.key_id
    # A slip claiming a date after the old key retired, signed with that old key (as by someone who kept it).
    late = json.loads(keystore.unb64(before.split(".")[1]))
    late["issued"] = "2026-03-05T19:50Z"
    old_private = keystore.private_key_of(key)
    verdict = verify_token(compact(late, sign(late, old_private)))
    assert (verdict.valid, verdict.code) == (False, "expired_key")


def test_a_slip_of_a_revoked_key_is_refused_and_a_new_key_takes_over() -> None:
    meeting, key = make_slip_meeting()
    token = issue_slip(meeting.slug, "ab" * 32, 50, NOW)["token"]
    keystore.revoke(meeting.group, key.key_id, dt.datetime.fromtimestamp(NOW + 60, dt.UTC))
    verdict = verify_token(token)
    assert (verdict.valid, verdict.code) == (False, "revoked")
    assert keystore.active_key(meeting.group) is not None
    with pytest.raises(keystore.KeyProblem, match="already revoked"):
        keystore.revoke(meeting.group, key.key_id, dt.datetime.fromtimestamp(NOW + 90, dt.UTC))


def test_the_token_is_found_in_a_verify_link_or_a_slip_file() -> None:
    _slip, token = a_slip()
    assert extract_token(f"https://meetings.example.org/verify#{token}") == token
    assert extract_token(json.dumps({"token": token})) == token
    assert extract_token(f"  {token}\n") == token
