"""The listings' history: every change to a service body, group, location or meeting, from any path, and undoing
one.

A change is recorded as ``{field: [before, after]}`` in plain JSON values (``snapshot``), with who made it (a
servant's handle, ``suggestion #N``, an import's source key, an operator's name in the admin), when, and by which
path (``ListingChange.Via``). The paths:

- the servants' pages and approved suggestions (``stayhere.service.listing.apply`` calls ``record``);
- imports and scheduled syncs: the importer sends ``stayhere.directory.changes.imported`` with its writer, whose
  change set says which rows it made, changed and removed (meetings, and the places no meeting uses any more), and
  the owner the source's meetings are about to be set to; ``record_import`` writes them all in one bulk insert;
- the Django admin: ``stayhere.directory.admin`` sends ``edited`` and ``removing`` from its save and delete hooks.

Only public listing fields are kept (``TRACKED``): never a group's contact people (names and addresses of members,
even when the group shows them), never anything a visitor typed into a suggestion.

``revert`` undoes one entry and records itself: a change gets its values before back (refused with a sentence when a
field it would put back has changed since); an addition is removed (refused when the object changed since, or other
listings name it); a removal is put back from the public fields its entry kept, under the same number (refused
when its address is taken now, or a field names something since removed).

Why not django-simple-history: it records through model signals, which the importer's bulk statements never send
(so an import, most of a directory's changes, would go unrecorded), and it copies every column of the row per
change (a first import of 200,000 meetings would copy them all, and a group's contact people with them). Here the
importer's own change set says what changed, and only public fields are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.directory import bulkrows, freshness, schedule, slots
from stayhere.directory.feeds.source_writer import ChangeSet
from stayhere.directory.models import Group, Location, Meeting, ServiceBody
from stayhere.service.models import ListingChange

Kind = ListingChange.Kind
Action = ListingChange.Action
Via = ListingChange.Via

MODELS: dict[str, type[models.Model]] = {
    Kind.SERVICE_BODY: ServiceBody,
    Kind.GROUP: Group,
    Kind.LOCATION: Location,
    Kind.MEETING: Meeting,
}
KIND_OF: dict[type[models.Model], str] = {model: kind for kind, model in MODELS.items()}

# The public fields each kind's history keeps. A meeting's schedule is kept as "days" (weekday numbers) and its
# times as "HH:MM", as the servants' pages show them. Left out: a group's contact people (members' names and
# addresses), and what is derived or bookkeeping (slugs' index, the types' query form, "updated", the source).
TRACKED: dict[str, tuple[str, ...]] = {
    Kind.SERVICE_BODY: (
        "name", "slug", "kind", "parent", "url", "email", "phone", "location_description", "world_id",
    ),
    Kind.GROUP: (
        "name", "slug", "service_body", "notes", "statement", "website", "email", "phone", "contacts_public",
        "moud_welcome", "harm_reduction",
    ),
    Kind.LOCATION: (
        "name", "address", "city", "state", "postal_code", "country", "latitude", "longitude", "approximate", "notes",
    ),
    Kind.MEETING: (
        "name", "slug", "fellowship", "group", "service_body", "location", "days", "start_time", "end_time",
        "timezone", "attendance", "inactive_reason", "inactive_until", "regions", "conference_url",
        "conference_url_notes", "conference_phone", "conference_phone_notes", "notes", "types", "venmo", "square",
        "paypal", "homegroup_online", "email", "phone", "url", "feedback_url", "has_room",
    ),
}  # fmt: skip

Snapshot = dict[str, Any]


class Refused(Exception):
    """The change cannot be undone; the message says why, in a sentence for the servant."""


def kind_of(obj: models.Model) -> str:
    return KIND_OF[type(obj)]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _field(kind: str, name: str) -> models.Field[Any, Any]:
    return MODELS[kind]._meta.get_field(name)  # type: ignore[return-value]


def snapshot(obj: models.Model) -> Snapshot:
    """The object's tracked fields as plain JSON values (a foreign key by its id)."""
    kind = kind_of(obj)
    out: Snapshot = {}
    for name in TRACKED[kind]:
        if kind == Kind.MEETING and name == "days":
            out[name] = list(obj.days)  # type: ignore[attr-defined]
        elif _field(kind, name).is_relation:
            out[name] = getattr(obj, f"{name}_id")
        else:
            out[name] = _plain(getattr(obj, name))
    return out


