"""The core's sentences for people are written in English and marked with ``_``, which changes nothing here (the
core imports no Django): ``makemessages`` finds them by that mark, and the one writer of frames puts each into the
language of the connection it goes to (stayhere.rooms.live.frames.in_language). A sentence built with values in it
(an f-string) cannot be looked up that way and stays English."""

from __future__ import annotations


def _(message: str) -> str:
    return message
