from __future__ import annotations

from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "stayhere.rooms.web"
    label = "rooms"
    verbose_name = "Rooms"