def _put(obj: models.Model, name: str, value: Any) -> None:
    """Sets one tracked field from its plain value (the inverse of ``snapshot``)."""
    kind = kind_of(obj)
    if kind == Kind.MEETING and name == "days":
        obj.days = [int(day) for day in value or []]  # type: ignore[attr-defined]
        return
    field = _field(kind, name)
    if field.is_relation:
        setattr(obj, f"{name}_id", value)
    elif isinstance(field, models.TimeField):
        setattr(obj, name, dt.time.fromisoformat(value) if value else None)
    elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        setattr(obj, name, dt.date.fromisoformat(value) if value else None)
    elif kind == Kind.MEETING and name == "types":
        obj.set_types(list(value or []))  # type: ignore[attr-defined]
    else:
        setattr(obj, name, value)


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    """{field: [before, after]} for each field both name whose value differs."""
    return {name: [before[name], after[name]] for name in after if name in before and before[name] != after[name]}


def _label(obj: models.Model) -> str:
    return str(obj)[:200]


# Recording ---------------------------------------------------------------------------------------------------------


def record(
    obj: models.Model,
    who: str,
    before: Snapshot,
    after: Snapshot | None = None,
    *,
    via: str = Via.PAGE,
    approved_by: str = "",
    reverts: ListingChange | None = None,
) -> ListingChange | None:
    """Records a change of the object from ``before`` (a ``snapshot`` taken before it was saved) to ``after``
    (by default, as it is now). None when no tracked field differs."""
    fields = diff(before, snapshot(obj) if after is None else after)
    if not fields:
        return None
    return ListingChange.objects.create(
        kind=kind_of(obj),
        object_id=obj.pk,
        label=_label(obj),
        action=Action.CHANGED,
        via=via,
        who=who[:300],
        approved_by=approved_by,
        fields=fields,
        reverts=reverts,
    )


def record_created(obj: models.Model, who: str, *, via: str, reverts: ListingChange | None = None) -> ListingChange:
    fields = {name: [None, value] for name, value in snapshot(obj).items()}
    return ListingChange.objects.create(
        kind=kind_of(obj),
        object_id=obj.pk,
        label=_label(obj),
        action=Action.CREATED,
        via=via,
        who=who[:300],
        fields=fields,
        reverts=reverts,
    )


def record_removed(
    rows: Iterable[models.Model], who: str, *, via: str, reverts: ListingChange | None = None
) -> list[ListingChange]:
    """Records the rows' removal with every tracked value they had (call it before deleting them)."""
    return ListingChange.objects.bulk_create(
        ListingChange(
            kind=kind_of(row),
            object_id=row.pk,
            label=_label(row),
            action=Action.REMOVED,
            via=via,
            who=who[:300],
            fields={name: [value, None] for name, value in snapshot(row).items()},
            reverts=reverts,
        )
        for row in rows
    )


def _meeting_before(attributes: dict[str, Any]) -> Snapshot:
    """A meeting's values before an import, from the writer's change set (its attribute names), as ``snapshot``."""
    out: Snapshot = {}
    for name, value in attributes.items():
        if name == "type_index":
            continue
        if name == "day_mask":
            out["days"] = schedule.mask_to_days(value)
        elif name.endswith("_id"):
            out[name[:-3]] = value
        else:
            out[name] = _plain(value)
    return out


def _some(kind: str, obj: models.Model, attributes: dict[str, Any]) -> Snapshot:
    """The object's current values of the fields named in ``attributes`` (by attribute or field name)."""
    names = {name[:-3] if name.endswith("_id") else name for name in attributes}
    if kind == Kind.MEETING:
        names = {"days" if name == "day_mask" else name for name in names} - {"type_index"}
    now = snapshot(obj)
    return {name: now[name] for name in names if name in now}


IMPORT_COLUMNS = ("kind", "object_id", "label", "action", "via", "at", "who", "approved_by", "fields")


