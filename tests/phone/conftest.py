"""The telephone edge for the tests: Kamailio and rtpengine started by stayhere's own code on loopback."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stayhere.audio.config import PortRange
from stayhere.audio.sip import EdgeConfig, Engines, PhoneSettings, free_udp_port, start_engines, write_edge
from stayhere.audio.voice_prompts import render_all
from stayhere.rooms.adapters.phone_line import all_prompts
from tests.needs import need
from tests.phone.baresip import free_tcp_port


@dataclass
class Edge:
    config: EdgeConfig
    engines: Engines
    prompts: dict[tuple[str, str], Path]

    @property
    def uri(self) -> str:
        s = self.config.settings
        return f"sip:stayhere@{s.sip_ip}:{s.sip_port}"


def need_edge() -> None:
    need("phone")
    for program in ("kamailio", "rtpengine", "espeak-ng"):
        if shutil.which(program) is None:
            pytest.skip(
                f"{program} is not installed here: apt-get install kamailio kamailio-utils-modules "
                "kamailio-extra-modules rtpengine-daemon espeak-ng baresip"
            )


def rendered_prompts(folder: Path) -> dict[tuple[str, str], Path]:
    from django.utils import translation

    texts = {}
    for language in ("en", "es"):
        with translation.override(language):
            for name, text in all_prompts().items():
                texts[(name, language)] = str(text)
    return render_all(folder, texts)


def start_edge(folder: Path, **changes: object) -> Edge:
    need_edge()
    base = 24000 + 400 * secrets.randbelow(20)
    settings = PhoneSettings(enabled=True, sip_port=free_udp_port(), rtp_ports=PortRange(base, base + 399))
    settings = PhoneSettings(**{**settings.__dict__, **changes})  # type: ignore[arg-type]
    config = write_edge(folder / "edge", settings, hook_port=free_tcp_port(), dtmf_port=free_udp_port())
    engines = start_engines(config)
    return Edge(config, engines, rendered_prompts(folder / "prompts"))


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    running = start_edge(tmp_path_factory.mktemp("phone"))
    yield running
    running.engines.stop()
