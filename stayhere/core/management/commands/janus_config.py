"""`stayhere janus-config DIR`: a shared Janus server's configuration, and its STAYHERE_JANUS_SERVERS entry.

For the scale-out deployment: writes stayhere's own private configuration for a Janus the operator runs (as a
systemd service) into DIR, with fresh random secrets, using the STAYHERE_JANUS_* port settings, and prints the
command that runs it and the entry that names it to every worker. The configuration binds the HTTP and admin
APIs to loopback, so the workers must run on the same machine as this Janus (see docs/deploy.md).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stayhere.audio.config import LOOPBACK, settings_from_env, write_config
from stayhere.audio.servers import ExternalJanus


class Command(BaseCommand):
    help = "Write a shared Janus server's configuration into DIR and print its STAYHERE_JANUS_SERVERS entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="where to write the configuration (made 0700)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(f"{directory} is not empty: give a new or empty folder (its old secrets would mix).")
        settings = settings_from_env()
        try:
            config = write_config(directory, settings)
        except FileNotFoundError as missing:
            raise CommandError(f"{missing} Install Debian's janus package first.") from None
        keys = config.secrets
        server = ExternalJanus(
            LOOPBACK, settings.http_port, settings.admin_port, keys.api_secret, keys.admin_secret, keys.admin_key
        )
        self.stdout.write(f"Janus configuration written to {directory} (keep it private: it holds the secrets).")
        self.stdout.write(f"Run it (e.g. as a systemd service): {shlex.join(config.command())}")
        self.stdout.write("Name it to every worker, in STAYHERE_JANUS_SERVERS (space-separated, one per server):")
        self.stdout.write(server.entry())
