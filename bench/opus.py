"""Just enough of libopus (Debian's ``libopus0``, which Janus itself links) through ctypes for ``bench.audio``.

The benchmark's simulated participants send Opus, as browsers do, when run with ``--codec opus``: their frames are
encoded once before the run, and each listener decodes what Janus mixes for it to find the energy in it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import struct
from typing import Any

APPLICATION_VOIP = 2048
OK = 0
MAX_PACKET = 1500


def _library() -> Any:
    name = ctypes.util.find_library("opus") or "libopus.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError as missing:
        raise RuntimeError(f"libopus is not installed ({missing}): apt-get install libopus0") from None
    lib.opus_encoder_create.restype = ctypes.c_void_p
    lib.opus_encoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.opus_encode.restype = ctypes.c_int32
    lib.opus_encode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int32]
    lib.opus_encoder_destroy.argtypes = [ctypes.c_void_p]
    lib.opus_decoder_create.restype = ctypes.c_void_p
    lib.opus_decoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.opus_decode.restype = ctypes.c_int
    lib.opus_decode.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int32,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
    return lib


_lib: Any = None


def lib() -> Any:
    global _lib
    if _lib is None:
        _lib = _library()
    return _lib


def encode_tone(frequency: float | None, frames: int, rate: int = 16000, amplitude: float = 0.5) -> list[bytes]:
    """``frames`` consecutive 20 ms Opus packets of a sine tone (None: silence), one continuous stream."""
    error = ctypes.c_int()
    encoder = lib().opus_encoder_create(rate, 1, APPLICATION_VOIP, ctypes.byref(error))
    if error.value != OK or not encoder:
        raise RuntimeError(f"opus_encoder_create failed ({error.value}).")
    size = rate // 50
    out = ctypes.create_string_buffer(MAX_PACKET)
    packets = []
    try:
        for index in range(frames):
            samples = [
                0 if frequency is None else int(amplitude * 32000 * math.sin(2 * math.pi * frequency * n / rate))
                for n in range(index * size, (index + 1) * size)
            ]
            length = lib().opus_encode(encoder, struct.pack(f"<{size}h", *samples), size, out, MAX_PACKET)
            if length < 0:
                raise RuntimeError(f"opus_encode failed ({length}).")
            packets.append(out.raw[:length])
    finally:
        lib().opus_encoder_destroy(encoder)
    return packets


class Decoder:
    """One listener's decoder: the loudest sample of each packet it is given."""

    def __init__(self, rate: int = 16000) -> None:
        error = ctypes.c_int()
        self.state = lib().opus_decoder_create(rate, 1, ctypes.byref(error))
        if error.value != OK or not self.state:
            raise RuntimeError(f"opus_decoder_create failed ({error.value}).")
        self.size = rate // 50 * 6  # room for up to 120 ms in one packet
        self.pcm = (ctypes.c_int16 * self.size)()

    def loudest(self, packet: bytes) -> int:
        decoded = lib().opus_decode(self.state, packet, len(packet), self.pcm, self.size, 0)
        if decoded <= 0:
            return 0
        view = memoryview(self.pcm).cast("B").cast("h")[:decoded]
        return max(max(view), -min(view))

    def close(self) -> None:
        if self.state:
            lib().opus_decoder_destroy(self.state)
            self.state = None
