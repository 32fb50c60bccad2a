"""`stayhere create-site-admin HANDLE`: the first trusted servant, who can then build the service-body tree and
invite the others (docs/servants.md). The password is asked twice at the terminal, or read from standard input."""

from __future__ import annotations

import getpass
import re
import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy

HANDLE = re.compile(r"^[\w.@+-]{2,40}$")


class Command(TranslatedCommand):
    help = gettext_lazy("Make a site admin (a trusted servant who may do everything, including the Django admin).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "handle", help=gettext_lazy("what other servants see: not a real name (2 to 40 letters, digits, .@+-_)")
        )
        parser.add_argument("--email", default="", help=gettext_lazy("only if the servant wants notices by email"))
        parser.add_argument(
            "--password-stdin", action="store_true", help=gettext_lazy("read the password from standard input")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handle: str = options["handle"]
        if not HANDLE.match(handle):
            raise CommandError(
                _("{handle!r} cannot be a handle: use 2 to 40 letters, digits or . @ + - _ (no spaces).").format(
                    handle=handle
                )
            )
        users = get_user_model().objects
        if users.filter(username__iexact=handle).exists():
            raise CommandError(_("The handle {handle!r} is taken: choose another.").format(handle=handle))
        password = self._password(options["password_stdin"])
        try:
            password_validation.validate_password(password)
        except ValidationError as invalid:
            raise CommandError(_("The password was refused: ") + " ".join(invalid.messages)) from None
        users.create_superuser(username=handle, email=options["email"], password=password)
        self.stdout.write(
            _("{handle} is a site admin. Sign in at /service/sign-in (or /admin/ for the Django admin).").format(
                handle=handle
            )
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass(_("Password: "))
        if first != getpass.getpass(_("The password again: ")):
            raise CommandError(_("The two passwords differ: run the command again and type the same one twice."))
        return first
