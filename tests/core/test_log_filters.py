"""The server's own logger keeps its start and stop and its warnings, and forgets every connection."""

from __future__ import annotations

import logging

from stayhere.core.logging import ForgetConnections, ForgetHost


def record(level: int, msg: str, *args: object, name: str = "uvicorn.error") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_the_server_forgets_each_websocket_handshake_and_connection() -> None:
    forget = ForgetConnections()
    for line in (
        record(logging.INFO, '%s - "WebSocket %s" [accepted]', "127.0.0.1:5555", "/ws/rooms/a-meeting?x=1"),
        record(logging.INFO, '%s - "WebSocket %s" 403', "127.0.0.1:5555", "/ws/rooms/a-meeting"),
        record(logging.INFO, "connection open"),
        record(logging.INFO, "connection closed"),
        record(logging.DEBUG, "%sWebSocket connection made", "127.0.0.1:5555 - "),
    ):
        assert forget.filter(line) is False, line.getMessage()


def test_the_server_keeps_its_own_start_and_stop_and_every_warning() -> None:
    forget = ForgetConnections()
    for line in (
        record(logging.INFO, "Started server process [%d]", 42),
        record(logging.INFO, "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)", "http", "127.0.0.1", 8000),
        record(logging.INFO, "Shutting down"),
        record(logging.WARNING, "Invalid HTTP request received."),
        record(logging.ERROR, "Exception in ASGI application\n"),
    ):
        assert forget.filter(line) is True, line.getMessage()


def test_a_bad_host_is_noted_without_the_text_the_client_sent() -> None:
    line = record(logging.ERROR, "Invalid HTTP_HOST header: %r.", "HostCanary.example", name="django.security")
    assert ForgetHost().filter(line) is True
    assert "HostCanary" not in line.getMessage() and "does not answer to" in line.getMessage()
