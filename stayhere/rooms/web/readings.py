"""The default readings: original text written for stayhere (never fellowship literature), and the default format.

A group's secretary edits or replaces every word of these from the room settings page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from stayhere.directory.models import Group

# The value of a segment's "statement" key that marks the everyone-welcome statement, which a group may turn off.
MOUD_STATEMENT = "moud"

WELCOME = _(
    "Welcome. We are glad you are here, whether this is your first meeting or your thousandth. "
    "This is a place to share what has happened to us and what is helping us now. "
    "Nobody has to speak: when your turn comes, you can always pass. "
    "If you are new, you are among friends, and you do not need to explain yourself to anyone."
)
CONFIDENTIALITY = _(
    "What is said here, and who is here, stays here. "
    "Please do not take screenshots, record, or write down what people share, and do not tell anyone "
    "outside who you saw or heard. This room keeps no record of who came or what was said, "
    "and we ask the same of each other. Use a first name or any name you like."
)
SAFETY = _(
    "We want everyone to feel safe here. We share about ourselves and do not give advice to others. "
    "The chair may gently pause a share that is hurting the group, and the hosts can remove anyone who "
    "disrupts the meeting. If something here troubles you, you can tell a host privately, during or after "
    "the meeting."
)
EVERYONE_WELCOME = _(
    "This group welcomes people who take medication for opioid use disorder, such as methadone, "
    "buprenorphine or naltrexone, and people who use harm reduction. Your recovery is yours: you belong "
    "here, you are welcome to share, and nobody here will judge the path you and your doctor have chosen."
)
SHARING = _(
    "The meeting is now open for sharing. Raise your hand when you would like to share, and keep to "
    "your own experience. When the timer ends, please finish your thought so others have time too."
)
ANNOUNCEMENTS = _(
    "Are there any announcements about recovery or service? "
    "Our group pays its own way through its members' contributions; if you are new, please keep your money: "
    "you are our guest."
)
CLOSING = _(
    "Thank you for being here and for trusting us with what you shared. "
    "Remember: who you saw and what you heard stays here. Take care of yourself until we meet again, "
    "and keep coming back."
)


def default_format() -> list[dict[str, object]]:
    """The default format as the segment dicts a RoomSettings row stores, in the current language."""
    return [
        _segment("reading", _("Welcome"), WELCOME),
        _segment("silence", _("A moment of silence"), "", minutes=1),
        _segment("reading", _("Confidentiality"), CONFIDENTIALITY),
        _segment("reading", _("Safety in this meeting"), SAFETY),
        {**_segment("reading", _("Everyone is welcome"), EVERYONE_WELCOME), "statement": MOUD_STATEMENT},
        _segment("sharing", _("Open sharing"), SHARING, minutes=40, share_seconds=180),
        _segment("announcements", _("Announcements and 7th tradition"), ANNOUNCEMENTS, minutes=5),
        _segment("closing", _("Closing"), CLOSING),
    ]


def _segment(kind: str, title: object, text: object, minutes: int = 0, share_seconds: int = 0) -> dict[str, object]:
    return {"kind": kind, "title": str(title), "text": str(text), "minutes": minutes, "share_seconds": share_seconds}


# The Meeting Guide language codes (stayhere.directory.types) of the languages this site speaks.
SITE_LANGUAGE_OF_CODE = {"EN": "en", "S": "es"}


def group_language(group: Group) -> str | None:
    """The language a group's meetings are listed in, when they name exactly one the site speaks; else None."""
    named = {
        SITE_LANGUAGE_OF_CODE[code]
        for types in group.meetings.values_list("types", flat=True)
        for code in types or ()
        if code in SITE_LANGUAGE_OF_CODE
    }
    return named.pop() if len(named) == 1 else None


def default_format_for(group: Group) -> list[dict[str, object]]:
    """The default format in the group's language (its meetings' language type), else in the current language:
    the readings are the group's own texts, read aloud to all its members whatever each one's page is in."""
    language = group_language(group)
    if language is None:
        return default_format()
    with translation.override(language):
        return default_format()