def import_rows(change_set: ChangeSet, source: str, at: dt.datetime) -> list[tuple[Any, ...]]:
    """The history rows for one import, from its writer's change set: one per row made, changed or removed, as
    database values in the order of ``IMPORT_COLUMNS`` (no model instances: a first import makes one per meeting)."""
    when = connection.ops.adapt_datetimefield_value(at)
    who = source[:300]

    def row(kind: str, pk: int, label: str, action: str, fields: dict[str, Any] | None = None) -> tuple[Any, ...]:
        text = orjson.dumps(fields).decode() if fields else "{}"
        return (kind, pk, label[:200], action, Via.IMPORT.value, when, who, "", text)

    rows: list[tuple[Any, ...]] = []
    for kind, created, changed in (
        (Kind.GROUP, change_set.created_groups, change_set.changed_groups),
        (Kind.LOCATION, change_set.created_locations, change_set.changed_locations),
    ):
        rows.extend(row(kind, obj.pk, _label(obj), Action.CREATED) for obj in created)
        for obj, before in changed:
            plain = {key: _plain(value) for key, value in before.items() if key in TRACKED[kind]}
            fields = diff(plain, _some(kind, obj, before))
            if fields:
                rows.append(row(kind, obj.pk, _label(obj), Action.CHANGED, fields))
    # A new meeting's whole listing is in the feed it came from: its row says it was made, and by which source.
    created_meeting = Action.CREATED.value
    rows.extend(row(Kind.MEETING, pk, name, created_meeting) for pk, name in change_set.created_meetings)
    for meeting, attributes in change_set.changed_meetings:
        fields = diff(_meeting_before(attributes), _some(Kind.MEETING, meeting, attributes))
        if fields:
            rows.append(row(Kind.MEETING, meeting.pk, _label(meeting), Action.CHANGED, fields))
    for meeting in change_set.removed_meetings:
        fields = {name: [value, None] for name, value in snapshot(meeting).items()}
        rows.append(row(Kind.MEETING, meeting.pk, _label(meeting), Action.REMOVED, fields))
    # The places no meeting uses any more, which the import deleted.
    for location in change_set.removed_locations:
        fields = {name: [value, None] for name, value in snapshot(location).items()}
        rows.append(row(Kind.LOCATION, location.pk, _label(location), Action.REMOVED, fields))
    return rows


def owner_rows(source: str, owner: ServiceBody, created: set[int], at: dt.datetime) -> list[tuple[Any, ...]]:
    """The history rows for setting a source's meetings to the service body that keeps the source: one per meeting
    whose body changes, read in one query before the update. A meeting the import just made is left out: its row
    says it was made, by the source."""
    when = connection.ops.adapt_datetimefield_value(at)
    moving = (
        Meeting.objects.filter(source=source)
        .exclude(service_body=owner)
        .values_list("pk", "name", "service_body_id")
        .iterator(chunk_size=10_000)
    )
    return [
        (
            Kind.MEETING.value,
            pk,
            name[:200],
            Action.CHANGED.value,
            Via.IMPORT.value,
            when,
            source[:300],
            "",
            orjson.dumps({"service_body": [before, owner.pk]}).decode(),
        )
        for pk, name, before in moving
        if pk not in created
    ]


def record_import(sender: Any, writer: Any, source: str, owner: ServiceBody | None = None, **_kwargs: Any) -> None:
    """The receiver of ``stayhere.directory.changes.imported``: the import's history, and the owner's update about
    to follow it, in one bulk insert."""
    change_set = writer.change_set
    rows = import_rows(change_set, source, writer.now)
    if owner is not None:
        created = {pk for pk, _name in change_set.created_meetings}
        rows.extend(owner_rows(source, owner, created, writer.now))
    bulkrows.insert_tuples(ListingChange, IMPORT_COLUMNS, rows)


def record_admin_edit(sender: Any, before: models.Model | None, after: models.Model, who: str, **_kwargs: Any) -> None:
    """The receiver of ``stayhere.directory.changes.edited`` (the Django admin's saves)."""
    if sender not in KIND_OF:
        return
    if before is None:
        record_created(after, who, via=Via.ADMIN)
    else:
        record(after, who, snapshot(before), via=Via.ADMIN)


