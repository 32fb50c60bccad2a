"""The ASGI entry point: HTTP through Django, WebSocket routes added by the rooms app."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs Django set up)

application = ProtocolTypeRouter({"http": django_application, "websocket": URLRouter([])})
