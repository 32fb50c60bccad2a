"""The admin, for service-office volunteers who keep the listings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from stayhere.directory import slots
from stayhere.directory.models import Group, Location, Meeting, ServiceBody


@admin.register(ServiceBody)
class ServiceBodyAdmin(admin.ModelAdmin[ServiceBody]):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    list_display = ("name", "service_body", "contacts_public", "moud_welcome", "harm_reduction")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin[Location]):
    list_display = ("name", "address", "city", "country")
    search_fields = ("name", "address", "city")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ("name", "fellowship", "attendance", "timezone", "start_time", "source")
    list_filter = ("fellowship", "attendance")
    search_fields = ("name", "slug")
    raw_id_fields = ("group", "location", "service_body")
    # The finder's index and the query form of the types are derived, never typed in.
    exclude = ("type_index",)

    def save_model(self, request: HttpRequest, obj: Meeting, form: Any, change: bool) -> None:
        obj.set_types(list(obj.types))
        super().save_model(request, obj, form, change)
        slots.rebuild([obj])
