"""The telephone edge's engines: Kamailio (SIP) and rtpengine (media), configured and started by stayhere.

Kamailio faces the operator's SIP trunk. Its script (written here, at each start, into a private directory)
drops what ``sanity`` finds malformed, limits INVITE floods with ``pike``, answers OPTIONS keepalives, and for
each new INVITE asks stayhere over loopback HTTP (``http_client``, a random token) for the answer's SDP: stayhere
anchors the call's media in rtpengine and Kamailio answers as the user agent server (``200 OK`` with
rtpengine's SDP). In-dialog BYEs are told to stayhere the same way; stayhere ends a call itself with a BYE sent
by Kamailio's ``tm.t_uac_start`` over its JSON-RPC datagram socket. rtpengine is driven only by its ng protocol
(``stayhere.audio.rtpengine``) and sends each RFC 4733 keypad event to stayhere's UDP socket
(``--dtmf-log-dest``).

Nothing here writes a caller's number, a SIP header or any media: Kamailio logs at warning level with no
``xlog`` of request fields, rtpengine at warning level with no recording directory, and both engines' output
is read by stayhere through a pipe with addresses and long digit runs blanked before anything reaches its log.
"""

from __future__ import annotations

import collections
import ipaddress
import logging
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from stayhere.audio.config import LOOPBACK, PortRange, _port_range
from stayhere.audio.process import ADDRESS, _die_with_parent
from stayhere.env import envbool, envstr

log = logging.getLogger("stayhere.audio")
DIGITS = re.compile(r"\+?\d[\d\-. ]{4,}\d")  # anything like a telephone number (or a code) in an engine's output
KAMAILIO_MODULES = ("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules")
# Kamailio's log levels: -5 alert ... -1 error, 0 warning, 1 notice, 2 info, 3 debug. Info and above print
# request fields; rtpengine's 0-7 follow syslog: 4 is warning, 6 (info) names every call and peer address.
KAMAILIO_LOG_LEVEL = 0
RTPENGINE_LOG_LEVEL = 4


@dataclass(frozen=True)
class PhoneSettings:
    enabled: bool = False
    number: str = ""  # the number the operator publishes, +E.164 ("" : not shown anywhere)
    sip_ip: str = LOOPBACK  # where Kamailio listens for the trunk
    sip_port: int = 5060
    advertise: str = ""  # the public address, when the edge is behind 1:1 NAT
    rtp_ip: str = ""  # rtpengine's address towards callers ("": the SIP address)
    rtp_ports: PortRange = PortRange(30000, 30999)  # noqa: RUF009  (frozen: one shared value is fine)
    trunk_allow: tuple[str, ...] = ()  # networks allowed to send INVITEs (empty: any)
    janus_ip: str = LOOPBACK  # rtpengine's address towards Janus' plain RTP participants
    kamailio: str = "kamailio"
    rtpengine: str = "rtpengine"

    @property
    def caller_ip(self) -> str:
        return self.rtp_ip or self.sip_ip


