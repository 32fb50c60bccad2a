from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """The cheapest JSON answer the app gives: the benchmark's floor."""
    return JsonResponse({"status": "ok"})
