"""``stayhere slip-keys GROUP [--enable [--minimum N] | --disable | --rotate | --revoke KEYID | --chair-links]``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.core.database import require_database
from stayhere.directory.models import Attendance, Group
from stayhere.rooms.web.keys import rotate_chair_key
from stayhere.rooms.web.models import RoomSettings
from stayhere.slips import keystore


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Attendance slips of a group: turn them on (with a signing key), off, rotate the key (the old one still "
        "verifies the slips it signed) or revoke a key (its slips no longer verify). Lists the keys."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("group", help=gettext_lazy("The group's slug, as in its address."))
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--enable", action="store_true", help=gettext_lazy("Give slips, with a key (made if needed).")
        )
        action.add_argument(
            "--disable", action="store_true", help=gettext_lazy("Stop giving slips (keys still verify).")
        )
        action.add_argument("--rotate", action="store_true", help=gettext_lazy("A new key signs from now on."))
        action.add_argument(
            "--revoke", metavar="KEYID", help=gettext_lazy("Withdraw a key: the slips it signed stop verifying.")
        )
        action.add_argument(
            "--chair-links",
            action="store_true",
            help=gettext_lazy("New chair key; print the in-person code pages (the room chair links change too)."),
        )
        parser.add_argument(
            "--minimum", type=int, default=None, help=gettext_lazy("Minutes present for a slip (with --enable).")
        )
        parser.add_argument(
            "--base-url", default="", help=gettext_lazy("The site's address for --chair-links (default: paths).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_database()
        group = Group.objects.filter(slug=options["group"]).first()
        if group is None:
            raise CommandError(
                _("There is no group with the slug {slug!r}. Check the spelling.").format(slug=options["group"])
            )
        minimum = options["minimum"]
        if minimum is not None and not (0 <= minimum <= 600):
            raise CommandError(_("--minimum is a number of minutes from 0 to 600."))
        now = timezone.now()
        try:
            if options["enable"]:
                key = keystore.enable(group, now, minimum)
                self.stdout.write(
                    _("Slips are on for {group}; signing key {key}.").format(group=group.name, key=key.key_id)
                )
            elif options["disable"]:
                keystore.disable(group)
                self.stdout.write(
                    _("Slips are off for {group}; its keys still verify the slips they signed.").format(
                        group=group.name
                    )
                )
            elif options["rotate"]:
                key = keystore.rotate(group, now)
                self.stdout.write(
                    _("New signing key {key}; the old key still verifies older slips.").format(key=key.key_id)
                )
            elif options["revoke"]:
                keystore.revoke(group, options["revoke"], now)
                self.stdout.write(
                    _("Key {key} is revoked: slips it signed no longer verify.").format(key=options["revoke"])
                )
            elif options["chair_links"]:
                self._chair_links(group, options["base_url"])
        except keystore.KeyProblem as problem:
            raise CommandError(str(problem)) from problem
        for key in group.signing_keys.order_by("created_at"):
            state = _("revoked") if key.revoked_at else _("replaced") if key.retired_at else _("active")
            self.stdout.write(f"  {key.key_id}  {state:8}  {key.public_key}")

    def _chair_links(self, group: Group, base_url: str) -> None:
        with transaction.atomic():
            room, _created = RoomSettings.objects.get_or_create(group=group)
            chair_key = rotate_chair_key(room)
        self.stdout.write(
            _(
                "New chair key: the group's room chair links changed too (stayhere room-links prints them). "
                "In-person attendance code pages, for the chair's phone:"
            )
        )
        for meeting in group.meetings.exclude(attendance__in=[Attendance.ONLINE, Attendance.PHONE]).order_by("name"):
            path = reverse("slips:chair", args=[meeting.slug, chair_key])
            self.stdout.write(f"  {meeting.name}: {base_url.rstrip('/')}{path}")
