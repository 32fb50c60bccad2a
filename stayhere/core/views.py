from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from stayhere.core.unavailable import already_logged, database_is_up


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """The cheapest JSON answer the app gives (the benchmark's floor), with whether the database answers:
    503 and ``"database": "down"`` when it does not, so a load balancer or a monitor can tell."""
    if database_is_up():
        return JsonResponse({"status": "ok", "database": "ok"})
    # Not logged: a monitor asks every few seconds, and a page that needed the database has said so in the log.
    return already_logged(JsonResponse({"status": "unavailable", "database": "down"}, status=503))
