"""WebSocket routes: one per meeting room."""

from __future__ import annotations

from django.urls import path

from stayhere.rooms.adapters.consumer import RoomConsumer

websocket_urlpatterns = [path("ws/rooms/<slug:slug>", RoomConsumer.as_asgi())]
