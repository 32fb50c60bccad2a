"""The meetings ``bench.rooms`` drives: one online meeting with a stayhere room per benchmark room.

    STAYHERE_DATA_DIR=... python -m bench.room_setup --meetings M --chair-key KEY

Run by the benchmark in a child process against its own freshly migrated data directory (never yours).
Each meeting has its own group, whose room settings say: no waiting room (``--waiting-room N``: the first N
have one), chat open to everyone, no passcode,
and the chair key given (stored hashed, as the settings page would). Prints the rooms' slugs as one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

SLUG = "bench-room-{number}"


def create_rooms(meetings: int, chair_key: str, waiting_rooms: int = 0) -> list[str]:
    """The rooms; the first ``waiting_rooms`` of them have the waiting room on (the rest as below)."""
    from stayhere.directory import slots
    from stayhere.directory.models import Attendance, Group, Meeting
    from stayhere.rooms.web.keys import hash_key
    from stayhere.rooms.web.models import RoomSettings

    numbers = range(1, meetings + 1)
    Group.objects.bulk_create(Group(name=f"Bench Group {n}", slug=f"bench-group-{n}") for n in numbers)
    groups = {group.slug: group for group in Group.objects.filter(slug__startswith="bench-group-")}
    created: list[Meeting] = []
    for number in numbers:
        meeting = Meeting(
            name=f"Bench Room {number}",
            slug=SLUG.format(number=number),
            group=groups[f"bench-group-{number}"],
            timezone="UTC",
            start_time=dt.time(19, 0),
            end_time=dt.time(20, 0),
            attendance=Attendance.ONLINE,
            has_room=True,
        )
        meeting.days = [0, 1, 2, 3, 4, 5, 6]
        meeting.set_types(["O", "D"])
        meeting.full_clean()
        created.append(meeting)
    Meeting.objects.bulk_create(created)
    saved = list(Meeting.objects.filter(slug__startswith="bench-room-"))
    slots.rebuild(saved)
    # As a secretary would set up an open, unmoderated test room: no waiting room, chat open to everyone,
    # no passcode; the chair key stored as its hash, as the settings page does.
    RoomSettings.objects.bulk_create(
        RoomSettings(
            group=group,
            waiting_room=int(slug.rsplit("-", 1)[1]) <= waiting_rooms,
            chat_policy="open",
            passcode="",
            chair_key_hash=hash_key(chair_key),
        )
        for slug, group in groups.items()
    )
    return sorted((m.slug for m in saved), key=lambda slug: int(slug.rsplit("-", 1)[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.room_setup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, required=True)
    parser.add_argument("--chair-key", required=True)
    parser.add_argument("--waiting-room", type=int, default=0, help="how many rooms, from the first, have one")
    args = parser.parse_args(argv)
    if "STAYHERE_DATA_DIR" not in os.environ:
        print("Set STAYHERE_DATA_DIR to the benchmark's own data directory.", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
    import django

    django.setup()
    print(json.dumps(create_rooms(args.meetings, args.chair_key, args.waiting_room)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
