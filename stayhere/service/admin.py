"""The Django admin for site admins: servants' roles (to end or remove one), invitations, change requests and the
history, the last three read-only (they change only through the servants' pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from stayhere.service.models import ChangeRequest, Invitation, ListingChange, Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ("user", "kind", "service_body", "group", "ends_on")
    list_filter = ("kind",)
    search_fields = ("user__username",)
    raw_id_fields = ("user", "service_body", "group")


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnly):
    list_display = ("pk", "kind", "service_body", "group", "invited_by", "created_at", "expires_at", "used_at")
    exclude = ("token_hash",)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnly):
    list_display = ("pk", "meeting", "status", "created_at", "closed_at", "closed_by")
    list_filter = ("status",)


@admin.register(ListingChange)
class ListingChangeAdmin(ReadOnly):
    list_display = ("kind", "label", "action", "via", "at", "who", "approved_by")
    list_filter = ("kind", "action", "via")
    search_fields = ("who", "label")
