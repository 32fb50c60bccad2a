"""Janus settings from the environment, and the private configuration directory stayhere writes for it.

stayhere never uses /etc/janus (Debian's package binds every interface and ships a well-known admin secret).
It writes its own directory: only the AudioBridge plugin and the HTTP transport, both APIs on 127.0.0.1,
random secrets, no STUN/TURN unless configured, no event handlers, no recording, and a log level that writes
no addresses.
"""

from __future__ import annotations

import glob
import ipaddress
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from stayhere.env import envbool, envint, envstr

LOOPBACK = "127.0.0.1"
AUDIOBRIDGE = "libjanus_audiobridge.so"
HTTP_TRANSPORT = "libjanus_http.so"
# Janus' levels: 0 none, 1 fatal, 2 error, 3 warning, 4 info, 5 verbose, 6 huge, 7 debug. Info and above
# print ICE candidates and plain RTP peers with their addresses (tests/audio checks the level chosen here).
SAFE_DEBUG_LEVEL = 3
LIBRARY_GLOBS = ("/usr/lib/*/janus", "/usr/lib/janus", "/usr/local/lib/janus", "/opt/janus/lib/janus")


@dataclass(frozen=True)
class PortRange:
    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class IceSettings:
    nat_1_1_mapping: str = ""  # public address(es) put into host candidates (a server behind 1:1 NAT)
    ice_enforce_list: str = ""  # the only interfaces (or address prefixes) used for ICE
    stun_server: str = ""  # host:port; empty: no STUN
    turn_server: str = ""  # host:port; empty: no TURN
    turn_type: str = "udp"
    turn_user: str = ""
    turn_password: str = ""


@dataclass(frozen=True)
class JanusSettings:
    enabled: bool = True
    binary: str = "janus"
    http_port: int = 8188
    admin_port: int = 7188
    rtp_ports: PortRange = PortRange(40000, 40999)  # WebRTC media (ICE)
    phone_rtp_ports: PortRange = PortRange(41000, 41999)  # AudioBridge plain RTP participants (phones, tests)
    library_dir: str = ""  # where plugins/ and transports/ are; empty: found next to Debian's layout
    ice: IceSettings = IceSettings()
    debug_level: int = SAFE_DEBUG_LEVEL  # not from the environment: a higher level logs addresses
    session_timeout: int = 60  # seconds without a request before Janus ends a session
    # Where the HTTP and admin APIs (and plain RTP for phone bridges) listen, and the address prefixes they answer.
    # Loopback unless `stayhere janus-config --listen` puts a shared Janus on a private network (docs/deploy.md).
    api_ip: str = LOOPBACK
    api_acl: str = "127."


@dataclass(frozen=True)
class JanusSecrets:
    api_secret: str
    admin_secret: str
    admin_key: str

    @classmethod
    def generate(cls) -> JanusSecrets:
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(32))


@dataclass(frozen=True)
class JanusConfig:
    """A written configuration directory and what a client needs to talk to the Janus it configures."""

    directory: Path
    settings: JanusSettings
    secrets: JanusSecrets

    @property
    def http_url(self) -> str:
        return f"http://{bracketed(self.settings.api_ip)}:{self.settings.http_port}/janus"

    @property
    def admin_url(self) -> str:
        return f"http://{bracketed(self.settings.api_ip)}:{self.settings.admin_port}/admin"

    def command(self) -> list[str]:
        return [
            self.settings.binary,
            "--configs-folder",
            str(self.directory),
            "--config",
            str(self.directory / "janus.jcfg"),
            "--plugins-folder",
            str(self.directory / "plugins"),
            "--disable-colors",
            "--debug-level",
            str(self.settings.debug_level),
        ]


def bracketed(host: str) -> str:
    """A host as it goes into a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host


def private_listen(address: str, allow: str) -> tuple[str, str]:
    """``janus-config --listen ADDRESS --allow PREFIXES`` checked: a shared Janus' APIs on a private network.

    Janus' HTTP APIs carry its secrets in plain HTTP and its admin API can mute, kick and destroy any room, so they
    may face only a private network the operator controls (a VLAN, WireGuard), and answer only the workers'
    addresses. Returns (address, Janus ACL); raises ValueError with a sentence saying what to give instead.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        raise ValueError(f"--listen {address!r} is not an IP address: give this machine's private address.") from None
    if ip.is_unspecified or ip.is_multicast or ip.is_link_local:
        raise ValueError(f"--listen {address}: give one private address of this machine, not {address}.")
    if ip.is_global:
        raise ValueError(
            f"--listen {address} is a public address: Janus' APIs carry its secrets in plain HTTP. Give an address "
            "on a private network only your servers share (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, "
            "fd00::/8)."
        )
    prefixes = [part.strip() for part in allow.split(",") if part.strip()]
    if ip.is_loopback and not prefixes:
        prefixes = ["127."]
    if not prefixes:
        raise ValueError(
            "--allow is needed with a private --listen: the workers' addresses or their common prefix, comma-"
            "separated, as Janus matches them (e.g. 10.0.0.11,10.0.0.12 or 10.0.0.)."
        )
    for prefix in prefixes:
        if not re.fullmatch(r"[0-9A-Fa-f:.]{2,45}", prefix) or prefix in (".", ":"):
            raise ValueError(
                f"--allow {prefix!r} is not an address or an address prefix: write e.g. 10.0.0.11 or 10.0.0."
            )
    return str(ip), ",".join(prefixes)


