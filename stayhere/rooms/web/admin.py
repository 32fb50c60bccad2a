"""The admin: a group's room settings, with the secret links' hashes read-only (the keys are never stored)."""

from __future__ import annotations

from django.contrib import admin

from stayhere.rooms.web.models import RoomSettings


@admin.register(RoomSettings)
class RoomSettingsAdmin(admin.ModelAdmin[RoomSettings]):
    list_display = ("group", "chat_policy", "waiting_room", "mode", "keys_rotated_at")
    search_fields = ("group__name",)
    raw_id_fields = ("group",)
    readonly_fields = ("settings_key_hash", "chair_key_hash", "keys_rotated_at")
