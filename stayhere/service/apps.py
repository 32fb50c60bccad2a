from __future__ import annotations

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    """Trusted servants: accounts with roles down the service-body tree, change requests, the listings' history."""

    name = "stayhere.service"
    label = "service"
    verbose_name = "Trusted servants"

    def ready(self) -> None:
        # The listings' history hears of the changes the directory makes itself: imports and the Django admin.
        from stayhere.directory import changes
        from stayhere.service import history

        changes.imported.connect(history.record_import, dispatch_uid="stayhere-history-import")
        changes.edited.connect(history.record_admin_edit, dispatch_uid="stayhere-history-admin-edit")
        changes.removing.connect(history.record_admin_removal, dispatch_uid="stayhere-history-admin-removal")
