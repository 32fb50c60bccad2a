"""Sealed entries: listed, written and deleted for a signed-in account. The server never opens one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from stayhere.journal import formats, sharing
from stayhere.journal.errors import JournalRefused
from stayhere.journal.models import Account, Entry

FIELDS = ("entry_id", "version", "bucket", "key", "body", "revision")


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["entry_id"], **{name: row[name] for name in FIELDS[1:]}}


def listing(account: Account) -> dict[str, Any]:
    rows = Entry.objects.filter(account=account).order_by("revision").values(*FIELDS)
    return {"revision": account.revision, "entries": [as_json(row) for row in rows]}


class Conflict(JournalRefused):
    """The entry changed since the writer last saw it (another device wrote it): nothing was written. The
    answer carries the stored entry (or None when it was deleted), so the browser can keep both versions."""

    def __init__(self, current: dict[str, Any] | None) -> None:
        super().__init__(
            _(
                "This entry was changed or deleted on another device since this page opened it; nothing was "
                "overwritten."
            ),
            status=409,
        )
        self.current = current


def _check_base(locked: Account, entry_id: str, base: int) -> None:
    """Refuses a write whose base is not the stored entry's revision (0: the writer believes it is new)."""
    row = Entry.objects.filter(account=locked, entry_id=entry_id).values(*FIELDS).first()
    stored = row["revision"] if row else 0
    if base != stored:
        raise Conflict(as_json(row) if row else None)


def put(account: Account, entry_id_value: str, data: Any) -> dict[str, Any]:
    """Writes an entry (new or replacing the one with this id) if nobody else wrote it since the writer's base
    revision; the answer is the journal's new revision."""
    entry_id = formats.entry_id(entry_id_value)
    sealed = formats.entry(data)
    base = formats.base(data)
    grants = sharing.grants_of(account, data)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        _check_base(locked, entry_id, base)
        others = Entry.objects.filter(account=locked).exclude(entry_id=entry_id)
        if others.count() >= settings.JOURNAL_ENTRIES_MAX:
            raise JournalRefused(
                _("This journal holds %(count)s entries, as many as this server keeps: delete some first.")
                % {"count": settings.JOURNAL_ENTRIES_MAX},
                status=409,
            )
        stored = others.aggregate(total=Sum("bucket"))["total"] or 0
        if stored + sealed["bucket"] > settings.JOURNAL_BYTES_MAX:
            raise JournalRefused(
                _("This journal is full (%(mib)s MiB, as much as this server keeps): delete some entries first.")
                % {"mib": settings.JOURNAL_BYTES_MAX // (1024 * 1024)},
                status=409,
            )
        Account.objects.filter(pk=locked.pk).update(revision=F("revision") + 1)
        locked.refresh_from_db(fields=["revision"])
        entry, _created = Entry.objects.update_or_create(
            account=locked, entry_id=entry_id, defaults={**sealed, "revision": locked.revision}
        )
        sharing.replace_grants(locked, entry, grants)
    return {"id": entry_id, "revision": locked.revision}


def delete(account: Account, entry_id_value: str, base_value: Any) -> dict[str, Any]:
    """Deletes an entry if nobody wrote it since the deleter's base revision (an edit from another device is
    not deleted unseen)."""
    entry_id = formats.entry_id(entry_id_value)
    base = formats.base({"base": base_value})
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if not Entry.objects.filter(account=locked, entry_id=entry_id).exists():
            raise JournalRefused(_("There is no such entry in this journal: reload the page."), status=404)
        _check_base(locked, entry_id, base)
        Entry.objects.filter(account=locked, entry_id=entry_id).delete()
        Account.objects.filter(pk=account.pk).update(revision=F("revision") + 1)
    account.refresh_from_db(fields=["revision"])
    return {"id": entry_id, "revision": account.revision}
