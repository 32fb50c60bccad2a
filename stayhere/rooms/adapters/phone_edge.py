"""``stayhere serve``'s telephone edge: prompts rendered, Kamailio and rtpengine started, the line opened.

``start_engines_from_env`` runs in the main thread before the server (the engines are its children, ended with
it); ``open_line`` runs on the server's event loop once it is up, with the process's live rooms.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation

from stayhere.audio.sip import (
    EdgeConfig,
    Engines,
    EngineStartError,
    free_udp_port,
    phone_settings_from_env,
    start_engines,
    write_edge,
)
from stayhere.audio.voice_prompts import PromptRenderError, render_all
from stayhere.rooms.adapters.phone_line import Line, PhoneLine, all_prompts
from stayhere.rooms.live.root import LiveRooms

log = logging.getLogger("stayhere.audio")
LANGUAGES = ("en", "es")


@dataclass
class Prepared:
    config: EdgeConfig
    engines: Engines
    prompts: dict[tuple[str, str], Path]
    line: PhoneLine | None = None


_prepared: Prepared | None = None


def prompt_texts() -> dict[tuple[str, str], str]:
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            for name, text in all_prompts().items():
                texts[(name, language)] = str(text)
    return texts


def _free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_engines_from_env(env: Mapping[str, str] | None = None) -> Prepared | None:
    """With STAYHERE_PHONE=1: the prompts rendered into the data directory, the engines' configuration written
    there (``phone/``, rewritten at each start) and both engines started. None, said in the log, when the edge is
    off or cannot start (the meetings go on without a phone line)."""
    global _prepared
    phone = phone_settings_from_env(env)
    if not phone.enabled:
        return None
    data = Path(settings.DATA_DIR)
    try:
        prompts = render_all(data / "phone-prompts", prompt_texts())
        folder = data / "phone"
        shutil.rmtree(folder, ignore_errors=True)
        config = write_edge(folder, phone, hook_port=_free_tcp_port(), dtmf_port=free_udp_port())
        engines = start_engines(config)
    except (PromptRenderError, EngineStartError) as problem:
        log.error("The phone line did not start, so meetings take no calls: %s", problem)
        return None
    atexit.register(engines.stop)
    log.info("The phone line is up: Kamailio takes SIP on UDP port %d.", phone.sip_port)
    _prepared = Prepared(config, engines, prompts)
    return _prepared


async def find_line(code: str) -> Line | None:
    from stayhere.phone.codes import line_for

    found = await database_sync_to_async(line_for)(code)
    return Line(found.slug, found.language) if found is not None else None


async def open_line(rooms: LiveRooms) -> PhoneLine | None:
    """On the server's loop: the line that takes the calls, if the engines were started."""
    prepared = _prepared
    if prepared is None:
        return None
    prepared.line = PhoneLine(prepared.config, lambda: rooms, prepared.prompts, find_line)
    await prepared.line.start()
    return prepared.line


async def close_line() -> None:
    prepared = _prepared
    if prepared is not None and prepared.line is not None:
        await prepared.line.stop()
        prepared.line = None
