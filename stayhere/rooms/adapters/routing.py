"""WebSocket routes: one per meeting room."""

from __future__ import annotations

from django.urls import URLPattern, path

from stayhere.rooms.adapters.consumer import RoomConsumer
from stayhere.rooms.live.root import LiveRooms


def websocket_urlpatterns(rooms: LiveRooms) -> list[URLPattern]:
    """One route per meeting room, each connection's consumer made with this process's rooms."""
    return [path("ws/rooms/<slug:slug>", RoomConsumer.as_asgi(rooms=rooms))]
