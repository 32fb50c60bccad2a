"""Janus as a child process of stayhere: private configuration, loopback only, stopped when stayhere exits."""

from __future__ import annotations

import asyncio
import atexit
import collections
import ctypes
import logging
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from stayhere.audio.config import LOOPBACK, JanusConfig, JanusSettings, settings_from_env, write_config
from stayhere.audio.http import request_json
from stayhere.audio.janus import JanusAdmin, JanusError, JanusSession

log = logging.getLogger("stayhere.audio")
ADDRESS = re.compile(
    r"\b\d{1,3}(?:\.\d{1,3}){3}\b"  # IPv4
    r"|\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b"  # IPv6, full
    r"|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{1,4})*::[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{1,4})*"  # IPv6 with ::
)
# Janus' warnings that only repeat what stayhere's configuration asked for, on every start: they stay in ``output``
# but are not raised to warnings in stayhere's log, where they would hide the ones that matter. Each is a whole
# line, matched exactly, so a warning that merely begins the same way still reaches the log.
EXPECTED_WARNINGS = frozenset(
    {
        # Printed whenever `ignore_mdns` is set (janus' ice.c), which config.core_sections does on purpose: a
        # browser's .local candidate names an address on the browser's own network, which this server cannot
        # reach, and resolving it would send multicast queries on the server's network.
        "[WARN] mDNS resolution disabled, .local candidates will be ignored",
    }
)
_warned_missing = False
_current: EmbeddedJanus | None = None


try:  # loaded here, not in the forked child, where taking the loader's lock could hang
    _LIBC: ctypes.CDLL | None = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # not glibc: Janus is still stopped at exit, just not when stayhere is killed
    _LIBC = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: Janus ends if stayhere is killed


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


class JanusStartError(Exception):
    """Janus could not be started; the message says why and what to change."""


class EmbeddedJanus:
    """A running Janus with stayhere's configuration. ``output`` keeps its recent lines, secrets blanked."""

    def __init__(self, config: JanusConfig, own_directory: bool = False) -> None:
        self.config = config
        self.own_directory = own_directory
        self.output: collections.deque[str] = collections.deque(maxlen=5000)
        self.process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self.addresses_blanked = 0  # how many addresses Janus itself wrote (and stayhere blanked)

    def admin(self) -> JanusAdmin:
        keys = self.config.secrets
        return JanusAdmin(self.config.admin_url, keys.admin_secret, keys.admin_key)

    async def new_session(self) -> JanusSession:
        """A Janus session for one browser connection (or for a phone bridge's RTP participants)."""
        return await JanusSession.create(self.http_url, self.api_secret)

    @property
    def api_secret(self) -> str:
        return self.config.secrets.api_secret

    @property
    def http_url(self) -> str:
        return self.config.http_url

    def _redact(self, line: str) -> str:
        keys = self.config.secrets
        for secret in (keys.api_secret, keys.admin_secret, keys.admin_key):
            line = line.replace(secret, "[secret]")
        # At the level stayhere sets Janus writes no addresses; should one appear anyway, it goes no further.
        line, count = ADDRESS.subn("[address]", line)
        self.addresses_blanked += count
        return line

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            line = self._redact(raw.rstrip("\n"))
            self.output.append(line)
            if line.startswith(("[ERR]", "[FATAL]")):
                log.error("janus: %s", line)
            elif line in EXPECTED_WARNINGS:
                log.debug("janus: %s", line)
            elif line.startswith("[WARN]"):
                log.warning("janus: %s", line)

    def start(self, timeout: float = 20.0) -> None:
        settings = self.config.settings
        for name, port in (
            ("STAYHERE_JANUS_HTTP_PORT", settings.http_port),
            ("STAYHERE_JANUS_ADMIN_PORT", settings.admin_port),
        ):
            if not _port_free(port):
                raise JanusStartError(
                    f"Port {port} on {LOOPBACK} is taken (another Janus, perhaps Debian's janus service?): "
                    f"set {name} to a free port."
                )
        self.process = subprocess.Popen(
            self.config.command(),
            cwd=self.config.directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            preexec_fn=_die_with_parent,
        )
        self._reader = threading.Thread(target=self._read, name="janus-output", daemon=True)
        self._reader.start()
        try:
            asyncio.run(self._wait_ready(timeout))
        except BaseException:
            self.stop()
            raise

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                tail = " | ".join(list(self.output)[-5:])
                raise JanusStartError(f"Janus exited while starting; its last lines: {tail or 'none'}.")
            try:
                # The admin ping proves it is our Janus (our admin secret), info that the session API answers.
                if await self.admin().ping():
                    info = await request_json("POST", self.http_url, {"janus": "info", "transaction": "ready"}, 2.0)
                    if isinstance(info, dict) and info.get("janus") == "server_info":
                        return
            except JanusError as exc:
                last = str(exc)
            await asyncio.sleep(0.1)
        raise JanusStartError(f"Janus did not answer within {timeout:g} s ({last}).")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self.own_directory:
            shutil.rmtree(self.config.directory, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def start_janus(
    settings: JanusSettings, directory: Path | None = None, timeout: float = 20.0, *, remove_after: bool | None = None
) -> EmbeddedJanus | None:
    """Writes a private configuration and starts Janus; None (said once in the log) when it is not installed.

    The configuration goes to ``directory``, else to a temporary folder; ``remove_after`` (by default: only a
    temporary folder) removes the folder when Janus stops.
    Call it from a thread that lives as long as Janus should (the main thread in ``serve``): Linux ends the
    child when the thread that started it ends.
    """
    global _warned_missing
    if not settings.enabled:
        return None
    if shutil.which(settings.binary) is None:
        if not _warned_missing:
            log.warning(
                "Janus is not installed (no %r on the PATH): meetings run without audio. "
                "Install Debian's janus package or set STAYHERE_JANUS_BINARY; STAYHERE_JANUS=0 hides this.",
                settings.binary,
            )
            _warned_missing = True
        return None
    own = directory is None if remove_after is None else remove_after
    folder = Path(tempfile.mkdtemp(prefix="stayhere-janus-")) if directory is None else directory
    try:
        config = write_config(folder, settings)
    except FileNotFoundError as exc:
        if own:
            shutil.rmtree(folder, ignore_errors=True)
        log.warning("%s Meetings run without audio.", exc)
        return None
    janus = EmbeddedJanus(config, own_directory=own)
    janus.start(timeout)
    return janus


def start_embedded_janus(env: Mapping[str, str] | None = None, directory: Path | None = None) -> EmbeddedJanus | None:
    """For ``stayhere serve``: starts Janus from STAYHERE_JANUS_* settings, stops it at exit.

    Its configuration is written to ``directory`` (``serve``: the data directory's ``janus/``), emptied first: a
    server stopped hard (``kill -9``, no exit handlers) leaves its folder to the next start, not in /tmp for good.

    Returns None (and meetings run without audio, said in the log) when Janus is switched off, not installed
    or does not start; a bad STAYHERE_JANUS_* value raises ImproperlyConfigured.
    ``current_janus()`` returns it afterwards, for the room hub.
    """
    global _current
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(mode=0o700, parents=True)
    try:
        janus = start_janus(settings_from_env(env), directory, remove_after=True)
    except JanusStartError as exc:
        log.error("Janus did not start, so meetings run without audio: %s", exc)
        return None
    if janus is not None:
        atexit.register(janus.stop)
        _current = janus
    return janus


def current_janus() -> EmbeddedJanus | None:
    """The Janus ``start_embedded_janus`` started in this process, if any and still running."""
    return _current if _current is not None and _current.running else None
