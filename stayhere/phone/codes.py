"""Meeting codes for the phone line: drawn at random, stored, looked up, rotated."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction

from stayhere.directory.models import Meeting
from stayhere.directory.room_links import Phones
from stayhere.phone.models import PhoneCode

DIGITS = 8  # 10^8 codes: a caller keying at random finds a meeting once in tens of millions of tries (and 3 a call)


@dataclass(frozen=True)
class Line:
    """What a code opens: the meeting's room and the language of its prompts."""

    slug: str
    language: str


def _draw() -> str:
    return str(secrets.randbelow(9 * 10 ** (DIGITS - 1)) + 10 ** (DIGITS - 1))


def code_for(meeting: Meeting) -> str:
    """The meeting's code, drawn now if it has none (only meetings with a room have one)."""
    found = PhoneCode.objects.filter(meeting=meeting).values_list("code", flat=True).first()
    return found if found is not None else rotate(meeting)


def rotate(meeting: Meeting) -> str:
    """A fresh code for the meeting: the old one stops working at once."""
    for _ in range(20):
        code = _draw()
        try:
            with transaction.atomic():
                PhoneCode.objects.update_or_create(meeting=meeting, defaults={"code": code})
            return code
        except IntegrityError:  # another meeting drew these digits: draw again
            continue
    raise RuntimeError("No free phone code after 20 draws.")


def line_for(code: str) -> Line | None:
    """The meeting a keyed-in code opens (a meeting with a room), or None."""
    if not code.isdigit():
        return None
    found = (
        PhoneCode.objects.filter(code=code, meeting__has_room=True)
        .values_list("meeting__slug", "meeting__types")
        .first()
    )
    if found is None:
        return None
    slug, types = found
    return Line(slug=slug, language="es" if "S" in (types or []) else "en")


def codes_by_meeting(meeting_ids: list[int]) -> dict[int, str]:
    """Codes of these meetings, in one query (the exporters)."""
    return dict(PhoneCode.objects.filter(meeting_id__in=meeting_ids).values_list("meeting_id", "code"))


def phone_text(number: str, code: str) -> str:
    """The Meeting Guide ``conference_phone`` form: dial, pause, pause, the code and pound."""
    return f"{number},,{code}#"


def site_number() -> str:
    """The operator's published number (STAYHERE_PHONE_NUMBER), "" when the site has no phone line."""
    from stayhere.audio.sip import phone_settings_from_env

    return phone_settings_from_env().number


def room_codes() -> dict[str, str]:
    """slug -> code for every meeting with a room and a code (room_links keeps unlisted rooms' out)."""
    return dict(PhoneCode.objects.filter(meeting__has_room=True).values_list("meeting__slug", "code"))


def site_phones() -> Phones | None:
    number = site_number()
    return Phones(number, room_codes, PhoneCode._meta.db_table) if number else None


def note_published_number(data_dir: Path) -> None:
    """At start-up: if STAYHERE_PHONE_NUMBER is not the number the feeds were last built with, they are rebuilt."""
    from stayhere.directory import freshness

    kept = data_dir / "phone-number-published"
    number = site_number()
    previous = kept.read_text().strip() if kept.exists() else ""
    if number != previous:
        try:
            freshness.changed()
        except DatabaseError:  # the feeds are rebuilt at the next change instead; serving goes on
            return
        kept.write_text(number)
