"""Sealed entries: listed, written and deleted for a signed-in account. The server never opens one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from stayhere.journal import formats
from stayhere.journal.errors import JournalRefused
from stayhere.journal.models import Account, Entry

FIELDS = ("entry_id", "version", "bucket", "key", "body", "revision")


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["entry_id"], **{name: row[name] for name in FIELDS[1:]}}


def listing(account: Account) -> dict[str, Any]:
    rows = Entry.objects.filter(account=account).order_by("revision").values(*FIELDS)
    return {"revision": account.revision, "entries": [as_json(row) for row in rows]}


def put(account: Account, entry_id_value: str, data: Any) -> dict[str, Any]:
    """Writes an entry (new or replacing the one with this id); the answer is the journal's new revision."""
    entry_id = formats.entry_id(entry_id_value)
    sealed = formats.entry(data)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
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
        Entry.objects.update_or_create(
            account=locked, entry_id=entry_id, defaults={**sealed, "revision": locked.revision}
        )
    return {"id": entry_id, "revision": locked.revision}


def delete(account: Account, entry_id_value: str) -> dict[str, Any]:
    entry_id = formats.entry_id(entry_id_value)
    with transaction.atomic():
        deleted, _rows = Entry.objects.filter(account=account, entry_id=entry_id).delete()
        if not deleted:
            raise JournalRefused(_("There is no such entry in this journal: reload the page."), status=404)
        Account.objects.filter(pk=account.pk).update(revision=F("revision") + 1)
    account.refresh_from_db(fields=["revision"])
    return {"id": entry_id, "revision": account.revision}
