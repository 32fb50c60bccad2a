"""A room frame as the bytes a WebSocket carries from the server (RFC 6455, section 5.2), made once for every seat.

A server's frames are not masked, so one text frame is the same bytes on every connection: the hub hands the same
text to each seat of a room, and ``text_frame`` encodes it once, then gives the bytes it made to the next seat that
asks for that same text (compared by identity: a text made for one seat, a translation, is encoded for itself).
"""

from __future__ import annotations

import struct

_FIN_TEXT = 0x81  # the final fragment of a text message, no extension bits
_last: tuple[str, bytes] = ("", b"\x81\x00")


def text_frame(text: str) -> bytes:
    """One unfragmented, unmasked text frame carrying ``text``."""
    global _last
    last_text, last_frame = _last
    if text is last_text:
        return last_frame
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((_FIN_TEXT, size))
    elif size < 65536:
        header = struct.pack("!BBH", _FIN_TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, size)
    frame = header + payload
    _last = (text, frame)
    return frame
