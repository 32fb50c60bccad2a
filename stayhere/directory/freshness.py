"""When the directory last changed, for caches of views derived from all of it.

Whatever writes listings calls ``changed()`` (bulk writers do so themselves; saves and deletes
of single rows do so through signals, see apps.py). Two counters move together:

- a generation in this process, which in-memory caches compare for free; another worker does
  not see it, so those caches also expire after a minute (``MAX_AGE_SECONDS``);
- a version in the database (DirectoryState), which every process sees, for what is costly to
  rebuild: the rendered feed files.
"""

from __future__ import annotations

from django.db.models import F

MAX_AGE_SECONDS = 60

_generation = 0


def changed() -> None:
    global _generation
    _generation += 1
    from stayhere.directory.models import DirectoryState

    if DirectoryState.objects.filter(pk=1).update(version=F("version") + 1) == 0:
        DirectoryState.objects.get_or_create(pk=1)


def generation() -> int:
    return _generation


def version() -> str:
    """The directory's version as every process sees it, "epoch.number" (one small query)."""
    from stayhere.directory.models import DirectoryState

    state, _created = DirectoryState.objects.get_or_create(pk=1)
    return f"{state.epoch}.{state.version}"
