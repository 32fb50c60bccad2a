"""The admin, for service-office volunteers who keep the listings. Every save and delete here is told to the
listings' history (``stayhere.directory.changes``), with the operator's name."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stayhere.directory import changes, slots
from stayhere.directory.feeds import intervals, sources
from stayhere.directory.models import FeedSource, Group, Location, Meeting, ServiceBody

M = TypeVar("M", bound=Model)


class RecordedAdmin(admin.ModelAdmin[M]):
    """Saves and deletes, one row or a selection, each recorded in the listings' history."""

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: bool) -> None:
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk is not None else None
        super().save_model(request, obj, form, change)
        changes.edited.send(sender=type(obj), before=before, after=obj, who=request.user.get_username())

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        changes.removing.send(sender=type(obj), rows=[obj], who=request.user.get_username())
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        changes.removing.send(sender=queryset.model, rows=list(queryset), who=request.user.get_username())
        super().delete_queryset(request, queryset)


@admin.register(ServiceBody)
class ServiceBodyAdmin(RecordedAdmin[ServiceBody]):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Group)
class GroupAdmin(RecordedAdmin[Group]):
    list_display = ("name", "service_body", "contacts_public", "moud_welcome", "harm_reduction")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Location)
class LocationAdmin(RecordedAdmin[Location]):
    list_display = ("name", "address", "city", "country")
    search_fields = ("name", "address", "city")


@admin.register(Meeting)
class MeetingAdmin(RecordedAdmin[Meeting]):
    list_display = ("name", "fellowship", "attendance", "timezone", "start_time", "last_verified", "source")
    list_filter = ("fellowship", "attendance")
    search_fields = ("name", "slug")
    raw_id_fields = ("group", "location", "service_body")
    # The finder's index and the query form of the types are derived, never typed in.
    exclude = ("type_index",)

    def save_model(self, request: HttpRequest, obj: Meeting, form: Any, change: bool) -> None:
        obj.set_types(list(obj.types))
        super().save_model(request, obj, form, change)
        slots.rebuild([obj])


@admin.register(FeedSource)
class FeedSourceAdmin(admin.ModelAdmin[FeedSource]):
    """The kept-fresh sources and how their last sync went; `stayhere sync-feeds` does the syncing."""

    list_display = ("name", "key", "location", "service_body", "schedule", "last_success_at", "state")
    list_filter = ("service_body",)
    search_fields = ("name", "key", "location")
    raw_id_fields = ("service_body",)
    readonly_fields = (
        "state", "last_attempt_at", "last_success_at", "failing_since", "last_created", "last_updated",
        "last_removed", "last_skipped", "last_error", "last_warning", "last_report", "etag", "last_modified",
    )  # fmt: skip
    exclude = ("content_hash",)

    def get_readonly_fields(self, request: HttpRequest, obj: FeedSource | None = None) -> Any:
        # The key is what the meetings carry: changing it would orphan them, so it is set once.
        return (*self.readonly_fields, "key") if obj is not None else self.readonly_fields

    @admin.display(description=_("status"))
    def state(self, obj: FeedSource) -> str:
        return sources.status_sentence(obj, timezone.now(), settings.SOURCE_FAILING_DAYS)

    def save_model(self, request: HttpRequest, obj: FeedSource, form: Any, change: bool) -> None:
        obj.schedule = intervals.canonical(obj.schedule)  # the field's validator has checked it
        super().save_model(request, obj, form, change)
