"""The core's sentences for people are written in English and marked, which changes nothing here (the core imports
no Django): ``makemessages`` finds them by their mark, and the one writer of frames puts each into the language of
the connection it goes to (stayhere.rooms.live.frames.in_language).

- ``_("...")`` marks a sentence without values.
- ``ngettext_lazy(singular, plural, "n")`` marks one with numbers in it, as Django's function of that name does
  (the number is named, and given later): ``format(n=3, ...)`` writes the English. Each such sentence is kept in
  ``COUNTED``, so that the writer of frames can recognise the English it wrote, take its numbers back out, and
  write them into the connection's language with the catalog's plural for that number.
- ``filled(_("... {name} ..."), sentences=(...))`` marks one with other values in it: the protocol's own words
  (a message type, a field's name), a number that is no count, or, for the fields named in ``sentences``, another
  marked sentence (which the writer puts into the connection's language too). Each is kept in ``FILLED``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def _(message: str) -> str:
    return message


_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Counted:
    """A sentence with whole numbers in it ({name} fields), whose form follows the number called ``count``."""

    singular: str
    plural: str
    count: str
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    def format(self, **values: int) -> str:
        return (self.singular if values[self.count] == 1 else self.plural).format(**values)

    def read(self, sentence: str) -> dict[str, int] | None:
        """The numbers of ``sentence`` if it is this one, in English; None otherwise."""
        for pattern in self._patterns:
            found = pattern.fullmatch(sentence)
            if found:
                return {name: int(value) for name, value in found.groupdict().items()}
        return None


COUNTED: list[Counted] = []


def _pattern(template: str) -> re.Pattern[str]:
    parts = _FIELD.split(template)  # literal, name, literal, name, ..., literal
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>\\d+)" for i, part in enumerate(parts)))


def ngettext_lazy(singular: str, plural: str, count: str) -> Counted:
    counted = Counted(singular, plural, count, (_pattern(singular), _pattern(plural)))
    COUNTED.append(counted)
    return counted


@dataclass(frozen=True)
class Filled:
    """A sentence with values in it ({name} fields); those named in ``sentences`` are marked sentences themselves."""

    template: str
    sentences: tuple[str, ...] = ()
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def format(self, **values: object) -> str:
        return self.template.format(**values)

    def read(self, sentence: str) -> dict[str, str] | None:
        """The values of ``sentence`` if it is this one, in English; None otherwise."""
        found = self._pattern.fullmatch(sentence) if self._pattern is not None else None
        return dict(found.groupdict()) if found else None


FILLED: list[Filled] = []


def filled(template: str, sentences: tuple[str, ...] = ()) -> Filled:
    parts = _FIELD.split(template)
    pattern = re.compile(
        "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)), re.DOTALL
    )
    made = Filled(template, sentences, pattern)
    FILLED.append(made)
    # The most specific first: "must be at most {limit} characters" before "must be {what}".
    FILLED.sort(key=lambda one: -len(_FIELD.sub("", one.template)))
    return made
