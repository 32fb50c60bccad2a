"""A shared Janus on another machine: `stayhere janus-config --listen ADDRESS --allow PREFIXES`, for real.

The "other machine" is a network namespace of the test's own, joined to this one by a veth pair on a private
network. Janus runs inside it with the configuration the command wrote; this process, as a worker would, reaches
it only through the entry the command printed, runs the floor on it with two plain RTP phones, and an address the
command did not allow is refused. Needs root (``ip netns``) and Janus; skipped otherwise.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stayhere.audio.floor import AudioFloor
from stayhere.audio.janus import JanusSession, RtpJoin
from stayhere.audio.rtp import RtpPeer, rms
from stayhere.audio.servers import ExternalJanus, parse_servers
from tests.audio.conftest import free_port, need_janus
from tests.audio.phones import Phone, chorus
from tests.audio.test_floor import QUIET, hears
from tests.rooms.roomkit import run_async

REPO = Path(__file__).resolve().parents[2]
A, B = 440.0, 1000.0
CLI = [sys.executable, "-m", "stayhere.cli"]


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class Network:
    """Two ends of a private /24: this machine's (``.1``, and ``.3`` not allowed) and the namespace's (``.2``)."""

    def __init__(self, namespace: str, subnet: int) -> None:
        self.namespace = namespace
        self.worker, self.janus, self.stranger = (f"10.232.{subnet}.{n}" for n in (1, 2, 3))


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("Needs root and iproute2 to make a network namespace.")
    need_janus()
    tag = secrets.token_hex(3)
    namespace, outside, inside = f"stayhere-{tag}", f"shw{tag}", f"shj{tag}"
    try:
        ip("netns", "add", namespace)
    except subprocess.CalledProcessError as refused:
        pytest.skip(f"This machine does not allow a network namespace here: {refused.stderr!r}")
    net = Network(namespace, 1 + secrets.randbelow(250))
    try:
        try:
            ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", namespace)
            ip("addr", "add", f"{net.worker}/24", "dev", outside)
            ip("addr", "add", f"{net.stranger}/24", "dev", outside)
            ip("link", "set", outside, "up")
            ip("-n", namespace, "link", "set", "lo", "up")
            ip("-n", namespace, "addr", "add", f"{net.janus}/24", "dev", inside)
            ip("-n", namespace, "link", "set", inside, "up")
        except subprocess.CalledProcessError as refused:
            pytest.skip(f"This machine does not allow a veth pair into a namespace: {refused.stderr!r}")
        yield net
    finally:
        subprocess.run(["ip", "link", "del", outside], check=False, capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], check=False, capture_output=True)


@pytest.fixture(scope="module")
def remote(network: Network, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalJanus]:
    """Janus in the namespace, configured and named by `stayhere janus-config --listen`."""
    folder = tmp_path_factory.mktemp("remote-janus")
    env = {**os.environ, "STAYHERE_DATA_DIR": str(folder / "data")}
    env |= {"STAYHERE_JANUS_HTTP_PORT": str(free_port()), "STAYHERE_JANUS_ADMIN_PORT": str(free_port())}
    made = subprocess.run(
        [*CLI, "janus-config", str(folder / "janus"), "--listen", network.janus, "--allow", network.worker],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = made.stdout.splitlines()
    command = shlex.split(next(line for line in lines if line.startswith("Run it")).split(": ", 1)[1])
    (server,) = parse_servers(lines[-1])
    log = (folder / "janus.log").open("wb")
    janus = subprocess.Popen(["ip", "netns", "exec", network.namespace, *command], stdout=log, stderr=log)
    try:
        yield server
    finally:
        janus.terminate()
        try:
            janus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            janus.kill()
        log.close()


async def reachable(server: ExternalJanus) -> bool:
    for _ in range(100):
        try:
            return await server.admin().ping()
        except Exception:
            await asyncio.sleep(0.1)
    return False


def test_a_worker_on_another_machine_runs_the_floor_on_a_janus_that_listens_on_a_private_address(
    network: Network, remote: ExternalJanus
) -> None:
    assert remote.host == network.janus, "the printed entry names the private address, not loopback"

    async def scenario() -> None:
        assert await reachable(remote)
        floor = AudioFloor(remote.admin())
        await floor.open("remote-room")
        session = await JanusSession.create(remote.http_url, remote.api_secret)
        phones: dict[float, Phone] = {}
        try:
            for frequency, seat in ((A, "seat-a"), (B, "seat-b")):
                peer = await RtpPeer.open(network.worker)
                handle = await session.attach()
                joined = await floor.join_seat(session, handle, "remote-room", seat, rtp=RtpJoin(*peer.address))
                assert joined.rtp is not None and joined.rtp["ip"] == network.janus
                peer.remote = (joined.rtp["ip"], joined.rtp["port"])
                phones[frequency] = Phone(peer, handle, joined.participant)
            heard = await chorus(phones)
            assert rms(heard[A]) < QUIET and rms(heard[B]) < QUIET, "muted on entry"
            floor.floor_listener("remote-room", "seat-a")
            await floor.drain()
            heard = await chorus(phones)
            assert hears(heard[B], A) and not hears(heard[A], B), "the floor holder is heard across the network"
        finally:
            for phone in phones.values():
                phone.peer.close()
            audio = floor.rooms["remote-room"].audio
            await floor.close("remote-room")
            await session.destroy()
        assert not await floor.admin.exists(audio.room)

    run_async(scenario())


def test_an_address_the_config_did_not_allow_is_refused_by_the_remote_janus(
    network: Network, remote: ExternalJanus
) -> None:
    assert run_async(reachable(remote))
    body = json.dumps({"janus": "ping", "transaction": "t1", "admin_secret": remote.admin_secret})
    for port, path in ((remote.admin_port, "/admin"), (remote.http_port, "/janus")):
        connection = http.client.HTTPConnection(network.janus, port, timeout=5, source_address=(network.stranger, 0))
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json"})
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
            assert answer.status != 200 or "pong" not in text, f"{path} answered a stranger"
        except (ConnectionError, http.client.HTTPException, OSError):
            pass  # a dropped connection is a refusal too
        finally:
            connection.close()