def _address(name: str, value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an IP address: write one, e.g. 192.0.2.10.") from None


def phone_settings_from_env(env: Mapping[str, str] | None = None) -> PhoneSettings:
    """Reads STAYHERE_PHONE_*; a bad value raises ImproperlyConfigured with a sentence naming it."""
    number = envstr("STAYHERE_PHONE_NUMBER", "", env).replace(" ", "")
    if number and not re.fullmatch(r"\+[1-9]\d{6,14}", number):
        raise ImproperlyConfigured(
            f"STAYHERE_PHONE_NUMBER={number!r} is not a number in international form: write + and the digits, "
            "e.g. +15550100200."
        )
    listen = envstr("STAYHERE_PHONE_SIP_LISTEN", f"{LOOPBACK}:5060", env)
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(f"STAYHERE_PHONE_SIP_LISTEN={listen!r} must be IP:PORT, e.g. 192.0.2.10:5060.")
    allow = []
    for item in envstr("STAYHERE_PHONE_TRUNK_ALLOW", "", env).split(","):
        if item.strip():
            try:
                allow.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError:
                raise ImproperlyConfigured(
                    f"STAYHERE_PHONE_TRUNK_ALLOW has {item.strip()!r}, which is not an address or network: "
                    "list your SIP provider's signalling addresses, e.g. 198.51.100.0/24,203.0.113.5."
                ) from None
    advertise = envstr("STAYHERE_PHONE_ADVERTISE", "", env)
    rtp_ip = envstr("STAYHERE_PHONE_RTP_IP", "", env)
    janus_ip = envstr("STAYHERE_PHONE_JANUS_IP", LOOPBACK, env)
    return PhoneSettings(
        enabled=envbool("STAYHERE_PHONE", False, env),
        number=number,
        sip_ip=_address("STAYHERE_PHONE_SIP_LISTEN", host),
        sip_port=int(port),
        advertise=_address("STAYHERE_PHONE_ADVERTISE", advertise) if advertise else "",
        rtp_ip=_address("STAYHERE_PHONE_RTP_IP", rtp_ip) if rtp_ip else "",
        rtp_ports=_port_range("STAYHERE_PHONE_RTP_PORTS", PhoneSettings.rtp_ports, env),
        trunk_allow=tuple(allow),
        janus_ip=_address("STAYHERE_PHONE_JANUS_IP", janus_ip),
        kamailio=envstr("STAYHERE_PHONE_KAMAILIO", "kamailio", env),
        rtpengine=envstr("STAYHERE_PHONE_RTPENGINE", "rtpengine", env),
    )


class EngineStartError(Exception):
    """Kamailio or rtpengine could not be started; the message says why and what to change."""


def blank(line: str, extra: tuple[str, ...] = ()) -> tuple[str, int]:
    """The line with secrets, addresses and number-like digit runs blanked, and how many were."""
    for secret in extra:
        line = line.replace(secret, "[secret]")
    line, addresses = ADDRESS.subn("[address]", line)
    line, numbers = DIGITS.subn("[digits]", line)
    return line, addresses + numbers


@dataclass
class Engine:
    """One engine as a child process: its output read through a pipe, blanked, kept and passed to the log."""

    name: str
    command: list[str]
    directory: Path
    secrets: tuple[str, ...] = ()
    output: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=5000))
    blanked: int = 0
    process: subprocess.Popen[str] | None = None
    _reader: threading.Thread | None = None

    def start(self) -> None:
        if shutil.which(self.command[0]) is None:
            packages = "kamailio kamailio-utils-modules kamailio-extra-modules" if self.name == "Kamailio" else ""
            raise EngineStartError(
                f"{self.name} is not installed (no {self.command[0]!r} on the PATH): "
                f"apt-get install {packages or 'rtpengine-daemon'}."
            )
        self.process = subprocess.Popen(
            self.command,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            preexec_fn=_die_with_parent,
        )
        self._reader = threading.Thread(target=self._read, name=f"{self.name}-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            line, count = blank(raw.rstrip("\n"), self.secrets)
            self.blanked += count
            self.output.append(line)
            if " ERROR" in line or "CRIT" in line or "ERR:" in line:
                log.error("%s: %s", self.name.lower(), line[-300:])
            elif "WARN" in line:
                log.warning("%s: %s", self.name.lower(), line[-300:])

    def exited(self) -> str | None:
        """None while running, else a sentence with its last lines."""
        if self.process is not None and self.process.poll() is None:
            return None
        tail = " | ".join(list(self.output)[-4:])
        return f"{self.name} exited while starting; its last lines: {tail or 'none'}."

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else 0

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._reader is not None:
            self._reader.join(timeout=5)


def free_udp_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _udp_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class EdgeConfig:
    """What stayhere generated for one start of the edge: the directory, the ports and the secrets."""

    settings: PhoneSettings
    directory: Path
    hook_port: int  # stayhere's loopback HTTP endpoint for Kamailio's hooks
    hook_token: str
    ng_port: int  # rtpengine's control port
    dtmf_port: int  # stayhere's UDP socket for rtpengine's keypad events

    @property
    def rpc_socket(self) -> Path:
        return self.directory / "kamailio-rpc.sock"


def kamailio_module_dir() -> str:
    """The folder of Kamailio's modules, holding the two that come in packages of their own: http_client
    (kamailio-utils-modules) and jansson (kamailio-extra-modules)."""
    for candidate in KAMAILIO_MODULES:
        if (Path(candidate) / "http_client.so").exists():
            if not (Path(candidate) / "jansson.so").exists():
                raise EngineStartError(
                    "Kamailio's jansson module was not found: apt-get install kamailio-extra-modules."
                )
            return candidate
    raise EngineStartError(
        "Kamailio's http_client module was not found: apt-get install kamailio kamailio-utils-modules "
        "kamailio-extra-modules."
    )


def kamailio_cfg(config: EdgeConfig, modules: str) -> str:
    """The Kamailio script: a user agent server for new INVITEs, nothing proxied, nothing logged about callers."""
    s = config.settings
    advertise = f" advertise {s.advertise}:{s.sip_port}" if s.advertise else ""
    allow = ",".join(s.trunk_allow)
    trunk_check = (
        f'    if (!is_in_subnet("$si", "{allow}")) {{ sl_send_reply("403", "Forbidden"); exit; }}\n' if allow else ""
    )
    hook = f"http://{LOOPBACK}:{config.hook_port}"
    headers = f"X-Stayhere: {config.hook_token}\\r\\nContent-Type: application/json"
    return f"""#!KAMAILIO
# Written by stayhere at each start (stayhere/audio/sip.py); not to be edited: the next start replaces it.
debug={KAMAILIO_LOG_LEVEL}
log_stderror=yes
log_color=no
memdbg=5
memlog=5
children=4
tcp_children=0
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
server_header="Server: stayhere"
user_agent_header="User-Agent: stayhere"
sip_warning=0
listen=udp:{s.sip_ip}:{s.sip_port}{advertise}
mpath="{modules}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "sanity.so"
loadmodule "pike.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "ipops.so"
loadmodule "jansson.so"
loadmodule "http_client.so"
loadmodule "jsonrpcs.so"

modparam("pike", "sampling_time_unit", 2)
modparam("pike", "reqs_density_per_unit", 20)
modparam("pike", "remove_latency", 10)
modparam("http_client", "connection_timeout", 3)
modparam("http_client", "query_result", 0)
modparam("http_client", "keep_connections", 1)
modparam("jsonrpcs", "transport", 4)
modparam("jsonrpcs", "dgram_socket", "{config.rpc_socket}")
modparam("jsonrpcs", "dgram_mode", 0600)
modparam("tm", "fr_timer", 5000)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (!sanity_check("17895", "7")) {{ exit; }}
    if (is_method("INVITE") && !has_totag()) {{
        if (!pike_check_req()) {{ exit; }}
{trunk_check}    }}
    if (is_method("OPTIONS") && !has_totag()) {{ sl_send_reply("200", "OK"); exit; }}
    if (is_method("ACK")) {{ exit; }}
    if (has_totag()) {{
        if (is_method("BYE")) {{ route(TELL); sl_send_reply("200", "OK"); exit; }}
        if (is_method("INFO|UPDATE|NOTIFY")) {{ sl_send_reply("200", "OK"); exit; }}
        sl_send_reply("488", "Not Acceptable Here");
        exit;
    }}
    if (is_method("CANCEL")) {{ route(TELL); sl_send_reply("200", "OK"); exit; }}
    if (!is_method("INVITE")) {{ sl_send_reply("405", "Method Not Allowed"); exit; }}
    if (!has_body("application/sdp")) {{ sl_send_reply("488", "Not Acceptable Here"); exit; }}
    sl_send_reply("100", "Trying");
    $var(call) = "{{}}";
    jansson_set("string", "call_id", "$ci", "$var(call)");
    jansson_set("string", "from_tag", "$ft", "$var(call)");
    jansson_set("string", "to_tag", "$ltt(s)", "$var(call)");
    jansson_set("string", "caller", "$fU", "$var(call)");
    jansson_set("string", "from", "$fu", "$var(call)");
    jansson_set("string", "to", "$tu", "$var(call)");
    jansson_set("string", "contact", "$(ct{{nameaddr.uri}})", "$var(call)");
    jansson_set("string", "source", "sip:$si:$sp", "$var(call)");
    jansson_set("string", "sdp", "$rb", "$var(call)");
    $var(code) = http_client_query("{hook}/invite", "$var(call)", "{headers}", "$var(answer)");
    if ($var(code) == 200) {{
        set_reply_body("$var(answer)", "application/sdp");
        append_to_reply("Contact: <sip:stayhere@{s.advertise or s.sip_ip}:{s.sip_port}>\\r\\n");
        sl_send_reply("200", "OK");
    }} else if ($var(code) == 486) {{
        sl_send_reply("486", "Busy Here");
    }} else {{
        sl_send_reply("503", "Service Unavailable");
    }}
    exit;
}}

route[TELL] {{
    $var(call) = "{{}}";
    jansson_set("string", "call_id", "$ci", "$var(call)");
    $var(code) = http_client_query("{hook}/bye", "$var(call)", "{headers}", "$var(answer)");
}}
"""


def rtpengine_command(config: EdgeConfig) -> list[str]:
    s = config.settings
    caller = f"{s.caller_ip}!{s.advertise}" if s.advertise else s.caller_ip
    interfaces = [f"--interface=pub/{caller}"]
    if s.janus_ip != s.caller_ip or s.advertise:
        interfaces.append(f"--interface=janus/{s.janus_ip}")
    return [
        s.rtpengine,
        "--config-file=none",
        "--foreground",
        "--log-stderr",
        f"--log-level={RTPENGINE_LOG_LEVEL}",
        "--table=-1",
        *interfaces,
        f"--listen-ng={LOOPBACK}:{config.ng_port}",
        f"--port-min={s.rtp_ports.low}",
        f"--port-max={s.rtp_ports.high}",
        f"--dtmf-log-dest={LOOPBACK}:{config.dtmf_port}",
        "--delete-delay=0",
        "--timeout=60",
        "--silent-timeout=3600",
        "--num-threads=2",
        f"--pidfile={config.directory / 'rtpengine.pid'}",
    ]


def write_edge(directory: Path, settings: PhoneSettings, hook_port: int, dtmf_port: int) -> EdgeConfig:
    """The edge's private directory (mode 0700): kamailio.cfg (0600) with a fresh hook token."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    config = EdgeConfig(
        settings=settings,
        directory=directory,
        hook_port=hook_port,
        hook_token=secrets.token_urlsafe(32),
        ng_port=free_udp_port(),
        dtmf_port=dtmf_port,
    )
    cfg = directory / "kamailio.cfg"
    cfg.write_text(kamailio_cfg(config, kamailio_module_dir()))
    cfg.chmod(0o600)
    return config


def kamailio_command(config: EdgeConfig) -> list[str]:
    s = config.settings
    return [
        s.kamailio,
        "-f",
        str(config.directory / "kamailio.cfg"),
        "-DD",
        "-E",
        "-m",
        "64",
        "-M",
        "8",
        "-Y",
        str(config.directory),
        "-P",
        str(config.directory / "kamailio.pid"),
    ]


@dataclass
class Engines:
    config: EdgeConfig
    kamailio: Engine
    rtpengine: Engine

    def stop(self) -> None:
        self.kamailio.stop()
        self.rtpengine.stop()


def start_engines(config: EdgeConfig, timeout: float = 15.0) -> Engines:
    """Starts rtpengine, then Kamailio; each must be up within ``timeout`` or EngineStartError says why."""
    s = config.settings
    if not _udp_free(s.sip_ip, s.sip_port):
        raise EngineStartError(
            f"UDP port {s.sip_port} on {s.sip_ip} is taken (Debian's kamailio service, perhaps?): stop it "
            "or set STAYHERE_PHONE_SIP_LISTEN to a free address and port."
        )
    rtp = Engine("rtpengine", rtpengine_command(config), config.directory)
    kam = Engine("Kamailio", kamailio_command(config), config.directory, secrets=(config.hook_token,))
    engines = Engines(config, kam, rtp)
    try:
        rtp.start()
        _wait(rtp, lambda: _ng_ping(config.ng_port), timeout)
        kam.start()
        _wait(kam, lambda: config.rpc_socket.exists() and not _udp_free(s.sip_ip, s.sip_port), timeout)
    except BaseException:
        engines.stop()
        raise
    return engines


def _ng_ping(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.3)
        try:
            probe.sendto(b"ready d7:command4:pinge", (LOOPBACK, port))
            return b"pong" in probe.recv(200)
        except OSError:
            return False


def _wait(engine: Engine, ready: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        problem = engine.exited()
        if problem:
            raise EngineStartError(problem)
        if callable(ready) and ready():
            return
        time.sleep(0.1)
    engine.stop()
    raise EngineStartError(f"{engine.name} did not get ready within {timeout:g} s.")
