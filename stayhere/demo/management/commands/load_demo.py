"""``stayhere load_demo``: fill an empty directory with made-up meetings (the quickstart runs it on every start)."""

from __future__ import annotations

import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stayhere.demo import extras
from stayhere.demo.output import store
from stayhere.demo.world import generate
from stayhere.directory.models import Meeting

MAX_MEETINGS = 1_000_000


def _meeting_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number: give how many meetings, e.g. 400.") from None
    if not 1 <= number <= MAX_MEETINGS:
        raise ArgumentTypeError(f"{number} meetings is out of range: use 1 to {MAX_MEETINGS:,}.")
    return number


def _seed(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number: give a seed such as 1.") from None


class Command(BaseCommand):
    help = "Load a made-up directory of meetings (the same for the same --seed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--meetings", type=_meeting_count, default=400, help="How many meetings (400).")
        parser.add_argument("--seed", type=_seed, default=1, help="Which made-up world (1).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the directory already has meetings."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Meeting.objects.count()
        if existing:
            if options["if_empty"]:
                if options["verbosity"] > 1:
                    self.stdout.write(f"The directory already has {existing} meetings; no demo loaded.")
                return
            raise CommandError(
                f"The directory already has {existing} meetings, so the demo would mix with them. "
                "Use an empty data directory (STAYHERE_DATA_DIR), or add --if-empty to skip quietly."
            )
        started = time.perf_counter()
        world = generate(options["meetings"], options["seed"])
        written = store(world)
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Loaded {written} demo meetings of {len(world.groups)} groups in {len(world.towns)} towns "
                f"({time.perf_counter() - started:.1f} s)."
            )
        extras.run(self.stdout if options["verbosity"] > 0 else None)  # what other apps add (rooms, for one)
