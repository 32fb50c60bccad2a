"""``stayhere room_links GROUP_SLUG``: new secret links for a group's room (the old ones stop working)."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.core.database import require_database
from stayhere.directory.models import Group
from stayhere.rooms.web.keys import fresh_links


def _default_base_url() -> str:
    host = os.environ.get("STAYHERE_HOST", "") or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:  # noqa: S104 (naming, not binding)
        host = "localhost"
    return f"http://{host}:{os.environ.get('STAYHERE_PORT', '') or '8000'}"


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Print new secret links for a group's room: its settings link, for the secretary, and a chair link per "
        "meeting held in a stayhere room. Sets the room up with the default format if it has none. "
        "The group's old links stop working."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("group", help=gettext_lazy("The group's slug, as in its address."))
        parser.add_argument(
            "--base-url", default=None, help=gettext_lazy("The site's address (default http://127.0.0.1:8000).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_database()
        group = Group.objects.filter(slug=options["group"]).first()
        if group is None:
            raise CommandError(
                _(
                    "There is no group with the slug {slug!r}. "
                    "Check the spelling; the slug is the group's short name as in its address."
                ).format(slug=options["group"])
            )
        links = fresh_links(group, options["base_url"] or _default_base_url())
        self.stdout.write(_("Room links for {group} (the old links no longer work):").format(group=links.group))
        self.stdout.write("  " + _("settings, for the secretary: {url}").format(url=links.settings_url))
        for name, url in links.chair_urls:
            self.stdout.write("  " + _("chair of {name}: {url}").format(name=name, url=url))
        for name, url in links.member_urls:
            self.stdout.write("  " + _("members of {name} (the room is unlisted): {url}").format(name=name, url=url))
        if not links.chair_urls:
            self.stdout.write(
                "  " + _("No meeting of this group is held in a stayhere room yet, so there is no chair link.")
            )
