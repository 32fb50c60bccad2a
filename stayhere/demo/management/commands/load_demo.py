"""``stayhere load_demo``: fill an empty directory with made-up meetings (the quickstart runs it on every start)."""

from __future__ import annotations

import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stayhere.core.commands import Command as TranslatedCommand
from stayhere.core.commands import gettext_lazy
from stayhere.demo import extras
from stayhere.demo.output import store
from stayhere.demo.world import generate
from stayhere.directory.models import Meeting

MAX_MEETINGS = 1_000_000


def _meeting_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(
            _("{value!r} is not a whole number: give how many meetings, e.g. 400.").format(value=value)
        ) from None
    if not 1 <= number <= MAX_MEETINGS:
        raise ArgumentTypeError(
            _("{number} meetings is out of range: use 1 to {most:,}.").format(number=number, most=MAX_MEETINGS)
        )
    return number


def _seed(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ArgumentTypeError(
            _("{value!r} is not a whole number: give a seed such as 1.").format(value=value)
        ) from None


class Command(TranslatedCommand):
    help = gettext_lazy("Load a made-up directory of meetings (the same for the same --seed).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--meetings", type=_meeting_count, default=400, help=gettext_lazy("How many meetings (400).")
        )
        parser.add_argument("--seed", type=_seed, default=1, help=gettext_lazy("Which made-up world (1)."))
        parser.add_argument(
            "--if-empty", action="store_true", help=gettext_lazy("Do nothing when the directory already has meetings.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Meeting.objects.count()
        if existing:
            if options["if_empty"]:
                if options["verbosity"] > 1:
                    self.stdout.write(
                        ngettext(
                            "The directory already has {count} meeting; no demo loaded.",
                            "The directory already has {count} meetings; no demo loaded.",
                            existing,
                        ).format(count=existing)
                    )
                return
            raise CommandError(
                ngettext(
                    "The directory already has {count} meeting, so the demo would mix with it. "
                    "Use an empty data directory (STAYHERE_DATA_DIR), or add --if-empty to skip quietly.",
                    "The directory already has {count} meetings, so the demo would mix with them. "
                    "Use an empty data directory (STAYHERE_DATA_DIR), or add --if-empty to skip quietly.",
                    existing,
                ).format(count=existing)
            )
        started = time.perf_counter()
        world = generate(options["meetings"], options["seed"])
        written = store(world)
        if options["verbosity"] > 0:
            self.stdout.write(
                _("Loaded %(meetings)s demo meetings of %(groups)s groups in %(towns)s towns (%(seconds)s s).")
                % {
                    "meetings": written,
                    "groups": len(world.groups),
                    "towns": len(world.towns),
                    "seconds": f"{time.perf_counter() - started:.1f}",
                }
            )
        extras.run(self.stdout if options["verbosity"] > 0 else None)  # what other apps add (rooms, for one)
