"""The edge's settings, generated configuration and control protocol, without starting an engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from stayhere.audio.config import PortRange
from stayhere.audio.rtpengine import BencodeError, bdecode, bencode
from stayhere.audio.sip import (
    EdgeConfig,
    PhoneSettings,
    blank,
    kamailio_cfg,
    phone_settings_from_env,
    rtpengine_command,
)


def edge_config(tmp_path: Path, **changes: object) -> EdgeConfig:
    settings = PhoneSettings(**{**PhoneSettings(enabled=True).__dict__, **changes})  # type: ignore[arg-type]
    return EdgeConfig(settings, tmp_path, hook_port=18001, hook_token="TOKEN-x", ng_port=18002, dtmf_port=18003)


def test_bencode_round_trips_what_the_ng_protocol_carries_and_refuses_garbage() -> None:
    value = {"command": "offer", "flags": ["a", "b"], "codec": {"transcode": ["PCMU"]}, "n": 3}
    assert bencode(value) == b"d5:codecd9:transcodel4:PCMUee7:command5:offer5:flagsl1:a1:be1:ni3ee"
    assert bdecode(bencode(value)) == value
    for bad in (b"d3:abc", b"i12", b"5:ab", b"x", b"l1:ae1"):
        with pytest.raises(BencodeError):
            bdecode(bad)


def test_the_kamailio_script_checks_floods_and_malformed_messages_and_logs_no_caller(tmp_path: Path) -> None:
    cfg = kamailio_cfg(edge_config(tmp_path, trunk_allow=("198.51.100.0/24",)), "/modules")
    assert 'sanity_check("17895", "7")' in cfg and "pike_check_req()" in cfg
    assert 'is_in_subnet("$si", "198.51.100.0/24")' in cfg, "only the trunk may send INVITEs"
    assert "xlog" not in cfg and "siptrace" not in cfg and "sipdump" not in cfg, "no SIP header dump"
    assert "debug=0" in cfg
    assert cfg.count("$fU") == 1


def test_rtpengine_records_nothing_and_logs_at_warning_level(tmp_path: Path) -> None:
    command = rtpengine_command(edge_config(tmp_path))
    assert "--log-level=4" in command
    assert not any(arg.startswith(("--recording", "--log-srtp", "--homer")) for arg in command)


def test_blanking_takes_out_numbers_and_addresses() -> None:
    line, count = blank("INVITE from +1 555 010 4477 at 203.0.113.9:5060 token TOKEN-x", ("TOKEN-x",))
    assert "4477" not in line and "203.0.113.9" not in line and "TOKEN-x" not in line and count >= 2


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("STAYHERE_PHONE_NUMBER", "555-0100", "international form"),
        ("STAYHERE_PHONE_SIP_LISTEN", "somewhere", "IP:PORT"),
        ("STAYHERE_PHONE_SIP_LISTEN", "example.org:5060", "not an IP address"),
        ("STAYHERE_PHONE_TRUNK_ALLOW", "198.51.100.0/24,provider", "signalling addresses"),
        ("STAYHERE_PHONE_RTP_PORTS", "30000", "port range"),
    ],
)
def test_a_bad_phone_setting_is_refused_with_a_sentence_naming_it(name: str, value: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=says) as refused:
        phone_settings_from_env({name: value})
    assert name in str(refused.value)


def test_phone_settings_read_from_the_environment() -> None:
    settings = phone_settings_from_env(
        {
            "STAYHERE_PHONE": "1",
            "STAYHERE_PHONE_NUMBER": "+1 555 010 0200",
            "STAYHERE_PHONE_SIP_LISTEN": "192.0.2.10:5070",
            "STAYHERE_PHONE_RTP_PORTS": "32000-32999",
            "STAYHERE_PHONE_TRUNK_ALLOW": "198.51.100.7",
        }
    )
    assert settings.enabled and settings.number == "+15550100200"
    assert (settings.sip_ip, settings.sip_port) == ("192.0.2.10", 5070)
    assert settings.rtp_ports == PortRange(32000, 32999) and settings.trunk_allow == ("198.51.100.7/32",)


def test_an_engine_that_cannot_start_is_said_in_a_sentence(tmp_path: Path) -> None:
    import socket

    from stayhere.audio.sip import EngineStartError, start_engines

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(EngineStartError, match="STAYHERE_PHONE_SIP_LISTEN") as busy:
            start_engines(edge_config(tmp_path, sip_port=port))
        assert f"UDP port {port}" in str(busy.value)
    missing = edge_config(tmp_path, rtpengine="no-such-rtpengine", sip_port=port)
    with pytest.raises(EngineStartError, match=r"rtpengine is not installed .* apt-get install rtpengine-daemon"):
        start_engines(missing)
