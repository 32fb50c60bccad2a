"""The configuration stayhere writes for Janus: loopback only, random secrets, nothing recorded or handed out."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from stayhere.audio import process
from stayhere.audio.config import (
    AUDIOBRIDGE,
    HTTP_TRANSPORT,
    SAFE_DEBUG_LEVEL,
    JanusSecrets,
    JanusSettings,
    PortRange,
    find_library_dir,
    private_listen,
    settings_from_env,
    write_config,
)
from stayhere.audio.process import start_janus


def written(tmp_path: Path, settings: JanusSettings | None = None) -> dict[str, str]:
    try:
        find_library_dir(settings or JanusSettings())
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    write_config(tmp_path, settings or JanusSettings())
    return {p.name: p.read_text() for p in tmp_path.glob("*.jcfg")}


def values(text: str, key: str) -> list[str]:
    return re.findall(rf"^\s*{key} = \"?([^\"\n]*)\"?$", text, flags=re.MULTILINE)


def test_it_binds_both_apis_to_loopback_only(tmp_path: Path) -> None:
    files = written(tmp_path)
    http = files["janus.transport.http.jcfg"]
    assert values(http, "ip") == ["127.0.0.1"]
    assert values(http, "admin_ip") == ["127.0.0.1"]
    assert values(http, "https") == ["false"] and values(http, "admin_https") == ["false"]
    every_address = re.findall(r"\d+\.\d+\.\d+\.\d+", "".join(files.values()))
    assert set(every_address) == {"127.0.0.1"}
    assert not any(values(text, "interface") for text in files.values())


def test_a_private_listen_address_carries_both_apis_and_phone_rtp_and_answers_only_the_allowed(
    tmp_path: Path,
) -> None:
    listen, acl = private_listen("10.20.0.5", "10.20.0.11, 10.20.0.12")
    files = written(tmp_path, JanusSettings(api_ip=listen, api_acl=acl))
    http, bridge = files["janus.transport.http.jcfg"], files["janus.plugin.audiobridge.jcfg"]
    assert values(http, "ip") == ["10.20.0.5"] and values(http, "admin_ip") == ["10.20.0.5"]
    assert values(http, "acl") == ["10.20.0.11,10.20.0.12"] and values(http, "admin_acl") == ["10.20.0.11,10.20.0.12"]
    assert values(bridge, "local_ip") == ["10.20.0.5"]
    assert private_listen("127.0.0.1", "") == ("127.0.0.1", "127.")
    assert private_listen("fd00::5", "fd00::11") == ("fd00::5", "fd00::11")


@pytest.mark.parametrize(
    ("listen", "allow", "says"),
    [
        ("8.8.8.8", "10.0.0.", "public address"),
        ("0.0.0.0", "10.0.0.", "not 0.0.0.0"),  # noqa: S104  (the address refused)
        ("::", "10.0.0.", "not ::"),
        ("fe80::1", "fe80::", "one private address"),
        ("janus.internal", "10.0.0.", "not an IP address"),
        ("10.0.0.5", "", "--allow is needed"),
        ("10.0.0.5", "10.0.0.0/8", "not an address or an address prefix"),
        ("10.0.0.5", "10.0.0.11,*", "not an address or an address prefix"),
    ],
)
def test_a_listen_address_that_would_expose_janus_is_refused_with_what_to_give(
    listen: str, allow: str, says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        private_listen(listen, allow)


def test_janus_config_refuses_a_public_listen_address_and_writes_nothing(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    target = tmp_path / "janus"
    with pytest.raises(CommandError, match="public address"):
        call_command("janus_config", str(target), "--listen", "93.184.216.34", "--allow", "10.0.0.")
    assert not target.exists()


def test_it_loads_only_the_audiobridge_and_the_http_transport(tmp_path: Path) -> None:
    written(tmp_path)
    assert [p.name for p in (tmp_path / "plugins").iterdir()] == [AUDIOBRIDGE]
    assert [p.name for p in (tmp_path / "transports").iterdir()] == [HTTP_TRANSPORT]
    assert list((tmp_path / "events").iterdir()) == []
    assert list((tmp_path / "loggers").iterdir()) == []


def test_it_records_nothing_and_uses_no_stun_unless_told(tmp_path: Path) -> None:
    files = written(tmp_path)
    text = "".join(files.values())
    assert not re.findall(r"^\s*(?:record|mjrs)\w* =", text, flags=re.MULTILINE)  # AudioBridge default: off
    assert "stun_server" not in text and "turn_server" not in text
    assert values(files["janus.jcfg"], "broadcast") == ["false"]
    assert values(files["janus.jcfg"], "debug_level") == [str(SAFE_DEBUG_LEVEL)]


def test_its_secrets_are_random_and_its_files_private(tmp_path: Path) -> None:
    first = written(tmp_path / "a")
    second = written(tmp_path / "b")
    for key in ("api_secret", "admin_secret"):
        assert values(first["janus.jcfg"], key) != values(second["janus.jcfg"], key)
        assert len(values(first["janus.jcfg"], key)[0]) >= 40
    key_a = values(first["janus.plugin.audiobridge.jcfg"], "admin_key")
    assert key_a and key_a != values(second["janus.plugin.audiobridge.jcfg"], "admin_key")
    assert "janusoverlord" not in "".join(first.values())
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "janus.jcfg").stat().st_mode) == 0o600


def test_ice_settings_for_a_deployment_reach_the_configuration(tmp_path: Path) -> None:
    settings = settings_from_env(
        {
            "STAYHERE_JANUS_NAT_1_1": "203.0.113.7",
            "STAYHERE_JANUS_ICE_ENFORCE_LIST": "eth0",
            "STAYHERE_JANUS_STUN_SERVER": "stun.example.org:3478",
            "STAYHERE_JANUS_TURN_SERVER": "turn.example.org:3478",
            "STAYHERE_JANUS_TURN_USER": "stayhere",
            "STAYHERE_JANUS_TURN_PASSWORD": "long-turn-password",
            "STAYHERE_JANUS_RTP_PORTS": "30000-30099",
        }
    )
    core = written(tmp_path, settings)["janus.jcfg"]
    assert values(core, "nat_1_1_mapping") == ["203.0.113.7"]
    assert values(core, "ice_enforce_list") == ["eth0"]
    assert values(core, "stun_server") == ["stun.example.org"] and values(core, "stun_port") == ["3478"]
    assert values(core, "turn_server") == ["turn.example.org"] and values(core, "turn_pwd") == ["long-turn-password"]
    assert values(core, "rtp_port_range") == ["30000-30099"]


def test_settings_default_to_audio_on_and_loopback_ports() -> None:
    settings = settings_from_env({})
    assert settings.enabled and settings.binary == "janus"
    assert settings.rtp_ports == PortRange(40000, 40999)
    assert not settings_from_env({"STAYHERE_JANUS": "0"}).enabled


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"STAYHERE_JANUS_RTP_PORTS": "40000"}, "LOW-HIGH"),
        ({"STAYHERE_JANUS_RTP_PORTS": "50000-40000"}, "lower one first"),
        ({"STAYHERE_JANUS_RTP_PORTS": "41000-41500"}, "must not overlap"),
        ({"STAYHERE_JANUS_HTTP_PORT": "7188"}, "must differ"),
        ({"STAYHERE_JANUS_HTTP_PORT": "80"}, "too small"),
        ({"STAYHERE_JANUS_TURN_SERVER": "turn.example.org:3478"}, "TURN_USER"),
        ({"STAYHERE_JANUS_STUN_SERVER": "stun.example.org"}, "HOST:PORT"),
        ({"STAYHERE_JANUS_TURN_TYPE": "sctp"}, "udp, tcp or tls"),
        ({"STAYHERE_JANUS_NAT_1_1": 'x" debug_level = 7'}, "quote"),
        ({"STAYHERE_JANUS": "maybe"}, "yes/no"),
    ],
)
def test_it_refuses_bad_settings_with_a_sentence(env: dict[str, str], names: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=names):
        settings_from_env(env)


def test_a_missing_janus_means_no_audio_and_it_says_so_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process, "_warned_missing", False)
    settings = JanusSettings(binary="/nonexistent/janus")
    with caplog.at_level(logging.WARNING, logger="stayhere.audio"):
        assert start_janus(settings) is None
        assert start_janus(settings) is None
    said = [r.getMessage() for r in caplog.records if "without audio" in r.getMessage()]
    assert len(said) == 1 and "janus package" in said[0]


def test_janus_switched_off_starts_nothing() -> None:
    assert start_janus(JanusSettings(enabled=False, binary="/nonexistent/janus")) is None


def test_generated_secrets_differ() -> None:
    a, b = JanusSecrets.generate(), JanusSecrets.generate()
    assert len({a.api_secret, a.admin_secret, a.admin_key, b.api_secret}) == 4