def _port_range(name: str, default: PortRange, env: Mapping[str, str] | None) -> PortRange:
    value = envstr(name, "", env)
    if not value:
        return default
    low_text, sep, high_text = value.partition("-")
    if not sep or not low_text.strip().isdigit() or not high_text.strip().isdigit():
        raise ImproperlyConfigured(f"{name}={value!r} is not a port range: write LOW-HIGH, e.g. 40000-40999.")
    low, high = int(low_text), int(high_text)
    if not 1024 <= low <= high <= 65535:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a usable range: both ends from 1024 to 65535, the lower one first."
        )
    return PortRange(low, high)


def _plain(name: str, env: Mapping[str, str] | None) -> str:
    value = envstr(name, "", env)
    if any(ch in value for ch in '"\\\n\r'):
        raise ImproperlyConfigured(f"{name} contains a quote, backslash or line break: remove it.")
    return value


def _host_port(name: str, env: Mapping[str, str] | None) -> str:
    value = _plain(name, env)
    if value:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ImproperlyConfigured(f"{name}={value!r} must be HOST:PORT, e.g. turn.example.org:3478.")
    return value


def settings_from_env(env: Mapping[str, str] | None = None) -> JanusSettings:
    """Reads STAYHERE_JANUS_*; a bad value raises ImproperlyConfigured with a sentence naming it."""
    turn_type = envstr("STAYHERE_JANUS_TURN_TYPE", "udp", env).lower()
    if turn_type not in {"udp", "tcp", "tls"}:
        raise ImproperlyConfigured(f"STAYHERE_JANUS_TURN_TYPE={turn_type!r} must be udp, tcp or tls.")
    ice = IceSettings(
        nat_1_1_mapping=_plain("STAYHERE_JANUS_NAT_1_1", env),
        ice_enforce_list=_plain("STAYHERE_JANUS_ICE_ENFORCE_LIST", env),
        stun_server=_host_port("STAYHERE_JANUS_STUN_SERVER", env),
        turn_server=_host_port("STAYHERE_JANUS_TURN_SERVER", env),
        turn_type=turn_type,
        turn_user=_plain("STAYHERE_JANUS_TURN_USER", env),
        turn_password=_plain("STAYHERE_JANUS_TURN_PASSWORD", env),
    )
    settings = JanusSettings(
        enabled=envbool("STAYHERE_JANUS", True, env),
        binary=envstr("STAYHERE_JANUS_BINARY", "janus", env),
        http_port=envint("STAYHERE_JANUS_HTTP_PORT", 8188, env, minimum=1024, maximum=65535),
        admin_port=envint("STAYHERE_JANUS_ADMIN_PORT", 7188, env, minimum=1024, maximum=65535),
        rtp_ports=_port_range("STAYHERE_JANUS_RTP_PORTS", JanusSettings.rtp_ports, env),
        phone_rtp_ports=_port_range("STAYHERE_JANUS_PHONE_RTP_PORTS", JanusSettings.phone_rtp_ports, env),
        library_dir=_plain("STAYHERE_JANUS_LIBRARY_DIR", env),
        ice=ice,
    )
    if settings.http_port == settings.admin_port:
        raise ImproperlyConfigured("STAYHERE_JANUS_HTTP_PORT and STAYHERE_JANUS_ADMIN_PORT must differ.")
    a, b = settings.rtp_ports, settings.phone_rtp_ports
    if a.low <= b.high and b.low <= a.high:
        raise ImproperlyConfigured("STAYHERE_JANUS_RTP_PORTS and STAYHERE_JANUS_PHONE_RTP_PORTS must not overlap.")
    if bool(ice.turn_server) and not (ice.turn_user and ice.turn_password):
        raise ImproperlyConfigured(
            "STAYHERE_JANUS_TURN_SERVER needs STAYHERE_JANUS_TURN_USER and STAYHERE_JANUS_TURN_PASSWORD too."
        )
    return settings


