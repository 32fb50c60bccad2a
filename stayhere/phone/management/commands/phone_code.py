"""`stayhere phone-code SLUG [--rotate]`: a meeting's phone code, or a fresh one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.directory.models import Meeting
from stayhere.phone.codes import code_for, rotate, site_number


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Prints a meeting's phone code (drawn now if it has none); --rotate draws a new one, ending the old."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help=gettext_lazy("the meeting's slug, as in its address /meetings/SLUG"))
        parser.add_argument(
            "--rotate", action="store_true", help=gettext_lazy("draw a new code: the old one stops working")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        meeting = Meeting.objects.filter(slug=options["slug"]).first()
        if meeting is None:
            raise CommandError(
                _("No meeting has the slug %(slug)r: copy it from the meeting's address.") % {"slug": options["slug"]}
            )
        if not meeting.has_room:
            raise CommandError(
                _("%(meeting)s has no room here, so no phone code: give it a room first.") % {"meeting": meeting.name}
            )
        code = rotate(meeting) if options["rotate"] else code_for(meeting)
        number = site_number()
        if number:
            line = _("(callers dial %(number)s, then %(code)s#)") % {"number": number, "code": f"{code}"}
        else:
            line = _("(STAYHERE_PHONE_NUMBER is not set)")
        self.stdout.write(_("%(meeting)s: phone code %(code)s") % {"meeting": meeting.name, "code": code} + "  " + line)
