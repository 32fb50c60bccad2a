"""``stayhere sync-feeds``: refresh every kept-fresh source that is due, one failing or hanging source never
holding up the others.

The downloads run side by side in threads, each bounded in all by STAYHERE_FEED_TIMEOUT (stayhere.directory.feeds
.fetch), and a URL is asked with If-None-Match / If-Modified-Since from its last answer, so an unchanged feed costs
a 304. The imports then run one after another in this thread, each in its own transaction through the importer
(the shrink guard holds: a feed that looks cut short removes nothing and is reported as held back). The whole run
ends by STAYHERE_SYNC_DEADLINE: a source whose turn comes after it is left as it was, due for the next run. Each
source's outcome is recorded on its record and said in one sentence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.core.database import failure_sentence
from stayhere.directory.feeds.fetch import FeedFetchError, Fetched, decode, fetch
from stayhere.directory.feeds.importer import ImportFailed, ImportReport, import_text
from stayhere.directory.models import FeedSource

STATUS_FIELDS = (
    "etag", "last_modified", "content_hash", "last_attempt_at", "last_success_at", "failing_since", "last_created",
    "last_updated", "last_removed", "last_skipped", "last_error", "last_warning", "last_report",
)  # fmt: skip
PARALLEL = 4  # downloads at once: enough that a few slow publishers never hold up the rest


class Result(Enum):
    CHANGED = "changed"  # imported (created, updated or removed something, or found it all unchanged)
    NOT_MODIFIED = "not-modified"  # the server answered 304, or the bytes were those of the last sync
    HELD = "held"  # imported, but removals held back (the shrink guard)
    FAILED = "failed"  # nothing changed; the last error says why
    NOT_REACHED = "not-reached"  # the run's deadline came first; left for the next run


@dataclass
class Outcome:
    source: FeedSource
    result: Result
    sentence: str
    report: ImportReport | None = None


def due(now: dt.datetime | None = None) -> list[FeedSource]:
    moment = now or timezone.now()
    return [source for source in FeedSource.objects.select_related("service_body") if source.is_due(moment)]


def sync(sources: Sequence[FeedSource], *, deadline: float | None = None) -> list[Outcome]:
    """Syncs these sources; ``deadline``: seconds the whole run may take (STAYHERE_SYNC_DEADLINE)."""
    if not sources:
        return []
    ends = time.monotonic() + (settings.SYNC_DEADLINE if deadline is None else deadline)
    outcomes: list[Outcome] = []
    # Not a `with` block: its exit would wait for every download, a hanging one included (each is bounded by
    # STAYHERE_FEED_TIMEOUT, and its thread is a daemon that stops at its next read once given up).
    pool = ThreadPoolExecutor(max_workers=min(PARALLEL, len(sources)), thread_name_prefix="stayhere-sync")
    try:
        language = translation.get_language()  # a pool's threads start in none: the caller's, for their sentences
        downloads = [pool.submit(_download, source, language) for source in sources]
        for source, download in zip(sources, downloads, strict=True):
            outcomes.append(_one(source, download, ends))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return outcomes


def _download(source: FeedSource, language: str | None = None) -> Fetched:
    with translation.override(language):
        return fetch(source.location, etag=source.etag, last_modified=source.last_modified)


def _one(source: FeedSource, download: Future[Fetched], ends: float) -> Outcome:
    left = ends - time.monotonic()
    try:
        if left <= 0:
            raise FutureTimeout
        fetched = download.result(timeout=left)
    except FutureTimeout:
        download.cancel()
        return Outcome(
            source,
            Result.NOT_REACHED,
            f"{source.name}: not synced, because this run reached its deadline (STAYHERE_SYNC_DEADLINE, "
            f"{settings.SYNC_DEADLINE} s) first; its meetings were kept as they were, and it is due again next run.",
        )
    except FeedFetchError as exc:
        return _failed(source, str(exc))
    now = timezone.now()
    if fetched.not_modified:
        return _unchanged(source, now, fetched, _("the server answered 304 Not Modified"))
    digest = hashlib.sha256(fetched.data).hexdigest()
    if digest == source.content_hash and not source.last_error and not source.last_warning:
        return _unchanged(source, now, fetched, _("it holds the same bytes as at the last sync"))
    try:
        report = import_text(
            decode(fetched.data),
            source_name=source.location,
            key=source.key,
            format=source.format or None,
            default_zone=source.timezone or None,
            default_fellowship=source.fellowship or None,
            owner=source.service_body,
        )
    except ImportFailed as exc:
        return _failed(source, str(exc))
    except DatabaseError as error:  # recording what happened could itself fail on a broken database
        return _failed(source, failure_sentence(error))
    return _imported(source, now, fetched, digest, report)


def record(source: FeedSource, now: dt.datetime, report: ImportReport | None, error: str = "") -> None:
    """Writes a sync's (or an import's) outcome on the source's record."""
    source.last_attempt_at = now
    if error:
        source.last_error = error
        source.failing_since = source.failing_since or now
    else:
        source.last_error = ""
        source.failing_since = None
        source.last_success_at = now
    if report is not None:
        source.last_created, source.last_updated = report.created, report.updated
        source.last_removed, source.last_skipped = report.removed, report.skipped
        source.last_warning = " ".join(part for part in (report.held_because, report.repeats) if part)
    # Only what a sync writes: an operator's change to the source (its schedule, say) made meanwhile is kept.
    source.save(update_fields=STATUS_FIELDS)


def _imported(source: FeedSource, now: dt.datetime, fetched: Fetched, digest: str, report: ImportReport) -> Outcome:
    source.etag, source.last_modified, source.content_hash = fetched.etag, fetched.last_modified, digest
    sentence = f"{source.name}: {report.summary()}"
    if report.repeats:
        sentence += " " + _("Warning: %(problem)s") % {"problem": report.repeats}
    result = Result.CHANGED
    if report.held_because:
        sentence += f" {report.held_because}"
        result = Result.HELD
    source.last_report = sentence
    record(source, now, report)
    return Outcome(source, result, sentence, report)


def _unchanged(source: FeedSource, now: dt.datetime, fetched: Fetched, why: str) -> Outcome:
    if fetched.etag or fetched.last_modified:
        source.etag, source.last_modified = fetched.etag, fetched.last_modified
    sentence = _("%(source)s: not changed since the last sync (%(why)s), so its meetings were left as they were.") % {
        "source": source.name,
        "why": why,
    }
    source.last_report = sentence
    source.last_created = source.last_updated = source.last_removed = source.last_skipped = 0
    record(source, now, None)
    return Outcome(source, Result.NOT_MODIFIED, sentence)


def _failed(source: FeedSource, error: str) -> Outcome:
    now = timezone.now()
    record(source, now, None, error)
    since = source.failing_since or now
    days = (now - since).total_seconds() / 86400
    flagged = source.is_flagged(now, settings.SOURCE_FAILING_DAYS)
    sentence = _("%(source)s failed, and its meetings were kept as they were: %(problem)s") % {
        "source": source.name,
        "problem": error,
    }
    if flagged:
        sentence += " " + ngettext(
            "It has been failing for %(count)s day, since %(since)s: look at it.",
            "It has been failing for %(count)s days, since %(since)s: look at it.",
            int(days),
        ) % {"count": int(days), "since": f"{since:%Y-%m-%d}"}
    source.last_report = sentence
    source.save(update_fields=["last_report"])
    return Outcome(source, Result.FAILED, sentence)
