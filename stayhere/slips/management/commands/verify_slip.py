"""``stayhere verify-slip FILE [--name NAME --salt SALT]``: the verdict on a slip file, as on the verify page."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.core.database import require_database
from stayhere.slips.verify import MAX_TOKEN, verify_token, verify_with_name


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Verify an attendance slip: the slip file (or a file holding the slip's text or verify link), and "
        "optionally the name the attendee gave and the salt printed on the slip. Exits 0 only for a valid slip "
        "(and a matching name, when one is given)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=gettext_lazy("The slip file, or '-' for standard input."))
        parser.add_argument("--name", default="", help=gettext_lazy("The name the attendee gave you."))
        parser.add_argument("--salt", default="", help=gettext_lazy("The salt printed next to the name on the slip."))

    def handle(self, *args: Any, **options: Any) -> None:
        require_database()
        path = options["file"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8", errors="replace")
            text = text[: MAX_TOKEN * 2]
        except OSError as error:
            raise CommandError(
                _("Cannot read {path}: {reason}. Give the path of the slip file.").format(
                    path=path, reason=error.strerror
                )
            ) from error
        if options["name"] and not options["salt"]:
            raise CommandError(_("Give the salt printed on the slip with --salt, next to --name."))
        verdict = verify_with_name(text, options["name"], options["salt"]) if options["name"] else verify_token(text)
        self.stdout.write(f"{verdict.code}{' ' + verdict.name if verdict.name else ''}: {verdict.message}")
        for field in ("group_name", "meeting_name", "date", "start", "end", "tz", "minutes", "key"):
            if field in verdict.slip:
                self.stdout.write(f"  {field}: {verdict.slip[field]}")
        if not verdict.valid:
            raise CommandError(_("The slip is not valid."), returncode=1)
