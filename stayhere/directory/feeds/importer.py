"""The import service: read a feed, parse it, check each record, and write the source's meetings.

Steps: read the text (file or URL) -> detect the format -> parse (pure) -> resolve zones and
attendance (pure) -> write everything in one transaction. A source that fails as a whole
writes nothing; a bad record is skipped, and its old row (if any) is kept.

Group-asserted codes (MOUD, HRED) in a feed set the group's flags. Only a group's own feed
should carry them: a service office's list normally will not, and then the flags stay as they are.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.core.database import failure_sentence
from stayhere.directory import changes, freshness, schedule
from stayhere.directory.feeds import bmlt, meeting_guide, overlap, tsml_csv
from stayhere.directory.feeds.common import FeedFormatError, ParseResult, Problem
from stayhere.directory.feeds.fetch import FORMATS, FeedFetchError, detect_format, read_source, source_key
from stayhere.directory.feeds.resolve import resolve
from stayhere.directory.feeds.source_writer import Progress, SourceWriter
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import Meeting, ServiceBody

PARSERS: dict[str, Callable[[str], ParseResult]] = {
    "meeting-guide": meeting_guide.parse,
    "csv": tsml_csv.parse,
    "bmlt": bmlt.parse,
}


class ImportFailed(Exception):
    """The source as a whole could not be imported; nothing was changed."""


@dataclass
class ImportReport:
    source_key: str
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    held: int = 0  # meetings no longer listed, kept because the removals looked wrong (held_because says why)
    held_because: str = ""
    skipped: int = 0
    warned: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0
    repeats: str = ""  # a warning: the feed repeats most of another source's meetings (overlap)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        values = {
            "count": self.imported,
            "source": self.source_key,
            "format": self.format,
            "seconds": f"{self.seconds:.1f}",
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "held": self.held,
            "skipped": self.skipped,
            "warned": self.warned,
        }
        read = ngettext(
            "%(count)s meeting read from %(source)s (%(format)s) in %(seconds)s s:",
            "%(count)s meetings read from %(source)s (%(format)s) in %(seconds)s s:",
            self.imported,
        )
        counts = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(removed)s removed,")
        held = _("%(held)s no longer listed but kept,") if self.held else ""
        if self.dry_run:
            rest = _("%(skipped)s skipped, %(warned)s with warnings (would be written).")
        else:
            rest = _("%(skipped)s skipped, %(warned)s with warnings (were written).")
        return " ".join(part % values for part in (read, counts, held, rest) if part)


def import_feed(
    source: str,
    *,
    format: str | None = None,
    key: str | None = None,
    default_zone: str | None = None,
    default_fellowship: str | None = None,
    dry_run: bool = False,
    allow_shrink: bool = False,
    progress: Progress | None = None,
    owner: ServiceBody | None = None,
) -> ImportReport:
    """Import one source (a path or an http(s) URL). Raises ImportFailed when nothing could be imported.

    Removals that look wrong (stayhere.directory.feeds.removals) are held back unless ``allow_shrink``; the
    report's ``held_because`` then says why, and the meetings the source lists are written all the same.
    """
    try:
        text = read_source(source)
    except FeedFetchError as exc:
        raise ImportFailed(str(exc)) from None
    return import_text(
        text,
        source_name=source,
        key=key or source_key(source),
        format=format,
        default_zone=default_zone,
        default_fellowship=default_fellowship,
        dry_run=dry_run,
        allow_shrink=allow_shrink,
        progress=progress,
        owner=owner,
    )


def import_text(
    text: str,
    *,
    source_name: str,
    key: str,
    format: str | None = None,
    default_zone: str | None = None,
    default_fellowship: str | None = None,
    dry_run: bool = False,
    allow_shrink: bool = False,
    progress: Progress | None = None,
    owner: ServiceBody | None = None,
) -> ImportReport:
    """``owner``: the service body that keeps the source (stayhere.directory.feeds.sources); its meetings are set
    to it, so suggested changes to them go to its reviewers."""
    with _cyclic_gc_paused():
        return _import(
            text, source_name, key, format, default_zone, default_fellowship, dry_run, allow_shrink, progress, owner
        )


# Imports write one at a time, each waiting up to STAYHERE_FEED_IMPORT_WAIT seconds for the one before: two at
# once would both take the same new slugs (and the second would fail on the database's unique constraint).
# SQLite has one writer anyway (its transactions are IMMEDIATE); PostgreSQL takes this advisory lock.
IMPORT_LOCK = 0x5374617948657265  # "StayHere"


@contextmanager
def _one_import_at_a_time() -> Iterator[None]:
    """On SQLite, the wait for the database's write lock lasts the import's own time, not the site's 20 s."""
    if connection.vendor != "sqlite":
        yield
        return
    kept = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(settings.FEED_IMPORT_WAIT) * 1000}")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {kept}")
        except DatabaseError:
            pass  # the connection is broken: what broke it is the import's failure, said already


