from __future__ import annotations

from typing import Any

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

        # The feeds give a listed room's link as its meetings' conference_url (the directory knows nothing of rooms);
        # a room made unlisted or listed again changes the feeds, as a listing's edit does.
        from django.db.models.signals import post_delete, post_save
        from django.urls import reverse

        from stayhere.directory import room_links
        from stayhere.rooms.web.setup import unlisted_group_ids

        room_links.register(room_links.Rooms(lambda slug: reverse("rooms:room", args=[slug]), unlisted_group_ids))
        settings = self.get_model("RoomSettings")
        post_save.connect(_feeds_changed, sender=settings, dispatch_uid="stayhere-rooms-feeds-save")
        post_delete.connect(_feeds_changed, sender=settings, dispatch_uid="stayhere-rooms-feeds-delete")


def _feeds_changed(sender: Any, **kwargs: Any) -> None:
    from stayhere.directory import freshness

    freshness.changed()
