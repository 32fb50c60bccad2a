"""A real SIP telephone for the tests: Debian's baresip, driven over its ctrl_tcp socket (netstring JSON).

It sends a tone from a WAV file (so another participant can measure its voice), keys RFC 4733 DTMF with
``sndcode`` and hangs up; its events (CALL_ESTABLISHED, CALL_CLOSED...) are kept as they come.
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import socket
import struct
import subprocess
import wave
from pathlib import Path

import pytest

from stayhere.audio.sip import free_udp_port


def tone_wav(path: Path, frequency: float, seconds: float = 120.0, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = bytearray()
        for n in range(int(seconds * rate)):
            frames += struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate)))
        out.writeframes(bytes(frames))
    return path


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bindable(kind: int, port: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def sip_port() -> int:
    """A port baresip can take for SIP over UDP and TCP, with the next one free for its TLS."""
    while True:
        port = free_udp_port()
        if port < 65535 and all(
            _bindable(kind, p) for kind, p in ((socket.SOCK_STREAM, port), (socket.SOCK_STREAM, port + 1))
        ):
            return port


class Baresip:
    def __init__(self, folder: Path, number: str, frequency: float = 440.0) -> None:
        if shutil.which("baresip") is None:
            pytest.skip("baresip is not installed here: apt-get install baresip")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.number = folder, number
        sip = sip_port()
        self.ctrl = free_tcp_port()
        while self.ctrl in (sip, sip + 1):
            self.ctrl = free_tcp_port()
        wav = tone_wav(folder / "tone.wav", frequency)
        (folder / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    f"sip_listen 127.0.0.1:{sip}",  # (and TCP on it, TLS on the port after it)
                    "net_interface 127.0.0.1",
                    f"audio_source aufile,{wav}",
                    "audio_player aubridge,nowhere",
                    "audio_alert aubridge,nowhere",
                    "ausrc_srate 8000",
                    "auplay_srate 8000",
                    "ausrc_channels 1",
                    "auplay_channels 1",
                    "rtp_ports 35000-35999",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module aufile.so",
                    "module aubridge.so",
                    "module_app account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    f"ctrl_tcp_listen 127.0.0.1:{self.ctrl}",
                    "",
                ]
            )
        )
        (folder / "accounts").write_text(f"<sip:{number}@127.0.0.1>;regint=0;audio_codecs=PCMU\n")
        (folder / "contacts").write_text("")
        self._out = folder / "output.txt"
        self._out_file = self._out.open("wb")
        self.process = subprocess.Popen(
            ["baresip", "-f", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=self._out_file,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        self.events: list[dict[str, object]] = []
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pump: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def connect(self, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.ctrl)
                break
            except OSError:
                if loop.time() > deadline or self.process.poll() is not None:
                    tail = self.output_so_far()[-600:]
                    raise RuntimeError(f"baresip did not open its control socket; its output: {tail}") from None
                await asyncio.sleep(0.1)
        self._pump = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._reader is not None
        while True:
            size = await self._reader.readuntil(b":")
            data = await self._reader.readexactly(int(size[:-1]) + 1)
            self.events.append(json.loads(data[:-1]))
            self._changed.set()

    async def command(self, command: str, params: str = "") -> None:
        assert self._writer is not None
        body = json.dumps({"command": command, "params": params, "token": "t"}).encode()
        self._writer.write(b"%d:%s," % (len(body), body))
        await self._writer.drain()

    async def dial(self, uri: str) -> None:
        await self.command("dial", uri)

    async def keys(self, digits: str, gap: float = 0.25) -> None:
        """Each key as its own RFC 4733 event, a little apart, as a person keys them."""
        for digit in digits:
            await self.command("sndcode", digit)
            await asyncio.sleep(gap)

    async def hang_up(self) -> None:
        await self.command("hangup")

    def saw(self, kind: str) -> bool:
        return any(e.get("type") == kind for e in self.events)

    async def wait_for(self, kind: str, timeout: float = 15.0) -> dict[str, object]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for event in self.events:
                if event.get("type") == kind:
                    return event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"baresip never saw {kind}; it saw {[e.get('type') for e in self.events]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    def heard_media_before_keying(self) -> bool:
        """Whether RTP reached the telephone before it keyed anything (the greeting, played by rtpengine)."""
        text = self.output_so_far()
        heard = text.find("incoming rtp for 'audio' established")
        keyed = text.find("send DTMF digit")
        return heard >= 0 and (keyed < 0 or heard < keyed)

    def output_so_far(self) -> str:
        return self._out.read_text(errors="replace") if self._out.exists() else ""

    def stop(self) -> str:
        if self._pump is not None:
            self._pump.cancel()
        if self._writer is not None:
            self._writer.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self._out_file.close()
        return self.output_so_far()
