"""Who may read an object's history and undo a change in it: whoever may change the object itself, as
``stayhere.service.permissions`` decides for each kind. A location is shared by meetings: a servant acts on it when
they may edit every meeting held there. A removed row is judged by where it stood when it was removed (its group,
its service body, its parent body), as the history's last entry for it says.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from stayhere.directory.models import Group, Location, Meeting, ServiceBody
from stayhere.service import history, permissions
from stayhere.service.models import ListingChange


def _may_change(user: Any, obj: models.Model) -> bool:
    if permissions.is_site_admin(user):
        return True
    if isinstance(obj, Meeting):
        return permissions.may_edit_meeting(user, obj)
    if isinstance(obj, Group):
        return permissions.may_edit_group(user, obj)
    if isinstance(obj, ServiceBody):
        return obj.pk is not None and permissions.may_administer_body(user, obj)
    if isinstance(obj, Location):
        meetings = list(Meeting.objects.filter(location=obj).select_related("group", "service_body"))
        return bool(meetings) and all(permissions.may_edit_meeting(user, meeting) for meeting in meetings)
    return False


def stand_in(kind: str, number: int) -> models.Model | None:
    """The object, or (once removed) an unsaved copy of it as its last history entry left it; None if unknown."""
    model = history.MODELS[kind]
    found = model._default_manager.filter(pk=number).first()
    if found is not None:
        return found
    last = ListingChange.objects.filter(kind=kind, object_id=number).first()
    if last is None:
        return None
    copy = model(pk=number)
    for name, (before, after) in last.fields.items():
        value = before if last.action == ListingChange.Action.REMOVED else after
        if name not in history.TRACKED[kind]:
            continue
        field = None if name == "days" else model._meta.get_field(name)  # a meeting's days are its day mask
        if field is not None and field.is_relation and value is not None:
            related = field.related_model._default_manager  # type: ignore[union-attr]
            if not related.filter(pk=value).exists():
                continue  # what it belonged to is gone too
        try:
            history._put(copy, name, value)
        except (TypeError, ValueError):
            continue
    return copy


def may_read(user: Any, kind: str, obj: models.Model) -> bool:
    """See the object's history (for a meeting, its service body's reviewers too)."""
    if isinstance(obj, Meeting) and permissions.may_review_meeting(user, obj):
        return True
    return _may_change(user, obj)


def may_undo(user: Any, kind: str, obj: models.Model) -> bool:
    """Undo a change of the object."""
    return _may_change(user, obj)


def may_verify(user: Any, meeting: Meeting) -> bool:
    """Confirm the meeting's listing is still right."""
    return permissions.may_edit_meeting(user, meeting)
