from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PhoneConfig(AppConfig):
    name = "stayhere.phone"
    label = "phone"
    verbose_name = "Phone dial-in"

    def ready(self) -> None:
        from stayhere.directory import room_links
        from stayhere.phone.codes import site_phones

        room_links.register_phones(site_phones)  # the feeds' conference_phone for rooms with a code
        from stayhere.directory.feeds import pieces

        pieces.watch(self.get_model("PhoneCode")._meta.db_table, "meeting_id")  # its codes are in the feed's pieces
        from django.db.models.signals import post_delete, post_save

        code = self.get_model("PhoneCode")
        post_save.connect(_feeds_changed, sender=code, dispatch_uid="stayhere-phone-feeds-save")
        post_delete.connect(_feeds_changed, sender=code, dispatch_uid="stayhere-phone-feeds-delete")


def _feeds_changed(sender: Any, **kwargs: Any) -> None:
    from stayhere.directory import freshness

    freshness.changed()  # a drawn or rotated code changes the feeds' conference_phone
