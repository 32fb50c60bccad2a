"""The only writer of frames: every text a room's connection is sent is made here (docs/protocol.md).

The sequence rule, in one place:
- a **numbered event** (the core's ``Send``) carries the number the core's ``Outbox`` gave it, one more than the
  room's last; these are the events kept for replay to a seat that resumes (unless the core said not to keep it);
- a **snapshot** carries the room's number when it was taken;
- an **error** carries the number of the last numbered event before it (the core's ``Error.after``, or the last
  number this process delivered for the room), and is never kept or replayed;
- a frame **outside the numbered stream** (``audio``, ``audio_answer``, ``live``, ``talking``, ``slip``) carries
  the last number this process delivered for the room, without adding to it, and is never replayed.
- a **people_changed** frame may stand for several numbered ``people_changed`` events of the room, merged (a
  process holds them back until the room's next tick or its next other frame, see ``PeopleChanges``): it carries
  the number of the last of them, and every frame after it a higher one;
So a client's highest ``seq`` only ever moves forward by numbered events and snapshots.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.utils import translation

from stayhere.rooms.core.effects import Error
from stayhere.rooms.core.snapshot import snapshot_for
from stayhere.rooms.core.state import Room
from stayhere.rooms.core.words import COUNTED, FILLED

PEOPLE_CHANGED = "people_changed"


class PeopleChanges:
    """Presence changes of one room merged into one ``people_changed`` frame: for each person the latest record
    (one who came in the batch stays under ``joined``), those who went, the count and the seats it goes to as of
    the last change. Applying the merged frame leaves a page as applying each change in turn would."""

    __slots__ = ("_reached", "all", "changed", "count", "joined", "left", "seats", "seq")

    def __init__(self) -> None:
        self.joined: dict[str, dict[str, Any]] = {}
        self.changed: dict[str, dict[str, Any]] = {}
        self.left: dict[str, None] = {}
        self.seq = 0
        self.count = 0
        self.all = True
        self.seats: tuple[str, ...] | None = ()
        self._reached: frozenset[str] | None = None

    def add(self, event: dict[str, Any], seats: tuple[str, ...] | None) -> None:
        for person in event.get("joined", ()):
            self.joined[person["seat"]] = person
            self.left.pop(person["seat"], None)
        for person in event.get("changed", ()):
            if person["seat"] in self.joined:
                self.joined[person["seat"]] = person
            else:
                self.changed[person["seat"]] = person
        for seat in event.get("left", ()):
            self.joined.pop(seat, None)
            self.changed.pop(seat, None)
            self.left[seat] = None
        self.seq, self.count, self.all, self.seats = event["seq"], event["count"], event["all"], seats
        self._reached = None

    def passes(self, seats: tuple[str, ...] | None) -> bool:
        """Whether a frame for these seats may go before the held changes: one for a single seat they do not reach
        (a newcomer's welcome), whose own order they cannot disturb."""
        if seats is None or len(seats) != 1:
            return False
        if self.seats is None:
            return False
        if self._reached is None:
            self._reached = frozenset(self.seats)
        return seats[0] not in self._reached

    def frame(self) -> str:
        return encode(
            {
                "type": PEOPLE_CHANGED,
                "seq": self.seq,
                "joined": list(self.joined.values()),
                "changed": list(self.changed.values()),
                "left": list(self.left),
                "count": self.count,
                "all": self.all,
            }
        )


def encode(event: dict[str, Any]) -> str:
    """Once per frame, whatever the number of seats it goes to."""
    return orjson.dumps(event).decode()


def numbered(event: dict[str, Any]) -> str:
    """A numbered event as the core built it (``Send.event``: it has its type and its number)."""
    return encode(event)


def snapshot(room: Room, seat_id: str) -> str:
    return encode({"type": "snapshot", "seq": room.seq, **snapshot_for(room, seat_id)})


def error(code: str, message: str, ref: str, seq: int = 0, **extra: Any) -> str:
    """``message`` is a sentence for the person that says what to do next; ``ref`` the message type it answers;
    ``extra`` a field some codes add (``retry_after`` for ``busy``)."""
    return encode({"type": "error", "seq": seq, "code": code, "message": message, "ref": ref, **extra})


def refusal(refused: Error) -> str:
    """The core's ``Error`` effect as its frame."""
    return error(refused.code, refused.message, refused.ref, refused.after)


def outside(kind: str, seq: int, /, **fields: Any) -> str:
    """A frame outside the numbered stream, with the last number delivered for its room."""
    return encode({"type": kind, "seq": seq, **fields})


# The frames that carry a sentence for the person, by the field it is in. The core writes every frame's "type" first.
_SENTENCES = {"error": "message", "waiting": "message", "denied": "message", "removed": "message", "ended": "message"}
_SENTENCES |= {"advice": "advice", "welcome": "advice", "audio": "reason"}
_WITH_SENTENCE = tuple(f'{{"type":"{kind}"' for kind in _SENTENCES)


def in_language(text: str, language: str) -> str:
    """A frame for a connection whose page is in ``language`` (not English): its sentence for the person, if the
    catalogs know it, in that language; any other frame as it is, untouched and unparsed. The sentences are the
    English the core and the runtime mark (stayhere.rooms.core.words), those with numbers in them too."""
    if not text.startswith(_WITH_SENTENCE):
        return text
    event = orjson.loads(text)
    sentence = event.get(_SENTENCES.get(event.get("type"), ""))
    if not isinstance(sentence, str) or not sentence:
        return text
    with translation.override(language):
        translated = _translated(sentence)
    if translated == sentence:
        return text
    event[_SENTENCES[event["type"]]] = translated
    return encode(event)


def _counted(sentence: str) -> str:
    """A sentence with numbers in it, in the active language with the catalog's plural for its number."""
    for counted in COUNTED:
        values = counted.read(sentence)
        if values is not None:
            return translation.ngettext(counted.singular, counted.plural, values[counted.count]).format(**values)
    return sentence


def _translated(sentence: str, depth: int = 0) -> str:
    """A marked sentence in the active language: as it is in the catalog, or one with numbers or values in it."""
    translated = translation.gettext(sentence)
    if translated == sentence:
        translated = _counted(sentence)
    if translated == sentence and depth < 2:
        translated = _filled(sentence, depth)
    return translated


def _filled(sentence: str, depth: int) -> str:
    """A sentence with values in it (stayhere.rooms.core.words.filled), its sentences translated too."""
    for made in FILLED:
        values = made.read(sentence)
        if values is None:
            continue
        template = translation.gettext(made.template)
        if template == made.template and not made.sentences:
            return sentence
        said = dict(values)
        for name in made.sentences:
            said[name] = _translated(values[name], depth + 1)
            if said[name] == values[name]:
                return sentence  # half in one language and half in another reads worse than English whole
        return template.format(**said)
    return sentence
