"""`stayhere janus-config DIR`: a shared Janus server's configuration, and its STAYHERE_JANUS_SERVERS entry.

For the scale-out deployment: writes stayhere's own private configuration for a Janus the operator runs (as a
systemd service) into DIR, with fresh random secrets, using the STAYHERE_JANUS_* port settings, and prints the
command that runs it and the entry that names it to every worker. The HTTP and admin APIs listen on loopback, for
workers on the same machine; ``--listen ADDRESS --allow PREFIXES`` puts them on a private network instead, for
workers on other machines, answering only the addresses allowed (see docs/deploy.md).
"""

from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from stayhere.audio.config import LOOPBACK, private_listen, settings_from_env, write_config
from stayhere.audio.servers import ExternalJanus
from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Write a shared Janus server's configuration into DIR and print its STAYHERE_JANUS_SERVERS entry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help=gettext_lazy("where to write the configuration (made 0700)"))
        parser.add_argument(
            "--listen",
            default=LOOPBACK,
            metavar="ADDRESS",
            help=gettext_lazy(
                "this machine's private address for the APIs, for workers on other machines (default: 127.0.0.1)"
            ),
        )
        parser.add_argument(
            "--allow",
            default="",
            metavar="PREFIXES",
            help=gettext_lazy(
                "with --listen: the workers' addresses or prefixes Janus answers, comma-separated (e.g. 10.0.0.)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(
                _("{folder} is not empty: give a new or empty folder (its old secrets would mix).").format(
                    folder=directory
                )
            )
        try:
            listen, acl = private_listen(options["listen"], options["allow"])
        except ValueError as refused:
            raise CommandError(str(refused)) from None
        settings = dataclasses.replace(settings_from_env(), api_ip=listen, api_acl=acl)
        try:
            config = write_config(directory, settings)
        except FileNotFoundError as missing:
            raise CommandError(f"{missing} " + _("Install Debian's janus package first.")) from None
        keys = config.secrets
        server = ExternalJanus(
            listen, settings.http_port, settings.admin_port, keys.api_secret, keys.admin_secret, keys.admin_key
        )
        self.stdout.write(
            _("Janus configuration written to {folder} (keep it private: it holds the secrets).").format(
                folder=directory
            )
        )
        self.stdout.write(
            _("Run it (e.g. as a systemd service): {command}").format(command=shlex.join(config.command()))
        )
        self.stdout.write(_("Name it to every worker, in STAYHERE_JANUS_SERVERS (space-separated, one per server):"))
        self.stdout.write(server.entry())
