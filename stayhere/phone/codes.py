"""Meeting codes for the phone line: drawn at random, stored, looked up, rotated."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from stayhere.directory.models import Meeting
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