def find_library_dir(settings: JanusSettings) -> Path:
    """The directory holding Janus' plugins/ and transports/ (Debian: /usr/lib/<arch>/janus)."""
    candidates = [settings.library_dir] if settings.library_dir else [p for g in LIBRARY_GLOBS for p in glob.glob(g)]
    for candidate in candidates:
        path = Path(candidate)
        if (path / "plugins" / AUDIOBRIDGE).exists() and (path / "transports" / HTTP_TRANSPORT).exists():
            return path
    raise FileNotFoundError(
        "Janus' AudioBridge plugin and HTTP transport were not found "
        f"(looked in {', '.join(candidates) or 'nothing'}): install Debian's janus package "
        "or set STAYHERE_JANUS_LIBRARY_DIR to the folder holding plugins/ and transports/."
    )


def _value(value: str | int | bool | list[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if any(ch in value for ch in '"\\\n\r'):
        raise ValueError(f"A Janus setting cannot hold quotes, backslashes or line breaks: {value!r}.")
    return f'"{value}"'


def render_jcfg(sections: Mapping[str, Mapping[str, str | int | bool | list[str]]]) -> str:
    """The libconfig text Janus reads (``name: { key = value }``)."""
    lines = ["# Written by stayhere at start-up; rewritten each time. Do not edit."]
    for section, entries in sections.items():
        lines.append(f"{section}: {{")
        lines.extend(f"\t{key} = {_value(value)}" for key, value in entries.items())
        lines.append("}")
    return "\n".join(lines) + "\n"


def core_sections(directory: Path, settings: JanusSettings, keys: JanusSecrets) -> dict[str, dict[str, object]]:
    ice = settings.ice
    nat: dict[str, object] = {"nice_debug": False, "ice_ignore_list": "vmnet", "ignore_mdns": True}
    if ice.stun_server:
        host, _, port = ice.stun_server.rpartition(":")
        nat.update(stun_server=host, stun_port=int(port))
    if ice.nat_1_1_mapping:
        nat["nat_1_1_mapping"] = ice.nat_1_1_mapping
    if ice.ice_enforce_list:
        nat["ice_enforce_list"] = ice.ice_enforce_list
    if ice.turn_server:
        host, _, port = ice.turn_server.rpartition(":")
        nat.update(turn_server=host, turn_port=int(port), turn_type=ice.turn_type, turn_user=ice.turn_user)
        nat["turn_pwd"] = ice.turn_password
    return {
        "general": {
            "configs_folder": str(directory),
            "plugins_folder": str(directory / "plugins"),
            "transports_folder": str(directory / "transports"),
            "events_folder": str(directory / "events"),
            "loggers_folder": str(directory / "loggers"),
            "debug_level": settings.debug_level,
            "debug_timestamps": False,
            "debug_colors": False,
            "server_name": "stayhere",
            "api_secret": keys.api_secret,
            "admin_secret": keys.admin_secret,
            "session_timeout": settings.session_timeout,
            "hide_dependencies": True,
            "exit_on_dl_error": True,
            # Janus refuses to record into protected folders: every absolute path is one.
            "protected_folders": ["/"],
        },
        "certificates": {},  # DTLS certificate made in memory at each start, never written
        "media": {"rtp_port_range": str(settings.rtp_ports)},
        "nat": nat,
        "plugins": {},
        "transports": {},
        "loggers": {},
        "events": {"broadcast": False},
    }


def write_config(directory: Path, settings: JanusSettings, keys: JanusSecrets | None = None) -> JanusConfig:
    """Writes a fresh private configuration into ``directory`` (made 0700) and returns it."""
    keys = keys or JanusSecrets.generate()
    library = find_library_dir(settings)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    for folder, wanted in (("plugins", AUDIOBRIDGE), ("transports", HTTP_TRANSPORT), ("events", ""), ("loggers", "")):
        target = directory / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(mode=0o700)
        if wanted:
            (target / wanted).symlink_to(library / folder / wanted)
    http = {
        "general": {
            "json": "plain",
            "base_path": "/janus",
            "http": True,
            "port": settings.http_port,
            "ip": settings.api_ip,
            "https": False,
            "acl": settings.api_acl,
        },
        "admin": {
            "admin_base_path": "/admin",
            "admin_http": True,
            "admin_port": settings.admin_port,
            "admin_ip": settings.api_ip,
            "admin_https": False,
            "admin_acl": settings.api_acl,
        },
        "cors": {},
    }
    audiobridge = {
        "general": {
            "admin_key": keys.admin_key,
            "lock_rtp_forward": True,
            "lock_play_file": True,
            "events": False,
            "rtp_port_range": str(settings.phone_rtp_ports),
            "local_ip": settings.api_ip,
        }
    }
    files = {
        "janus.jcfg": core_sections(directory, settings, keys),
        "janus.transport.http.jcfg": http,
        "janus.plugin.audiobridge.jcfg": audiobridge,
    }
    for name, sections in files.items():
        path = directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render_jcfg(sections))  # type: ignore[arg-type]
    return JanusConfig(directory, settings, keys)
