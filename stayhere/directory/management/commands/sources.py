"""``stayhere sources add|list|remove``: the feeds this directory keeps fresh (stayhere sync-feeds reads them)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.directory.feeds import sources
from stayhere.directory.feeds.fetch import FORMATS
from stayhere.directory.feeds.intervals import EXAMPLES
from stayhere.directory.models import FeedSource


class Command(TranslatedCommand):
    help = gettext_lazy("The feeds this directory keeps fresh: add one, list them with their status, or remove one.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="add|list|remove", required=True)
        add = actions.add_parser("add", help=gettext_lazy("Keep a feed fresh."))
        add.add_argument("location", help=gettext_lazy("An http(s) URL, or the path of a feed file on this server."))
        add.add_argument(
            "--name", default="", help=gettext_lazy("A name people read on its meetings' pages (default: the URL's).")
        )
        add.add_argument(
            "--format",
            default="",
            help=cast(
                str,
                format_lazy(gettext_lazy("{formats} (default: told from the content)."), formats=", ".join(FORMATS)),
            ),
        )
        add.add_argument("--body", default="", help=gettext_lazy("The slug of the service body that keeps the list."))
        add.add_argument(
            "--every",
            default="daily",
            help=cast(
                str, format_lazy(gettext_lazy("How often it is read: {examples} (default: daily)."), examples=EXAMPLES)
            ),
        )
        add.add_argument(
            "--key",
            default="",
            help=gettext_lazy(
                "The key its meetings carry (default: from the name); give an earlier import's key to adopt it."
            ),
        )
        add.add_argument("--timezone", default="", help=gettext_lazy("The IANA zone of meetings that give none."))
        add.add_argument(
            "--fellowship", default="", help=gettext_lazy("The fellowship of meetings whose feed does not say.")
        )
        actions.add_parser(
            "list", help=gettext_lazy("Every source with its status; a source failing for days is flagged.")
        )
        remove = actions.add_parser("remove", help=gettext_lazy("Stop keeping a source fresh."))
        remove.add_argument("source", help=gettext_lazy("Its key or name."))
        remove.add_argument(
            "--with-meetings", action="store_true", help=gettext_lazy("Remove its meetings from the directory too.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except sources.SourceRefused as exc:
            raise CommandError(str(exc)) from None

    def _add(self, options: dict[str, Any]) -> None:
        source = sources.add(
            sources.NewSource(
                location=options["location"],
                name=options["name"],
                format=options["format"],
                body=options["body"],
                every=options["every"],
                key=options["key"],
                timezone=options["timezone"],
                fellowship=options["fellowship"],
            )
        )
        self.stdout.write(
            _(
                "Added the source %(name)r (key %(key)s), synced %(schedule)s by `stayhere sync-feeds`; "
                "`stayhere sync-feeds --source %(key)s` reads it now."
            )
            % {"name": source.name, "key": source.key, "schedule": source.schedule}
        )

    def _list(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        every = list(FeedSource.objects.select_related("service_body"))
        if not every:
            self.stdout.write(_("No source is kept fresh yet: add one with `stayhere sources add URL --name NAME`."))
            return
        for source in every:
            for line in sources.describe(source, now, settings.SOURCE_FAILING_DAYS):
                self.stdout.write(line)
        flagged = [s.name for s in every if s.is_flagged(now, settings.SOURCE_FAILING_DAYS)]
        if flagged:
            self.stdout.write(
                _("%(count)s of %(total)s sources have been failing for %(days)s days or more: %(names)s.")
                % {
                    "count": len(flagged),
                    "total": len(every),
                    "days": settings.SOURCE_FAILING_DAYS,
                    "names": ", ".join(flagged),
                }
            )

    def _remove(self, options: dict[str, Any]) -> None:
        source, count = sources.remove(options["source"], with_meetings=options["with_meetings"])
        if options["with_meetings"]:
            self.stdout.write(
                ngettext(
                    "Removed the source %(name)r and its %(count)s meeting.",
                    "Removed the source %(name)r and its %(count)s meetings.",
                    count,
                )
                % {"name": source.name, "count": count}
            )
        else:
            said = _("Removed the source %(name)r.") % {"name": source.name}
            if count:
                said += " " + ngettext(
                    "Its %(count)s meeting stays listed but is no longer refreshed (add the source again with "
                    "--key %(key)s to adopt it).",
                    "Its %(count)s meetings stay listed but are no longer refreshed (add the source again with "
                    "--key %(key)s to adopt them).",
                    count,
                ) % {"count": count, "key": source.key}
            self.stdout.write(said)
