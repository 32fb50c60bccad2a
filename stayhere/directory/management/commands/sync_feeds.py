"""``stayhere sync-feeds``: refresh every kept-fresh source that is due (a systemd timer runs it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.core.database import failure_sentence
from stayhere.directory.feeds import sources, sync
from stayhere.directory.models import FeedSource

FAILED = 1  # a source failed (or was not reached): its meetings are as they were
HELD_BACK = 3  # a source was written but its removals were held back, as import-feed says it


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Refresh every source that is due (stayhere sources list shows them), each in its own transaction, one "
        "failing or hanging source never holding up the others. One sentence per source; exit status 0 when all "
        "went well, 1 when one failed, 3 when one's removals were held back (see import-feed --allow-shrink)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            metavar="KEY",
            help=gettext_lazy("Sync this source (its key or name) whether due or not; may be given more than once."),
        )
        parser.add_argument(
            "--all", action="store_true", help=gettext_lazy("Sync every source, due or not (manual ones too).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._sync(options)
        except DatabaseError as error:  # down, full, read-only: a sentence, and the next run tries again
            raise CommandError(failure_sentence(error), returncode=FAILED) from None

    def _sync(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        try:
            if options["source"]:
                chosen = [sources.find(named) for named in dict.fromkeys(options["source"])]
            elif options["all"]:
                chosen = list(FeedSource.objects.select_related("service_body"))
            else:
                chosen = sync.due(now)
        except sources.SourceRefused as exc:
            raise CommandError(str(exc)) from None
        if not chosen:
            total = FeedSource.objects.count()
            self.stdout.write(
                _("No source is due for a sync.")
                if total
                else _("No source is kept fresh yet: add one with `stayhere sources add URL --name NAME`.")
            )
            return
        outcomes = sync.sync(chosen)
        for outcome in outcomes:
            self.stdout.write(outcome.sentence)
        results = {outcome.result for outcome in outcomes}
        flagged = [o.source.name for o in outcomes if o.source.is_flagged(now, settings.SOURCE_FAILING_DAYS)]
        if results & {sync.Result.FAILED, sync.Result.NOT_REACHED}:
            failed = sum(o.result in (sync.Result.FAILED, sync.Result.NOT_REACHED) for o in outcomes)
            said = _("%(count)s of %(total)s sources were not synced.") % {"count": failed, "total": len(outcomes)}
            if flagged:
                said += " " + _("Failing for %(days)s days or more: %(names)s.") % {
                    "days": settings.SOURCE_FAILING_DAYS,
                    "names": ", ".join(flagged),
                }
            raise CommandError(said, returncode=FAILED)
        if sync.Result.HELD in results:
            held = sum(o.result == sync.Result.HELD for o in outcomes)
            raise CommandError(
                _(
                    "%(count)s of %(total)s sources had removals held back: look at them, then import with "
                    "--allow-shrink if the sources really dropped those meetings."
                )
                % {"count": held, "total": len(outcomes)},
                returncode=HELD_BACK,
            )
