from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate


def _listing_changed(sender: Any, **kwargs: Any) -> None:
    from stayhere.directory import freshness

    freshness.changed()


def _drop_feed_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from stayhere.directory.feeds import pieces

    # Before every migrate: a migration may rebuild a table they name (feeds/pieces.py).
    pieces.uninstall(connections[using])


def _make_feed_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from stayhere.directory.feeds import pieces

    pieces.install(connections[using])


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
        pre_migrate.connect(_drop_feed_triggers, sender=self, dispatch_uid="stayhere-feed-triggers-drop")
        post_migrate.connect(_make_feed_triggers, sender=self, dispatch_uid="stayhere-feed-triggers-make")
