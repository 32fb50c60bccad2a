"""Kept-fresh sources: adding, listing and removing them, and what their status says.

A source is a record (``FeedSource``): where the feed is (an http(s) URL or a file on this server), its format, the
service body that keeps it, and how often it is read. Its ``key`` is what its meetings carry in ``Meeting.source``;
it is chosen once, from the name, and kept when the feed moves. ``stayhere.directory.feeds.sync`` reads the sources
that are due. Every check here answers a bad value with a sentence and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.directory import schedule
from stayhere.directory.feeds import intervals
from stayhere.directory.feeds.fetch import FORMATS, is_url, source_key
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import FeedSource, Meeting, ServiceBody


class SourceRefused(Exception):
    """Nothing was added, changed or removed; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class NewSource:
    location: str
    name: str = ""
    format: str = ""
    body: str = ""  # a service body's slug
    every: str = "daily"
    key: str = ""
    timezone: str = ""
    fellowship: str = ""


def checked_location(location: str) -> str:
    """An http(s) URL with a host, or the absolute path of a file that exists (SourceRefused otherwise)."""
    location = location.strip()
    if not location:
        raise SourceRefused(_("Give the source's location: an http(s) URL or the path of a feed file on this server."))
    if is_url(location):
        parts = urlsplit(location)
        try:
            parts.port  # noqa: B018 (it raises on a port that is not a number)
        except ValueError:
            parts = parts._replace(netloc="")
        if not parts.hostname or " " in location:
            raise SourceRefused(
                _("%(location)r is not a usable URL: write it whole, e.g. https://example.org/meetings.json.")
                % {"location": location}
            )
        return location
    if "://" in location:
        raise SourceRefused(
            _(
                "%(location)r is not an http(s) URL or a file: stayhere reads feeds over http:// or https://, or "
                "from a file on this server."
            )
            % {"location": location}
        )
    path = Path(location).expanduser()
    if not path.is_file():
        raise SourceRefused(
            _("There is no file %(location)s: give the path of a feed file on this server, or an http(s) URL.")
            % {"location": location}
        )
    return str(path.resolve())


def checked_format(value: str) -> str:
    value = value.strip().lower()
    if value and value not in FORMATS:
        raise SourceRefused(
            _("%(format)r is not a feed format: use one of %(formats)s, or leave it out.")
            % {"format": value, "formats": ", ".join(FORMATS)}
        )
    return value


def checked_body(slug: str) -> ServiceBody | None:
    slug = slug.strip()
    if not slug:
        return None
    body = ServiceBody.objects.filter(slug=slug).first()
    if body is None:
        known = ", ".join(ServiceBody.objects.order_by("slug").values_list("slug", flat=True)[:10])
        if known:
            raise SourceRefused(
                _("There is no service body %(slug)r: give the slug of one in the directory (e.g. %(known)s).")
                % {"slug": slug, "known": known}
            )
        raise SourceRefused(
            _(
                "There is no service body %(slug)r: give the slug of one in the directory; none exists yet (add one "
                "on the servants' pages)."
            )
            % {"slug": slug}
        )
    return body


def checked_schedule(text: str) -> str:
    try:
        return intervals.canonical(text)
    except ValueError as exc:
        raise SourceRefused(_("--every: %(problem)s") % {"problem": exc}) from None


def add(new: NewSource) -> FeedSource:
    location = checked_location(new.location)
    format = checked_format(new.format)
    body = checked_body(new.body)
    every = checked_schedule(new.every)
    zone = ""
    if new.timezone.strip():
        try:
            zone = schedule.canonical_zone(new.timezone)
        except ValueError as exc:
            raise SourceRefused(_("--timezone: %(problem)s.") % {"problem": exc}) from None
    fellowship = new.fellowship.strip().upper()
    if fellowship and fellowship not in Fellowship.values:
        raise SourceRefused(
            _("--fellowship: %(fellowship)r is not a fellowship stayhere knows; use one of %(known)s.")
            % {"fellowship": fellowship, "known": ", ".join(Fellowship.values)}
        )
    name = " ".join(new.name.split()) or _name_from(location)
    if len(name) > 200:
        raise SourceRefused(_("--name: a source's name is at most 200 characters."))
    key = new.key.strip() or slugify(name)[:100] or "source"
    if len(key) > 300:
        raise SourceRefused(_("--key: a source's key is at most 300 characters."))
    with transaction.atomic():
        for field, value, flag in (("name", name, "--name"), ("key", key, "--key"), ("location", location, "")):
            same = FeedSource.objects.filter(**{field: value}).first()
            if same is not None:
                values = {"source": same.name, "key": same.key, "value": value, "flag": flag}
                if field == "name":
                    said = _(
                        "The source %(source)r (%(key)s) already has the name %(value)r: choose another with %(flag)s."
                    )
                elif field == "key":
                    said = _(
                        "The source %(source)r (%(key)s) already has the key %(value)r: choose another with %(flag)s."
                    )
                else:
                    said = _("The source %(source)r (%(key)s) already has %(value)s: it is already kept fresh.")
                raise SourceRefused(said % values)
        if Meeting.objects.filter(source=key).exists() and new.key.strip() == "":
            raise SourceRefused(
                _(
                    "Meetings imported earlier already carry the key %(key)r: give this source another --name or "
                    "--key, or --key %(key)s on purpose to adopt them."
                )
                % {"key": key}
            )
        return FeedSource.objects.create(
            key=key,
            name=name,
            location=location,
            format=format,
            service_body=body,
            schedule=every,
            timezone=zone,
            fellowship=fellowship,
        )


