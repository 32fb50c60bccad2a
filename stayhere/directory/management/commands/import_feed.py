"""``stayhere import-feed SOURCE``: import a Meeting Guide JSON, 12 Step Meeting List CSV or BMLT feed."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.directory.feeds import sources, sync
from stayhere.directory.feeds.fetch import FORMATS, is_url, source_key
from stayhere.directory.feeds.importer import ImportFailed, import_feed
from stayhere.directory.models import FeedSource

SHOWN_PROBLEMS = 50
HELD_BACK = 3  # the exit status when the import was written but its removals were held back


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Import meetings from a feed file or http(s) URL. Re-importing the same source updates it and removes "
        "what it no longer lists, unless that looks like a source cut short (then the removals are held back, "
        "and the command exits with status 3; see --allow-shrink). The codes MOUD and HRED set a group's own "
        "flags: import them only from the group's own feed (a service office's list normally does not carry them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help=gettext_lazy("A file path or an http(s) URL."))
        parser.add_argument(
            "--format", choices=FORMATS, help=gettext_lazy("The feed's format (detected when left out).")
        )
        parser.add_argument(
            "--source-key",
            help=gettext_lazy("A stable name for this source (default: the path or URL as given, normalised)."),
        )
        parser.add_argument(
            "--timezone", help=gettext_lazy("The IANA time zone of meetings that give neither a zone nor coordinates.")
        )
        parser.add_argument(
            "--fellowship",
            help=gettext_lazy(
                "The fellowship of meetings whose feed does not say (Meeting Guide feeds never do), e.g. AL-ANON."
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("Check and count, but write nothing."))
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help=(
                gettext_lazy(
                    "Remove the meetings the source no longer lists even when that looks like a source cut short: more "
                    "than STAYHERE_FEED_SHRINK_LIMIT per cent (20) of them, or a record that could not be read."
                )
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = self._progress if sys.stderr.isatty() else None
        # A kept source this location or key belongs to gives its key, format, zone, fellowship and owner.
        kept = sources.for_import(options["source"], options["source_key"])
        started = timezone.now()
        try:
            report = import_feed(
                options["source"],
                format=options["format"] or (kept.format if kept is not None else None) or None,
                key=options["source_key"] or (kept.key if kept is not None else None),
                default_zone=options["timezone"] or (kept.timezone if kept is not None else None) or None,
                default_fellowship=options["fellowship"] or (kept.fellowship if kept is not None else None) or None,
                dry_run=options["dry_run"],
                allow_shrink=options["allow_shrink"],
                progress=progress,
                owner=kept.service_body if kept is not None else None,
            )
        except ImportFailed as exc:
            if kept is not None and not options["dry_run"]:
                self._record(kept, started, None, str(exc))
            raise CommandError(str(exc)) from None
        finally:
            if progress is not None:
                sys.stderr.write("\n")
        if not options["dry_run"]:
            location = options["source"].strip()
            self._record(kept, started, report, "", location if is_url(location) else source_key(location))
        if report.repeats:
            self.stderr.write(_("warning: %(problem)s") % {"problem": report.repeats})
        for problem in report.problems[:SHOWN_PROBLEMS]:
            self.stdout.write(str(problem))
        if len(report.problems) > SHOWN_PROBLEMS:
            more = len(report.problems) - SHOWN_PROBLEMS
            self.stdout.write(
                ngettext("... and %(count)s more problem.", "... and %(count)s more problems.", more) % {"count": more}
            )
        self.stdout.write(report.summary())
        if report.held_because:
            # The meetings the source lists were written; the exit status tells a scheduled sync something is wrong.
            raise CommandError(report.held_because, returncode=HELD_BACK)

    def _record(self, kept: FeedSource | None, started: Any, report: Any, error: str, location: str = "") -> None:
        try:
            if kept is None:
                kept = sources.manual_record(location, report.source_key)
            sync.record(kept, started, report, error)
        except DatabaseError:
            pass  # the import's own outcome has been said; the status waits for the next sync

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
