"""When the directory last changed, for caches of views derived from all of it.

Whatever writes meetings calls ``changed()``; caches keep the generation they were built at
and rebuild when it moves. Another worker process does not see this counter, so those caches
also expire after a minute (``MAX_AGE_SECONDS``).
"""

from __future__ import annotations

MAX_AGE_SECONDS = 60

_generation = 0


def changed() -> None:
    global _generation
    _generation += 1


def generation() -> int:
    return _generation
