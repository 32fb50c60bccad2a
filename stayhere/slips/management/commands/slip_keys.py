"""``stayhere slip-keys GROUP [--enable [--minimum N] | --disable | --rotate | --revoke KEYID]``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stayhere.directory.models import Group
from stayhere.slips import keystore


class Command(BaseCommand):
    help = (
        "Attendance slips of a group: turn them on (with a signing key), off, rotate the key (the old one still "
        "verifies the slips it signed) or revoke a key (its slips no longer verify). Lists the keys."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("group", help="The group's slug, as in its address.")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--enable", action="store_true", help="Give slips, with a key (made if needed).")
        action.add_argument("--disable", action="store_true", help="Stop giving slips (keys still verify).")
        action.add_argument("--rotate", action="store_true", help="A new key signs from now on.")
        action.add_argument("--revoke", metavar="KEYID", help="Withdraw a key: the slips it signed stop verifying.")
        parser.add_argument("--minimum", type=int, default=None, help="Minutes present for a slip (with --enable).")

    def handle(self, *args: Any, **options: Any) -> None:
        group = Group.objects.filter(slug=options["group"]).first()
        if group is None:
            raise CommandError(f"There is no group with the slug {options['group']!r}. Check the spelling.")
        minimum = options["minimum"]
        if minimum is not None and not (0 <= minimum <= 600):
            raise CommandError("--minimum is a number of minutes from 0 to 600.")
        now = timezone.now()
        try:
            if options["enable"]:
                key = keystore.enable(group, now, minimum)
                self.stdout.write(f"Slips are on for {group.name}; signing key {key.key_id}.")
            elif options["disable"]:
                keystore.disable(group)
                self.stdout.write(f"Slips are off for {group.name}; its keys still verify the slips they signed.")
            elif options["rotate"]:
                key = keystore.rotate(group, now)
                self.stdout.write(f"New signing key {key.key_id}; the old key still verifies older slips.")
            elif options["revoke"]:
                keystore.revoke(group, options["revoke"], now)
                self.stdout.write(f"Key {options['revoke']} is revoked: slips it signed no longer verify.")
        except keystore.KeyProblem as problem:
            raise CommandError(str(problem)) from problem
        for key in group.signing_keys.order_by("created_at"):
            state = "revoked" if key.revoked_at else "replaced" if key.retired_at else "active"
            self.stdout.write(f"  {key.key_id}  {state:8}  {key.public_key}")
