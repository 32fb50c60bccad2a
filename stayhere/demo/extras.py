"""What other apps add to the demo once its meetings are written: the rooms app, for one, gives a few
groups' online meetings a room and prints its links.

An app registers a step from its AppConfig.ready(); ``load_demo`` runs the steps in the order they
were registered. The demo (and the directory under it) knows nothing of the apps that register.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


# A step is given where to say what it made (None: say nothing); what it returns is not used.
Step = Callable[[Writer | None], object]

_steps: list[Step] = []


def register(step: Step) -> Step:
    """Adds a step (once, however often an app is made ready); usable as a decorator."""
    if step not in _steps:
        _steps.append(step)
    return step


def steps() -> tuple[Step, ...]:
    return tuple(_steps)


def run(out: Writer | None) -> None:
    for step in steps():
        step(out)
