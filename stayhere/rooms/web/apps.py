from __future__ import annotations

from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "stayhere.rooms.web"
    label = "rooms"
    verbose_name = "Rooms"

    def ready(self) -> None:
        # The demo gives a few groups' online meetings a room; the demo itself knows nothing of rooms.
        from stayhere.demo import extras
        from stayhere.rooms.web.demo import setup_demo_rooms

        extras.register(setup_demo_rooms)
