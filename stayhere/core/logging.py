"""A last line of defence for log records: addresses are blanked whatever code wrote them."""

from __future__ import annotations

import logging
import re
import traceback

IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Runs of hex digits and colons with at least two colons; see _ipv6 for which of them are addresses.
HEX_COLONS = re.compile(r"(?<![\w:.])[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])")


def _ipv6(match: re.Match[str]) -> str:
    token = match.group(0)
    # A clock time such as 19:00:00 is digits and single colons; an address has "::", a hex
    # letter, or more groups than a time can.
    if "::" in token or re.search(r"[a-fA-F]", token) or token.count(":") >= 4:
        return "[address]"
    return token


def scrub(text: str) -> str:
    return HEX_COLONS.sub(_ipv6, IPV4.sub("[address]", text))


def fault_summary(error: BaseException) -> str:
    """Where a fault happened, frame by frame, and its kind: never its message, which may quote what someone typed."""
    lines = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        lines.append(f"{type(current).__name__} (its message is not logged)")
        lines += [f"  at {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


class ScrubFilter(logging.Filter):
    """Formats the record's message once and blanks IPv4 and IPv6 addresses in it.

    A record with an exception keeps the exception's kind and frames but not its message, nor the message of
    any exception chained to it: a fault's message may quote a search, a name or a chat line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if record.exc_info and record.exc_info[1] is not None:
            cleaned = f"{cleaned}\n{fault_summary(record.exc_info[1])}"
            record.exc_info = None
            record.exc_text = None
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        # Django attaches the request to error records; a formatter must never print it.
        if hasattr(record, "request"):
            record.request = None
        return True


# What the server itself says at INFO about its own life (starting, serving, stopping), by the start of the
# message's template. Every other INFO line of the server is about one connection: who came to which meeting when.
SERVER_LIFE = (
    "Started ",
    "Waiting for ",
    "Application ",
    "Uvicorn running on ",
    "Shutting down",
    "Finished server process",
    "Stopping ",
)


class ForgetConnections(logging.Filter):
    """For the server's logger (``uvicorn.error``, which the websockets library logs through too): drops every
    line below WARNING that is not about the server's own life. Uvicorn writes one per WebSocket handshake, with
    the meeting's address and its query string ('"WebSocket /ws/rooms/SLUG" [accepted]'), and websockets one
    per connection opened and closed: together, a timeline of a meeting's attendance. Warnings and errors pass
    (scrubbed like every record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return isinstance(record.msg, str) and record.msg.startswith(SERVER_LIFE)


class ForgetHost(logging.Filter):
    """For ``django.security.DisallowedHost``: the line says a request named a host this site does not serve, but
    not the host it named (the client's own text) nor the request's path."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = "A request named a host this site does not answer to (its Host header and path are not logged)."
        record.args = None
        if hasattr(record, "request"):
            record.request = None
        return True
