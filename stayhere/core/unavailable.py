"""The database cannot be reached: a page that says so, in a sentence, with status 503.

Every view that reads the database can meet this (PostgreSQL restarting, a network fault, a full disk). The
finder and the API answer it themselves; any other view's ``DatabaseError`` is turned into this page by the
outermost middleware (``AccessLogMiddleware.process_exception``), so no view answers 500 with a trace for it and
the log gets one line with the error's kind, never its message (which can quote the query) or an address.
A meeting already running in a room does not need the database and goes on.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

log = logging.getLogger("stayhere.database")
Answer = TypeVar("Answer", bound=HttpResponse)
RETRY_AFTER_S = 60


def database_unavailable_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "database_unavailable.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


def answer_database_error(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """The 503 page for a database that cannot be reached; None for any other fault (Django's 500 then)."""
    if not isinstance(exception, DatabaseError):
        return None
    match = getattr(request, "resolver_match", None)
    route = "/" + match.route if match is not None and match.route is not None else "[no route]"
    log.warning("The database could not be used (%s) for %s: answered 503.", type(exception).__name__, route)
    return already_logged(database_unavailable_page(request))


def already_logged(response: Answer) -> Answer:
    """Keeps Django's request logger from logging this 5xx too: its line names the whole path, and a path can
    hold a secret (a chair link's key). The line above names the route instead."""
    # django.utils.log.log_response skips a response marked so.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def database_is_up() -> bool:
    """Whether the default database answers a trivial query now."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True
