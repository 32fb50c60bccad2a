"""Against a real Janus with stayhere's configuration: rooms, plain RTP participants, mutes, and what Janus keeps."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from stayhere.audio.config import JanusConfig, JanusSecrets, JanusSettings
from stayhere.audio.http import request_json
from stayhere.audio.janus import JanusAdmin, JanusError, JanusRefused, JanusSession, JanusUnavailable
from stayhere.audio.process import EmbeddedJanus, JanusStartError, current_janus, start_embedded_janus, start_janus
from stayhere.audio.rtp import rms, tone_power

from .conftest import free_port, janus_settings, need_janus, run_janus
from .phones import Phone, talk

PHONE_A = "127.0.0.77"  # loopback addresses of the RTP participants: searched for in Janus' output
PHONE_B = "127.0.0.78"
LOUD = 3000.0  # a half-scale tone measures about 11300; silence 0
QUIET = 300.0


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def open_regular_files(pid: int) -> list[str]:
    """Regular files the process holds open now (a recording would be one)."""
    out = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("/") and Path(target).is_file():
            out.append(target)
    return out


def test_janus_starts_on_loopback_and_answers_info(janus: EmbeddedJanus) -> None:
    info = asyncio.run(request_json("POST", janus.http_url, {"janus": "info", "transaction": "t"}, 5.0))
    assert info["janus"] == "server_info" and info["server-name"] == "stayhere"
    assert list(info["plugins"]) == ["janus.plugin.audiobridge"]
    assert list(info["transports"]) == ["janus.transport.http"]
    assert info["events"] == {}
    assert janus.http_url.startswith("http://127.0.0.1:")


MDNS_OFF = "[WARN] mDNS resolution disabled, .local candidates will be ignored"


@pytest.mark.janus
def test_janus_starts_with_nothing_for_stayhere_to_warn_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Janus warns at every start that mDNS is off, which is what stayhere's `ignore_mdns` asked for: the line is
    kept in its output, not raised to a warning in stayhere's log."""
    caplog.set_level(logging.DEBUG, logger="stayhere.audio")
    janus = run_janus(tmp_path / "conf")
    janus.stop()  # and with it the reader of its output: every line it wrote has been read
    assert MDNS_OFF in janus.output
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert f"janus: {MDNS_OFF}" in [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]


def test_janus_warnings_other_than_the_expected_ones_still_reach_stayhere_s_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    janus = EmbeddedJanus(JanusConfig(tmp_path, JanusSettings(), JanusSecrets.generate()))
    lines = [MDNS_OFF, MDNS_OFF + " (and something new)", "[WARN] Invalid ICE port range", "[ERR] Bad thing"]
    janus.process = SimpleNamespace(stdout=io.StringIO("".join(line + "\n" for line in lines)))  # type: ignore[assignment]
    with caplog.at_level(logging.DEBUG, logger="stayhere.audio"):
        janus._read()
    assert list(janus.output) == lines
    levels = {r.getMessage().removeprefix("janus: "): r.levelname for r in caplog.records}
    assert levels == {
        MDNS_OFF: "DEBUG",
        MDNS_OFF + " (and something new)": "WARNING",
        "[WARN] Invalid ICE port range": "WARNING",
        "[ERR] Bad thing": "ERROR",
    }


