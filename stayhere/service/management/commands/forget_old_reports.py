"""`stayhere forget-old-reports`: closes the open problem reports older than STAYHERE_REPORT_KEEP_DAYS days (90),
forgetting what the visitor wrote and their contact address as closing a report does, and forgets the note and contact
address of suggested changes still open after as long (the suggestion stays open for review). The sync timer's service
(deploy/systemd/stayhere-sync.service) runs it before refreshing the feeds; the servants' pages run it too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.service import reports, suggestions


class Command(BaseCommand):
    help = (
        "Forget the words and contact address of open problem reports, and the notes and contact addresses of open "
        "suggestions, older than STAYHERE_REPORT_KEEP_DAYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = reports.forget_old()
        days = settings.REPORT_KEEP_DAYS
        if count:
            self.stdout.write(
                ngettext(
                    "%(count)d open report was older than %(days)d days: it is closed, its words and contact "
                    "address deleted.",
                    "%(count)d open reports were older than %(days)d days: they are closed, their words and contact "
                    "addresses deleted.",
                    count,
                )
                % {"count": count, "days": days}
            )
        else:
            self.stdout.write(_("No open report is older than %(days)d days.") % {"days": days})
        notes = suggestions.forget_old_notes()
        if notes:
            self.stdout.write(
                ngettext(
                    "%(count)d open suggestion was older than %(days)d days: its note and contact address are "
                    "deleted; the suggested change is still open for review.",
                    "%(count)d open suggestions were older than %(days)d days: their notes and contact addresses are "
                    "deleted; the suggested changes are still open for review.",
                    notes,
                )
                % {"count": notes, "days": days}
            )