def record_admin_removal(sender: Any, rows: Iterable[models.Model], who: str, **_kwargs: Any) -> None:
    """The receiver of ``stayhere.directory.changes.removing`` (the Django admin's deletes)."""
    if sender in KIND_OF:
        record_removed(list(rows), who, via=Via.ADMIN)


# Reading ------------------------------------------------------------------------------------------------------------


def of(obj: models.Model, limit: int = 100) -> list[ListingChange]:
    """The object's history, newest first."""
    return list(ListingChange.objects.filter(kind=kind_of(obj), object_id=obj.pk)[:limit])


def last_change(entry: ListingChange) -> ListingChange | None:
    return (
        ListingChange.objects.filter(kind=entry.kind, object_id=entry.object_id).exclude(action=Action.VERIFIED).first()
    )


# Undoing ------------------------------------------------------------------------------------------------------------


def may_be_undone(entry: ListingChange) -> bool:
    """A change of fields, an addition (undone by removing the object) or a removal (undone by putting it back)
    may be undone; a confirmation is not a change. Whether it can be undone now, ``revert`` says."""
    if entry.action == Action.CHANGED:
        return bool(entry.fields)
    return entry.action in (Action.CREATED, Action.REMOVED)


def undoable_now(entry: ListingChange, exists: bool, latest: ListingChange | None) -> bool:
    """Whether the history page offers to undo the entry: a change of an object that exists; an addition when
    nothing has changed the object since; a removal, the object's last entry, of an object still gone."""
    if not may_be_undone(entry):
        return False
    if entry.action == Action.CHANGED:
        return exists
    if entry.action == Action.CREATED:
        return exists and latest is not None and latest.pk == entry.pk
    return not exists and bool(entry.fields) and latest is not None and latest.pk == entry.pk


def revert(entry: ListingChange, who: str) -> ListingChange:
    """Undoes the entry and records that as an entry of its own (``reverts`` names the entry undone): a change of
    fields gets its values before back, an addition is removed, a removal is put back. Refused with a sentence
    when that cannot be done without overwriting or losing something (``Refused``)."""
    if not may_be_undone(entry):
        raise Refused(
            _("This entry records a confirmation that the listing was still right; there is nothing to undo.")
        )
    if entry.action == Action.CREATED:
        return _unadd(entry, who)
    if entry.action == Action.REMOVED:
        return _restore(entry, who)
    model = MODELS[entry.kind]
    with transaction.atomic():
        obj = model._default_manager.select_for_update().filter(pk=entry.object_id).first()
        if obj is None:
            raise Refused(_("This listing has been removed since, so the change cannot be undone."))
        now = snapshot(obj)
        moved = [name for name, (_before, after) in entry.fields.items() if name in now and now[name] != after]
        if moved:
            from stayhere.service.history_text import label

            raise Refused(
                _(
                    "%(fields)s changed again after this change, so undoing it would overwrite the later change. "
                    "Undo the later change first, or edit the listing by hand."
                )
                % {"fields": ", ".join(label(entry.kind, name) for name in moved)}
            )
        for name, (before, _after) in entry.fields.items():
            if name in now:
                _refuse_if_gone(entry.kind, name, before)
                _put(obj, name, before)
        _valid_or_refused(obj)
        if isinstance(obj, Meeting):
            obj.updated = timezone.now()
        obj.save()
        if isinstance(obj, Meeting):
            slots.rebuild([obj])
        undone = record(obj, who, now, via=Via.REVERT, reverts=entry)
    assert undone is not None  # at least one field went back, since none had moved on
    return undone


def _valid_or_refused(obj: models.Model) -> None:
    try:
        _check(obj)
    except ValidationError as invalid:
        raise Refused(
            _("Undoing this change would leave the listing invalid: %(problems)s Edit the listing by hand instead.")
            % {"problems": " ".join(str(message) for message in invalid.messages)}
        ) from None


def _dependants(obj: models.Model) -> int:
    """How many other listings name the object (which removing it would change)."""
    if isinstance(obj, ServiceBody):
        return (
            ServiceBody.objects.filter(parent=obj).count()
            + Group.objects.filter(service_body=obj).count()
            + Meeting.objects.filter(service_body=obj).count()
        )
    if isinstance(obj, Group):
        return Meeting.objects.filter(group=obj).count()
    if isinstance(obj, Location):
        return Meeting.objects.filter(location=obj).count()
    return 0