def test_a_room_is_created_and_gone_after_destroy(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        admin = janus.admin()
        room = await admin.create_room()
        assert await admin.exists(room.room)
        assert await admin.list_participants(room) == []
        await admin.destroy_room(room)
        assert not await admin.exists(room.room)
        with pytest.raises(JanusRefused, match="No such room"):
            await admin.destroy_room(room)

    asyncio.run(scenario())


def test_it_refuses_a_wrong_admin_secret_or_admin_key(janus: EmbeddedJanus) -> None:
    good = janus.admin()

    async def scenario() -> None:
        with pytest.raises(JanusRefused, match="Unauthorized"):
            await JanusAdmin(good.admin_url, "janusoverlord", good.admin_key).create_room()
        with pytest.raises(JanusRefused, match="Unauthorized"):
            await JanusAdmin(good.admin_url, good.admin_secret, "guess").create_room()
        with pytest.raises(JanusRefused, match="Unauthorized"):
            await JanusSession.create(janus.http_url, "wrong")

    asyncio.run(scenario())


def test_a_janus_that_is_not_there_is_reported_as_unreachable() -> None:
    admin = JanusAdmin(f"http://127.0.0.1:{free_port()}/admin", "x", "y", timeout=2.0)
    with pytest.raises(JanusUnavailable, match="is it running"):
        asyncio.run(admin.ping())


def test_only_the_unmuted_participant_is_heard_and_a_host_mute_silences_it(janus: EmbeddedJanus) -> None:
    before = files_under(janus.config.directory)

    async def scenario() -> None:
        admin = janus.admin()
        room = await admin.create_room(allow_rtp_participants=True)
        session = await JanusSession.create(janus.http_url, janus.api_secret)
        a = await Phone.join(session, room, PHONE_A, "A", muted=False)
        b = await Phone.join(session, room, PHONE_B, "B", muted=True)
        try:
            heard_by_a, heard_by_b = await talk(a, b)
            assert heard_by_a and heard_by_b
            assert rms(heard_by_a) < QUIET, "B is muted: A must hear nothing"
            assert tone_power(heard_by_a, 1000) < QUIET
            assert tone_power(heard_by_b, 440) > LOUD, "A is unmuted: B must hear A's tone"
            assert tone_power(heard_by_b, 1000) < QUIET, "nobody hears themselves"
            assert not open_regular_files(janus.process.pid)  # type: ignore[union-attr]

            await admin.mute(room, a.participant)
            listed = {p["id"]: p["muted"] for p in await admin.list_participants(room)}
            assert listed == {a.participant: True, b.participant: True}
            heard_by_a, heard_by_b = await talk(a, b)
            assert rms(heard_by_b) < QUIET, "A was muted by the host: B must hear nothing"
            assert rms(heard_by_a) < QUIET

            await admin.unmute(room, b.participant)  # the floor moves to B
            heard_by_a, heard_by_b = await talk(a, b)
            assert tone_power(heard_by_a, 1000) > LOUD and rms(heard_by_b) < QUIET

            await admin.kick(room, b.participant)
            for _ in range(50):  # the kicked participant leaves once the plugin has hung it up
                listed = {p["id"]: p["muted"] for p in await admin.list_participants(room)}
                if b.participant not in listed:
                    break
                await asyncio.sleep(0.1)
            assert listed == {a.participant: True}
        finally:
            a.peer.close()
            b.peer.close()
            await admin.destroy_room(room)
            await session.destroy()
        assert not await admin.exists(room.room)

    asyncio.run(scenario())
    assert files_under(janus.config.directory) == before, "Janus wrote a file (a recording?)"
    output = "\n".join(janus.output)
    assert PHONE_A not in output and PHONE_B not in output
    assert janus.addresses_blanked == 0, "Janus itself wrote an address at stayhere's log level"
    assert janus.config.secrets.admin_secret not in output


@pytest.mark.janus
def test_the_no_file_check_would_see_a_recording(tmp_path: Path) -> None:
    """Turned on by hand with the admin key (stayhere's client has no way to), a recording is caught."""
    janus = run_janus(tmp_path / "conf")
    try:
        before = files_under(janus.config.directory)

        async def scenario() -> None:
            admin = janus.admin()
            await admin.message_plugin({"request": "create", "admin_key": admin.admin_key, "room": 5, "record": True})
            await asyncio.sleep(0.5)  # the mixer opens the file on its first pass
            await admin.message_plugin({"request": "destroy", "room": 5})

        asyncio.run(scenario())
    finally:
        janus.stop()
    assert files_under(janus.config.directory) != before


@pytest.mark.janus
def test_at_a_verbose_level_janus_would_log_addresses_and_stayhere_blanks_them(tmp_path: Path) -> None:
    janus = run_janus(tmp_path / "conf", debug_level=6)
    try:

        async def scenario() -> None:
            admin = janus.admin()
            room = await admin.create_room(allow_rtp_participants=True)
            session = await JanusSession.create(janus.http_url, janus.api_secret)
            phone = await Phone.join(session, room, PHONE_A, "A", muted=True)
            phone.peer.close()
            await admin.destroy_room(room)
            await session.destroy()

        asyncio.run(scenario())
    finally:
        janus.stop()
    assert janus.addresses_blanked > 0
    assert PHONE_A not in "\n".join(janus.output)


def test_a_session_janus_ended_is_reported_as_gone(janus: EmbeddedJanus) -> None:
    async def scenario() -> None:
        session = await janus.new_session()
        elsewhere = JanusSession(janus.http_url, janus.api_secret, session.session_id)
        await elsewhere.destroy()
        # The event poll or this keepalive, whichever asks first, learns that the session is gone.
        with pytest.raises(JanusError, match=r"no longer knows this session|session is closed"):
            await session.keepalive()
        event = await asyncio.wait_for(session.events.get(), 5)
        assert event.kind == "gone" and session.closed
        with pytest.raises(JanusError, match="session is closed"):
            await session.attach()
        await session.destroy()  # nothing left to end: no error

    asyncio.run(scenario())


def serve_environment(settings: JanusSettings) -> dict[str, str]:
    """The STAYHERE_JANUS_* settings ``stayhere serve`` would read to start a Janus on these ports."""
    return {
        "STAYHERE_JANUS_HTTP_PORT": str(settings.http_port),
        "STAYHERE_JANUS_ADMIN_PORT": str(settings.admin_port),
        "STAYHERE_JANUS_RTP_PORTS": str(settings.rtp_ports),
        "STAYHERE_JANUS_PHONE_RTP_PORTS": str(settings.phone_rtp_ports),
    }


@pytest.mark.janus
def test_it_will_not_start_on_a_taken_port(tmp_path: Path) -> None:
    need_janus()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with pytest.raises(JanusStartError, match=f"Port {taken} .* is taken"):
            start_janus(janus_settings(http_port=taken), directory=tmp_path / "conf")


@pytest.mark.janus
def test_serve_starts_janus_from_the_environment_and_the_hub_can_find_it(tmp_path: Path) -> None:
    need_janus()
    env = serve_environment(janus_settings())
    janus = start_embedded_janus(env)
    assert janus is not None
    try:
        assert current_janus() is janus
        assert asyncio.run(janus.admin().ping())
        assert oct(janus.config.directory.stat().st_mode)[-3:] == "700"
    finally:
        janus.stop()
    assert current_janus() is None
    assert not janus.config.directory.exists(), "the private configuration is deleted when Janus stops"


@pytest.mark.janus
def test_serve_writes_janus_configuration_into_the_data_directory_and_a_hard_stops_leftovers_are_cleared(
    tmp_path: Path,
) -> None:
    need_janus()
    env = serve_environment(janus_settings())
    folder = tmp_path / "data" / "janus"
    folder.mkdir(parents=True)
    (folder / "left-by-a-server-killed-hard.jcfg").write_text("old")
    janus = start_embedded_janus(env, directory=folder)
    assert janus is not None
    try:
        assert janus.config.directory == folder
        assert not (folder / "left-by-a-server-killed-hard.jcfg").exists(), "the folder is emptied before Janus starts"
        assert any(folder.glob("*.jcfg")), "the configuration is written there"
        assert oct(folder.stat().st_mode)[-3:] == "700"
    finally:
        janus.stop()
    assert not folder.exists(), "the configuration is deleted when Janus stops"


@pytest.mark.janus
def test_serve_runs_without_audio_when_janus_cannot_start(caplog: pytest.LogCaptureFixture) -> None:
    need_janus()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        env = {"STAYHERE_JANUS_HTTP_PORT": str(holder.getsockname()[1]), "STAYHERE_JANUS_ADMIN_PORT": "7199"}
        assert start_embedded_janus(env) is None
    assert any("without audio" in r.getMessage() for r in caplog.records)


@pytest.mark.janus
def test_a_session_is_kept_alive_while_nothing_else_is_sent(tmp_path: Path) -> None:
    janus = run_janus(tmp_path / "conf", session_timeout=2)
    try:

        async def scenario() -> None:
            kept = await JanusSession.create(janus.http_url, janus.api_secret, keepalive_every=0.5)
            left = await JanusSession.create(janus.http_url, janus.api_secret, keepalive_every=3600)
            # Janus looks at its sessions' timeouts about once a second; on a loaded machine, later (10 s was
            # once too short while other tests ran): the bound is only there so a Janus that never ends it fails.
            for _ in range(600):
                if left.closed:
                    break
                await asyncio.sleep(0.1)
            assert left.closed, "with event polls alone, Janus ends a session"
            await kept.attach()  # still known to Janus
            assert not kept.closed
            await kept.destroy()
            await left.destroy()

        asyncio.run(scenario())
    finally:
        janus.stop()
