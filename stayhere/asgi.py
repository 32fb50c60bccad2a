"""The ASGI entry point: HTTP through Django's synchronous handler, WebSocket through Channels.

Every HTTP view is synchronous (the database is), and some middleware (WhiteNoise) is too.
Under Django's ASGI handler each synchronous middleware costs a hop between threads, about
thirty per request here: /health took 5 ms instead of under 2. So HTTP runs through the WSGI
handler, one pool thread per request (a2wsgi; asgiref's WsgiToAsgi failed every few requests on
kept-alive connections with "CurrentThreadExecutor already quit"), and streamed feeds still
stream chunk by chunk. WebSocket (the rooms) stays on Channels' ASGI routing.
"""

from __future__ import annotations

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
# Threads that may hold a request at once: a slow download of the feed holds one.
HTTP_THREADS = 8
http_application = WSGIMiddleware(get_wsgi_application(), workers=HTTP_THREADS)  # type: ignore[arg-type]

from django.conf import settings  # noqa: E402

if settings.REDIS_URL:  # also checked by `stayhere serve`; here for a server started another way
    from stayhere.core.redis import RedisRefused, ensure_no_persistence

    try:
        ensure_no_persistence(settings.REDIS_URL, settings.REDIS_ALLOW_PERSISTENCE)
    except RedisRefused as refused:
        raise SystemExit(f"stayhere: {refused}") from None

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs Django set up)

from stayhere.core.gc_tuning import CollectingOnItsLoop, tune_for_serving  # noqa: E402
from stayhere.rooms.adapters.origin import SameOriginValidator  # noqa: E402
from stayhere.rooms.adapters.routing import websocket_urlpatterns  # noqa: E402
from stayhere.rooms.live import root  # noqa: E402


def make_application(live: root.LiveRooms) -> ProtocolTypeRouter:
    """HTTP, and the rooms' WebSockets served by ``live``. The rooms' handshake must come from a page of ours: the
    same scheme, host and port (``SameOriginValidator``)."""
    rooms = SameOriginValidator(URLRouter(websocket_urlpatterns(live)))
    return ProtocolTypeRouter({"http": http_application, "websocket": rooms})


# This process's live rooms, built once (the composition root), and the application that serves them.
live_rooms = root.build()
# Its loop collects its young generations every second, in `stayhere serve` and in each of its --workers' processes.
application = CollectingOnItsLoop(make_application(live_rooms))

# Everything loaded so far (Django, the app, its modules) lives as long as the process: the collector need not scan
# it again, and its young lists stay small so no collection pauses the rooms for long (stayhere.core.gc_tuning). Here,
# so that every process serving this application does it: `stayhere serve`'s, each of its --workers', any other's.
tune_for_serving()
