"""TURN credentials for browsers: coturn's use-auth-secret form, checked against HMAC computed by hand and by
openssl (coturn's documented way), the settings' refusals, and a real coturn that accepts a minted credential and
refuses an expired one or one made with another secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from stayhere.audio.turn import DEFAULT_TTL, TurnSettings, credential_for, ice_servers, turn_from_env
from tests.audio.conftest import free_port

SECRET = "a-long-random-static-auth-secret-0123456789"
URLS = "turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349?transport=tcp"
REPO = Path(__file__).resolve().parents[2]


def hmac_sha1_by_hand(key: bytes, message: bytes) -> bytes:
    """RFC 2104 written out, so the check does not lean on the hmac module stayhere uses. (SHA-1 because coturn's
    REST-API form is SHA-1.)"""
    block = 64
    if len(key) > block:
        key = hashlib.sha1(key).digest()  # noqa: S324
    key = key.ljust(block, b"\0")
    inner = hashlib.sha1(bytes(k ^ 0x36 for k in key) + message).digest()  # noqa: S324
    return hashlib.sha1(bytes(k ^ 0x5C for k in key) + inner).digest()  # noqa: S324


def test_the_credential_is_base64_of_hmac_sha1_of_the_user_name_keyed_with_the_secret() -> None:
    username = "1767225600:Zx9q"
    expected = base64.b64encode(hmac_sha1_by_hand(SECRET.encode(), username.encode())).decode()
    assert credential_for(SECRET, username) == expected
    assert credential_for(SECRET + "x", username) != expected


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_credential_matches_coturns_documented_openssl_command() -> None:
    username = f"{int(time.time()) + 600}:abc"
    made = subprocess.run(
        ["openssl", "dgst", "-sha1", "-hmac", SECRET, "-binary"], input=username.encode(), capture_output=True
    )
    assert made.returncode == 0
    assert credential_for(SECRET, username) == base64.b64encode(made.stdout).decode()


def test_ice_servers_name_every_url_with_an_expiring_random_user_and_its_credential() -> None:
    turn = turn_from_env({"STAYHERE_TURN_URLS": URLS, "STAYHERE_TURN_SECRET": SECRET, "STAYHERE_TURN_TTL": "900"})
    assert turn is not None
    [server] = ice_servers(turn, 1_800_000_000.7)
    assert server["urls"] == ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"]
    expiry, _, tag = server["username"].partition(":")
    assert expiry == str(1_800_000_000 + 900)
    assert len(tag) >= 16 and ":" not in tag
    assert (
        server["credential"]
        == base64.b64encode(hmac_sha1_by_hand(SECRET.encode(), server["username"].encode())).decode()
    )
    # A fresh random part each time: two seats' credentials (or one seat's, twice) cannot be told to be the same.
    others = {ice_servers(turn, 1_800_000_000)[0]["username"].partition(":")[2] for _ in range(20)}
    assert len(others) == 20 and tag not in others


def test_turn_is_off_unless_both_urls_and_secret_are_set_and_the_ttl_defaults_to_an_hour() -> None:
    assert turn_from_env({}) is None
    turn = turn_from_env({"STAYHERE_TURN_URLS": "turn:203.0.113.7", "STAYHERE_TURN_SECRET": SECRET})
    assert turn == TurnSettings(("turn:203.0.113.7",), SECRET, DEFAULT_TTL) and DEFAULT_TTL == 3600
    assert SECRET not in repr(turn), "the secret stays out of tracebacks and settings dumps"
    assert turn_from_env({"STAYHERE_TURN_URLS": "turn:[2001:db8::1]:3478", "STAYHERE_TURN_SECRET": SECRET})


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"STAYHERE_TURN_URLS": URLS}, "STAYHERE_TURN_SECRET is not"),
        ({"STAYHERE_TURN_SECRET": SECRET}, "STAYHERE_TURN_URLS is not"),
        ({"STAYHERE_TURN_URLS": "https://turn.example.org", "STAYHERE_TURN_SECRET": SECRET}, "not a TURN address"),
        ({"STAYHERE_TURN_URLS": "stun:turn.example.org:3478", "STAYHERE_TURN_SECRET": SECRET}, "not a TURN address"),
        ({"STAYHERE_TURN_URLS": "turn:turn.example.org:99999", "STAYHERE_TURN_SECRET": SECRET}, "port"),
        ({"STAYHERE_TURN_URLS": "turn:a.org?transport=sctp", "STAYHERE_TURN_SECRET": SECRET}, "not a TURN address"),
        ({"STAYHERE_TURN_URLS": "turns:a.org:5349?transport=udp", "STAYHERE_TURN_SECRET": SECRET}, "tcp, not udp"),
        ({"STAYHERE_TURN_URLS": "turn:user@a.org", "STAYHERE_TURN_SECRET": SECRET}, "not a TURN address"),
        ({"STAYHERE_TURN_URLS": "turn:a.org", "STAYHERE_TURN_SECRET": "short"}, "too short"),
        ({"STAYHERE_TURN_URLS": "turn:a.org", "STAYHERE_TURN_SECRET": "has a space in it, sadly"}, "space"),
        ({"STAYHERE_TURN_URLS": "turn:a.org", "STAYHERE_TURN_SECRET": SECRET, "STAYHERE_TURN_TTL": "10"}, "too small"),
        (
            {"STAYHERE_TURN_URLS": "turn:a.org", "STAYHERE_TURN_SECRET": SECRET, "STAYHERE_TURN_TTL": "1h"},
            "whole number",
        ),
        (
            {"STAYHERE_TURN_URLS": "turn:a.org", "STAYHERE_TURN_SECRET": SECRET, "STAYHERE_TURN_TTL": "999999"},
            "too large",
        ),
    ],
)
def test_bad_turn_settings_are_refused_with_a_sentence(env: dict[str, str], said: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=said) as refused:
        turn_from_env(env)
    assert SECRET not in str(refused.value)
    assert str(refused.value).endswith((".", ")"))


def test_a_bad_turn_setting_stops_stayhere_at_start_with_its_sentence(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "STAYHERE_DATA_DIR": str(tmp_path),
        "STAYHERE_TURN_URLS": "http://turn.example.org",
        "STAYHERE_TURN_SECRET": SECRET,
    }
    done = subprocess.run([sys.executable, "-m", "stayhere.cli", "check"], env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert "STAYHERE_TURN_URLS has 'http://turn.example.org', which is not a TURN address" in done.stderr
    assert "Traceback" not in done.stderr and SECRET not in done.stderr + done.stdout


# -- a real coturn ---------------------------------------------------------------------------------------------

MAGIC = 0x2112A442


def _attr(kind: int, value: bytes) -> bytes:
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def _attrs(body: bytes) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    while len(body) >= 4:
        kind, length = struct.unpack("!HH", body[:4])
        found.setdefault(kind, body[4 : 4 + length])
        body = body[4 + length + (-length % 4) :]
    return found


def allocate(port: int, username: str, password: str) -> int:
    """A TURN Allocate (RFC 8656) with the long-term credential mechanism: 0 when coturn gave a relay, else the
    error code it answered with."""
    transport = _attr(0x0019, bytes([17, 0, 0, 0]))  # REQUESTED-TRANSPORT: UDP

    def request(attributes: bytes, integrity_key: bytes | None) -> bytes:
        tid = secrets.token_bytes(12)
        if integrity_key is not None:
            header = struct.pack("!HHI", 0x0003, len(attributes) + 24, MAGIC) + tid
            # MESSAGE-INTEGRITY covers the header with the length it has once the attribute is added.
            attributes += _attr(0x0008, hmac.new(integrity_key, header + attributes, hashlib.sha1).digest())
        return struct.pack("!HHI", 0x0003, len(attributes), MAGIC) + tid + attributes

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(request(transport, None), ("127.0.0.1", port))
        first = sock.recv(2048)
        assert struct.unpack("!H", first[:2])[0] == 0x0113, "an unauthenticated Allocate is refused first"
        said = _attrs(first[20:])
        realm, nonce = said[0x0014], said[0x0015]
        key = hashlib.md5(username.encode() + b":" + realm + b":" + password.encode()).digest()  # noqa: S324
        signed = transport + _attr(0x0006, username.encode()) + _attr(0x0014, realm) + _attr(0x0015, nonce)
        sock.sendto(request(signed, key), ("127.0.0.1", port))
        answer = sock.recv(2048)
    kind = struct.unpack("!H", answer[:2])[0]
    if kind == 0x0103:
        return 0
    code = _attrs(answer[20:])[0x0009]
    return code[2] * 100 + code[3]


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if shutil.which("turnserver") is None:
        pytest.skip("coturn is not installed here (no `turnserver` on the PATH): apt-get install coturn")
    folder = tmp_path_factory.mktemp("coturn")
    port = free_port()
    relay = 49000 + 100 * secrets.randbelow(50)
    conf = folder / "turnserver.conf"
    conf.write_text(
        "\n".join(
            [
                "listening-ip=127.0.0.1",
                f"listening-port={port}",
                "relay-ip=127.0.0.1",
                f"min-port={relay}",
                f"max-port={relay + 20}",
                "use-auth-secret",
                f"static-auth-secret={SECRET}",
                "realm=turn.test.invalid",
                "no-cli",
                "no-tls",
                "no-dtls",
                "no-multicast-peers",
                "log-file=/dev/null",
                "no-stdout-log",
                f"pidfile={folder / 'pid'}",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        ["turnserver", "-c", str(conf)], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(50):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.settimeout(0.1)
                probe.sendto(struct.pack("!HHI", 0x0001, 0, MAGIC) + secrets.token_bytes(12), ("127.0.0.1", port))
                try:
                    probe.recv(2048)
                    break
                except OSError:
                    continue
        else:
            pytest.fail("coturn did not answer a STUN binding request")
        yield port
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode("utf-8", "replace")
        # With log-file=/dev/null and no-stdout-log, coturn keeps no record of who relayed through it.
        assert "127.0.0.1" not in output
        assert {p.name for p in folder.iterdir()} <= {"turnserver.conf", "pid"}


def test_a_real_coturn_accepts_a_minted_credential_and_refuses_an_expired_one_or_a_wrong_secret(coturn: int) -> None:
    turn = TurnSettings((f"turn:127.0.0.1:{coturn}",), SECRET, 600)
    [server] = ice_servers(turn, time.time())
    assert allocate(coturn, server["username"], server["credential"]) == 0
    [stale] = ice_servers(turn, time.time() - 700)  # expired 100 seconds ago
    assert allocate(coturn, stale["username"], stale["credential"]) == 401
    [forged] = ice_servers(TurnSettings(turn.urls, SECRET[::-1], 600), time.time())
    assert allocate(coturn, forged["username"], forged["credential"]) == 401