def find(named: str) -> FeedSource:
    """A source by its key or its name (SourceRefused when there is none)."""
    named = named.strip()
    found = FeedSource.objects.filter(key=named).first() or FeedSource.objects.filter(name=named).first()
    if found is None:
        keys = ", ".join(FeedSource.objects.values_list("key", flat=True)[:10])
        if keys:
            raise SourceRefused(
                _("There is no source %(named)r: `stayhere sources list` shows them (%(keys)s).")
                % {"named": named, "keys": keys}
            )
        raise SourceRefused(
            _("There is no source %(named)r: `stayhere sources list` shows them; none has been added yet.")
            % {"named": named}
        )
    return found


def remove(named: str, *, with_meetings: bool = False) -> tuple[FeedSource, int]:
    """Removes the source (and its meetings when asked); returns it and how many meetings went, or stay."""
    with transaction.atomic():
        source = find(named)
        meetings = Meeting.objects.filter(source=source.key)
        count = meetings.count()
        if with_meetings and count:
            from stayhere.directory import freshness
            from stayhere.directory.models import MeetingSlot

            MeetingSlot.objects.filter(meeting__source=source.key).delete()
            meetings.delete()
            freshness.changed()
        source.delete()
    return source, count


def for_import(location: str, key: str | None) -> FeedSource | None:
    """The source record an ``import-feed`` of this location (or key) belongs to, if one is kept."""
    if key:
        return FeedSource.objects.filter(key=key.strip()).first()
    candidates = {location.strip(), source_key(location)}
    if not is_url(location):
        candidates.add(str(Path(location).expanduser().resolve()))
    return (
        FeedSource.objects.filter(location__in=candidates).order_by("pk").first()
        or FeedSource.objects.filter(key__in=candidates).order_by("pk").first()
    )


def manual_record(location: str, key: str) -> FeedSource:
    """The record of a source imported by hand (import-feed) that had none: synced only when named. Two imports of
    one source at once both end with the one record."""
    found = FeedSource.objects.filter(key=key).first()
    if found is not None:
        return found
    name, number = _name_from(location), 2
    base = name
    while FeedSource.objects.filter(name=name).exists():
        name, number = f"{base} ({number})", number + 1
    try:
        with transaction.atomic():
            return FeedSource.objects.create(key=key, name=name, location=location, schedule=intervals.MANUAL)
    except IntegrityError:
        found = FeedSource.objects.filter(key=key).first()
        if found is None:
            raise
        return found


def _name_from(location: str) -> str:
    if is_url(location):
        parts = urlsplit(location)
        return ((parts.hostname or "") + parts.path.rstrip("/"))[:190] or location[:190]
    return Path(location).name[:190] or location[:190]


# Status, as sentences ----------------------------------------------------------------------------------------


def _when(moment: dt.datetime | None) -> str:
    return _("never") if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def status_sentence(source: FeedSource, now: dt.datetime, failing_days: int) -> str:
    if source.last_attempt_at is None:
        return _("Not synced yet.")
    if source.failing_since is not None:
        days = source.failing_days(now)
        failing = _("failing since %(since)s: %(problem)s") % {
            "since": _when(source.failing_since),
            "problem": source.last_error,
        }
        if not source.is_flagged(now, failing_days):
            return failing
        flag = ngettext(
            "FAILING FOR %(count)s DAY (STAYHERE_SOURCE_FAILING_DAYS is %(limit)s):",
            "FAILING FOR %(count)s DAYS (STAYHERE_SOURCE_FAILING_DAYS is %(limit)s):",
            int(days),
        ) % {"count": int(days), "limit": failing_days}
        return f"{flag} {failing}"
    sentence = _(
        "Last synced %(when)s: %(created)s created, %(updated)s updated, %(removed)s removed, %(skipped)s skipped."
    ) % {
        "when": _when(source.last_success_at),
        "created": source.last_created,
        "updated": source.last_updated,
        "removed": source.last_removed,
        "skipped": source.last_skipped,
    }
    return f"{sentence} {source.last_warning}" if source.last_warning else sentence


def describe(source: FeedSource, now: dt.datetime, failing_days: int) -> list[str]:
    """The lines ``stayhere sources list`` prints for one source."""
    body = source.service_body.name if source.service_body is not None else _("no service body")
    where = _("%(location)s (%(format)s), kept by %(body)s, synced %(schedule)s") % {
        "location": source.location,
        "format": source.format or _("format told from the content"),
        "body": body,
        "schedule": source.schedule,
    }
    attempts = _("last attempt %(attempt)s, last success %(success)s") % {
        "attempt": _when(source.last_attempt_at),
        "success": _when(source.last_success_at),
    }
    return [
        f"{source.name} [{source.key}]",
        f"  {where}",
        f"  {attempts}",
        f"  {status_sentence(source, now, failing_days)}",
    ]
