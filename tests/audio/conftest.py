"""A real Janus for the audio tests: stayhere's own configuration, free loopback ports, a temporary folder."""

from __future__ import annotations

import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from stayhere.audio.config import JanusSettings, PortRange
from stayhere.audio.process import EmbeddedJanus, start_janus
from tests.needs import need


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def janus_settings(**changes: object) -> JanusSettings:
    base = 42000 + 200 * secrets.randbelow(80)
    settings = JanusSettings(
        http_port=free_port(),
        admin_port=free_port(),
        rtp_ports=PortRange(base, base + 99),
        phone_rtp_ports=PortRange(base + 100, base + 199),
    )
    return JanusSettings(**{**settings.__dict__, **changes})  # type: ignore[arg-type]


def need_janus() -> None:
    need("janus")
    if shutil.which("janus") is None:
        pytest.skip("Janus is not installed here (no `janus` on the PATH): apt-get install janus")


def run_janus(folder: Path, **changes: object) -> EmbeddedJanus:
    need_janus()
    janus = start_janus(janus_settings(**changes), directory=folder)
    assert janus is not None
    return janus


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedJanus]:
    running = run_janus(tmp_path_factory.mktemp("janus") / "conf")
    yield running
    running.stop()
