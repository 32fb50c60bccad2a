"""`stayhere disclose`: every table and column this server's database has, and what each can hold.

With --example, the table alone (the same for every stayhere server of this version): docs/SECURITY.md
includes it as "what a subpoena of a stayhere server can yield". Without it, also how many rows each table
holds on this server now.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import CommandParser

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.core.database import require_database
from stayhere.core.disclosure import disclosure, markdown_table


class Command(TranslatedCommand):
    help = gettext_lazy("Print every table and column of the database with what it can hold (a markdown table).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--example",
            action="store_true",
            help=gettext_lazy("the schema only, without this server's row counts (the table in docs/SECURITY.md)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["example"]:  # the example is the schema alone, the same on every server: no database
            require_database()
        rows = disclosure()
        self.stdout.write(markdown_table(rows), ending="")
        if options["example"]:
            return
        self.stdout.write("\n| table | rows on this server |\n|---|---|\n", ending="")
        for label in sorted({row.label for row in rows}):
            model = apps.get_model(label)
            self.stdout.write(f"| `{model._meta.db_table}` | {model._default_manager.count()} |\n", ending="")
