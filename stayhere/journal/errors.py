"""The journal's own refusals."""

from __future__ import annotations


class JournalRefused(Exception):
    """A request to the journal was refused; the message says why and what to do, for the member."""

    def __init__(self, message: str, status: int = 400, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