def _wait_for_other_imports() -> None:
    """On PostgreSQL, inside the import's transaction: the lock, and how long any wait of it may last."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.FEED_IMPORT_WAIT}s"])
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    # An import makes a few objects per meeting and frees none until the end: the cyclic garbage
    # collector would walk the growing heap again and again for nothing (a third of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _import(
    text: str,
    source_name: str,
    key: str,
    format: str | None,
    default_zone: str | None,
    default_fellowship: str | None,
    dry_run: bool,
    allow_shrink: bool,
    progress: Progress | None,
    owner: ServiceBody | None = None,
) -> ImportReport:
    started = time.perf_counter()
    key = key.strip()[:300]
    if not key:
        raise ImportFailed(_("The source key is empty: give --source-key a short name such as 'district-12'."))
    if default_zone:
        try:
            default_zone = schedule.canonical_zone(default_zone)
        except ValueError as exc:
            raise ImportFailed(_("--timezone: %(problem)s.") % {"problem": exc}) from None
    if default_fellowship:
        default_fellowship = default_fellowship.strip().upper()
        if default_fellowship not in Fellowship.values:
            raise ImportFailed(
                _("--fellowship: %(fellowship)r is not a fellowship stayhere knows; use one of %(known)s.")
                % {"fellowship": default_fellowship, "known": ", ".join(Fellowship.values)}
            )
    try:
        chosen = format or detect_format(source_name, text)
        if chosen not in PARSERS:
            raise ImportFailed(
                _("%(format)r is not a feed format: use one of %(formats)s.")
                % {"format": chosen, "formats": ", ".join(FORMATS)}
            )
        parsed = resolve(PARSERS[chosen](text), default_zone)
    except FeedFormatError as exc:
        raise ImportFailed(str(exc)) from None
    if default_fellowship:  # for the meetings whose format does not say (Meeting Guide never does)
        for record in parsed.records:
            record.fellowship = record.fellowship or default_fellowship
    report = ImportReport(source_key=key, format=chosen, problems=parsed.problems, dry_run=dry_run)
    report.skipped = sum(1 for p in parsed.problems if p.severity == "error")
    report.warned = len({p.where for p in parsed.problems if p.severity == "warning"})
    if not parsed.records:
        problems = "; ".join(str(p) for p in parsed.problems[:3])
        nothing = _("No meeting in %(source)s could be imported, so nothing was changed.") % {"source": source_name}
        if problems:
            raise ImportFailed(nothing + " " + _("First problems: %(problems)s") % {"problems": problems})
        raise ImportFailed(nothing + " " + _("The feed lists no meetings."))
    try:
        report.repeats = overlap.repeated_source(key, (record.slug for record in parsed.records))
        with _one_import_at_a_time(), transaction.atomic():
            _wait_for_other_imports()
            writer = SourceWriter(key, progress, shrink_limit=settings.FEED_SHRINK_LIMIT, allow_shrink=allow_shrink)
            counts = writer.write(parsed)
            # The listings' history, before the owner's update (whose old values it records).
            changes.imported.send(sender=SourceWriter, writer=writer, source=key, owner=owner)
            if owner is not None:
                Meeting.objects.filter(source=key).exclude(service_body=owner).update(service_body=owner)
            if dry_run:
                transaction.set_rollback(True)
            else:
                freshness.changed()  # caches built from the whole directory rebuild (with the import, or not at all)
    except DatabaseError as error:
        # One transaction: whatever stopped it, the directory is as it was, and the import can simply run again.
        sentence = failure_sentence(error)
        raise ImportFailed(
            _("The import of %(source)s stopped: %(problem)s")
            % {"source": source_name, "problem": sentence[:1].lower() + sentence[1:]}
        ) from None
    report.created, report.updated = counts.created, counts.updated
    report.unchanged, report.removed = counts.unchanged, counts.removed
    report.held, report.held_because = counts.held, counts.held_because
    report.seconds = time.perf_counter() - started
    return report
