"""A last line of defence for log records: addresses are blanked whatever code wrote them."""

from __future__ import annotations

import logging
import re

IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])|::1\b")


def scrub(text: str) -> str:
    return IPV6.sub("[address]", IPV4.sub("[address]", text))


class ScrubFilter(logging.Filter):
    """Formats the record's message once and blanks IPv4 and IPv6 addresses in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        # Django attaches the request to error records; a formatter must never print it.
        if hasattr(record, "request"):
            record.request = None
        return True
