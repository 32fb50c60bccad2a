"""``stayhere export-feed``: write the directory as a Meeting Guide JSON or CSV feed to standard output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandParser

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.core.database import require_database
from stayhere.directory.feeds.exporter import (
    csv_chunks,
    meeting_guide_array_chunks,
    meeting_guide_chunks,
    meeting_url_prefix,
)


class Command(TranslatedCommand):
    help = gettext_lazy("Write every meeting as a feed to standard output.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("meeting-guide", "csv"), default="meeting-guide")
        parser.add_argument(
            "--days",
            choices=("split", "array"),
            default="split",
            help=gettext_lazy(
                "Meeting Guide: one object per weekday (split, the default, as served) or per meeting (array)."
            ),
        )
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            help=gettext_lazy(
                "The site's public address, for links to meeting pages (default: http://localhost:8000)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_database()
        base = meeting_url_prefix(options["base_url"])
        chunks: Iterator[str] | Iterator[bytes]
        if options["format"] == "csv":
            chunks = csv_chunks(base)
        elif options["days"] == "array":
            chunks = meeting_guide_array_chunks(base)
        else:
            chunks = meeting_guide_chunks(base)
        for chunk in chunks:
            self.stdout.write(chunk if isinstance(chunk, str) else chunk.decode(), ending="")