def _unadd(entry: ListingChange, who: str) -> ListingChange:
    """Undoes an addition: removes the object, if nothing has changed it since and no other listing names it."""
    model = MODELS[entry.kind]
    with transaction.atomic():
        obj = model._default_manager.select_for_update().filter(pk=entry.object_id).first()
        if obj is None:
            raise Refused(_("This listing has been removed already; there is nothing to take back."))
        latest = last_change(entry)
        if latest is None or latest.pk != entry.pk:
            raise Refused(
                _(
                    "This listing has changed since it was added, so removing it would lose the later changes. "
                    "Undo the later changes first, or remove it from its own page."
                )
            )
        count = _dependants(obj)
        if count:
            raise Refused(
                ngettext(
                    "%(count)d other listing (a meeting, group or service body) still names this one, and removing "
                    "it would change it. Move or remove it first.",
                    "%(count)d other listings (meetings, groups or service bodies) still name this one, and removing "
                    "it would change them. Move or remove them first.",
                    count,
                )
                % {"count": count}
            )
        (removal,) = record_removed([obj], who, via=Via.REVERT, reverts=entry)
        obj.delete()  # a meeting's finder slots go with it
    return removal


def _restore(entry: ListingChange, who: str) -> ListingChange:
    """Undoes a removal: puts the object back, with the same number and every public field its removal entry kept.
    A restored meeting belongs to no feed any more (a feed's next sync would remove it again): it is kept by hand."""
    model = MODELS[entry.kind]
    with transaction.atomic():
        if model._default_manager.filter(pk=entry.object_id).exists():
            raise Refused(_("This listing is back already; there is nothing to put back."))
        latest = ListingChange.objects.filter(kind=entry.kind, object_id=entry.object_id).first()
        if latest is None or latest.pk != entry.pk:
            raise Refused(_("Only the listing's last removal can be undone."))
        if not entry.fields:
            raise Refused(_("This removal kept no fields, so the listing cannot be put back from here."))
        obj = model(pk=entry.object_id)
        for name, (before, _after) in entry.fields.items():
            if name not in TRACKED[entry.kind]:
                continue
            _refuse_if_gone(entry.kind, name, before)
            _put(obj, name, before)
        slug = getattr(obj, "slug", None)
        if slug and model._default_manager.filter(slug=slug).exists():
            raise Refused(
                _(
                    "Another listing has the address “%(slug)s” now, so this one cannot be put back under it. "
                    "Rename or remove the other listing first."
                )
                % {"slug": slug}
            )
        _valid_or_refused(obj)
        if isinstance(obj, Meeting):
            obj.updated = timezone.now()
        obj.save(force_insert=True)
        if isinstance(obj, Meeting):
            slots.rebuild([obj])
        restored = record_created(obj, who, via=Via.REVERT, reverts=entry)
    return restored


def _refuse_if_gone(kind: str, name: str, value: Any) -> None:
    """A foreign key goes back only to a row that still exists."""
    if value is None or (kind == Kind.MEETING and name == "days"):
        return
    field = _field(kind, name)
    if field.is_relation and not field.related_model._default_manager.filter(pk=value).exists():  # type: ignore[union-attr]
        from stayhere.service.history_text import label

        raise Refused(
            _("%(field)s cannot go back: what it named has been removed since. Edit the listing by hand instead.")
            % {"field": label(kind, name)}
        )


def _check(obj: models.Model) -> None:
    exclude = ["slug", "source", "source_slug"] if isinstance(obj, Meeting) else ["slug"]
    obj.full_clean(exclude=exclude, validate_unique=False)


# Freshness -----------------------------------------------------------------------------------------------------------


def verify(meeting: Meeting, who: str) -> ListingChange:
    """A servant confirms the listing is still right: its last-verified time is now, and the history says who."""
    with transaction.atomic():
        now = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(last_verified=now)
        meeting.last_verified = now
        freshness.changed()  # the feeds' "updated" says how fresh each listing is
        return ListingChange.objects.create(
            kind=Kind.MEETING,
            object_id=meeting.pk,
            label=_label(meeting),
            action=Action.VERIFIED,
            via=Via.PAGE,
            who=who,
            at=now,
        )
