"""Place names for "near": the directory's own towns, never a third-party geocoder."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

from django.db.models import Avg, Count

from stayhere.directory import freshness
from stayhere.directory.models import LOCATED_ATTENDANCE, Location


@dataclass(frozen=True)
class Place:
    name: str  # "Springfield, IL, US"
    city: str
    latitude: float
    longitude: float
    meetings: int


def fold(text: str) -> str:
    """Lower case without accents, so "Zurich" finds "Zürich"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


_cache: tuple[float, int, list[Place]] | None = None


def all_places() -> list[Place]:
    """Every town that has a located meeting, busiest first."""
    global _cache
    if (
        _cache is not None
        and _cache[1] == freshness.generation()
        and time.monotonic() - _cache[0] < freshness.MAX_AGE_SECONDS
    ):
        return _cache[2]
    rows = (
        Location.objects.filter(
            latitude__isnull=False,
            longitude__isnull=False,
            meetings__attendance__in=LOCATED_ATTENDANCE,
        )
        .exclude(city="")
        .values("city", "state", "country")
        .annotate(lat=Avg("latitude"), lng=Avg("longitude"), n=Count("meetings"))
        .order_by("-n", "city")
    )
    places = []
    for row in rows:
        label = ", ".join(part for part in (row["city"], row["state"], row["country"]) if part)
        places.append(Place(label, row["city"], row["lat"], row["lng"], row["n"]))
    _cache = (time.monotonic(), freshness.generation(), places)
    return places


def suggest(prefix: str, limit: int = 10) -> list[Place]:
    wanted = fold(prefix)
    if not wanted:
        return []
    starts = [place for place in all_places() if fold(place.name).startswith(wanted)]
    return starts[:limit]


def resolve(name: str) -> Place | None:
    """The place a person typed or picked: a full label first, else the busiest town of that name."""
    wanted = fold(name)
    if not wanted:
        return None
    places = all_places()
    for place in places:
        if fold(place.name) == wanted:
            return place
    for place in places:
        if fold(place.city) == wanted:
            return place
    return None
