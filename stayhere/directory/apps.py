from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _listing_changed(sender: Any, **kwargs: Any) -> None:
    from stayhere.directory import freshness

    freshness.changed()


class DirectoryConfig(AppConfig):
    name = "stayhere.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # A listing edited one row at a time (the admin, a shell) makes cached views stale too.
        for name in ("Meeting", "Group", "Location", "ServiceBody"):
            model = self.get_model(name)
            post_save.connect(_listing_changed, sender=model, dispatch_uid=f"stayhere-fresh-save-{name}")
            post_delete.connect(_listing_changed, sender=model, dispatch_uid=f"stayhere-fresh-delete-{name}")
