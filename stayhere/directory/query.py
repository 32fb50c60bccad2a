"""Search parameters: what people may ask the finder and the API, read and checked in one place."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from stayhere.directory import places, schedule
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import Attendance

MAX_PAGE = 1000
MAX_TEXT = 200
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+\-]{0,19}$")

# Times of day, as local [start, end) minutes. Night runs past midnight.
TIMES_OF_DAY: dict[str, tuple[int, int]] = {
    "morning": (5 * 60, 12 * 60),
    "midday": (11 * 60, 14 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 21 * 60),
    "night": (21 * 60, 29 * 60),
}


class QueryError(ValueError):
    """What is wrong with a search, field by field, in sentences for people."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = errors


@dataclass
class SearchQuery:
    text: str = ""
    near: tuple[float, float] | None = None
    place: str = ""
    radius_km: float = 25.0
    days: list[int] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    now: bool = False
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    fellowships: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    viewer_tz: str | None = None
    page: int = 1
    page_size: int = 25

    def to_params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (for pagination links); ``changes`` override fields."""
        values = {**self.__dict__, **changes}
        params: list[tuple[str, str]] = []
        if values["text"]:
            params.append(("q", values["text"]))
        if values["place"]:
            params.append(("place", values["place"]))
        elif values["near"] is not None:
            params.append(("near", f"{values['near'][0]:.5f},{values['near'][1]:.5f}"))
        if values["near"] is not None or values["place"]:
            params.append(("radius", f"{values['radius_km']:g}"))
        params += [("day", str(day)) for day in values["days"]]
        params += [("time", name) for name in values["times"]]
        if values["now"]:
            params.append(("now", "1"))
        params += [("type", code) for code in values["include"]]
        params += [("not", code) for code in values["exclude"]]
        params += [("mode", mode) for mode in values["modes"]]
        params += [("lang", code) for code in values["languages"]]
        params += [("fellowship", code) for code in values["fellowships"]]
        params += [("slug", slug) for slug in values["slugs"]]
        if values["viewer_tz"]:
            params.append(("tz", values["viewer_tz"]))
        if values["page"] != 1:
            params.append(("page", str(values["page"])))
        return params

    @property
    def is_empty(self) -> bool:
        return self.to_params(viewer_tz=None, page=1) == []


# Reading a query ---------------------------------------------------------------------------


def _get_list(params: Any, name: str, *, split: bool = True) -> list[str]:
    """All values of a parameter; "a,b" counts as two values unless ``split`` is off."""
    if hasattr(params, "getlist"):
        values = params.getlist(name)
    else:
        raw = params.get(name, [])
        values = [raw] if isinstance(raw, str) else list(raw)
    if not split:
        return [str(value) for value in values]
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def _one(params: Any, name: str) -> str:
    values = _get_list(params, name, split=False)
    return values[-1].strip() if values else ""


def parse_query(params: Mapping[str, Any] | Any, *, page_size: int | None = None) -> SearchQuery:
    """Read search parameters; raises QueryError naming each bad field and what to write."""
    errors: dict[str, str] = {}
    query = SearchQuery(radius_km=float(settings.FINDER_RADIUS_KM), page_size=page_size or settings.FINDER_PAGE_SIZE)

    text = _one(params, "q")
    if len(text) > MAX_TEXT:
        errors["q"] = _("The search text is too long: use at most %(n)d characters.") % {"n": MAX_TEXT}
    query.text = text[:MAX_TEXT]

    near = _one(params, "near")
    if near:
        try:
            lat_text, lng_text = near.split(",")
            lat, lng = float(lat_text), float(lng_text)
            if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
                raise ValueError
            query.near = (lat, lng)
        except ValueError:
            errors["near"] = _("A position is two numbers, latitude,longitude, such as 40.7128,-74.0060.")

    place = _one(params, "place")
    if place and query.near is None:
        found = places.resolve(place)
        if found is None:
            errors["place"] = _(
                "No meetings are listed in a town called “%(place)s”. Pick a town from the list, or search by text."
            ) % {"place": place[:80]}
        else:
            query.place = found.name
            query.near = (found.latitude, found.longitude)

    radius = _one(params, "radius")
    if radius:
        try:
            query.radius_km = float(radius)
            if not 0.5 <= query.radius_km <= 500:
                raise ValueError
        except ValueError:
            errors["radius"] = _("The distance is a number of kilometres from 0.5 to 500.")

    for value in _get_list(params, "day"):
        if value.isdigit() and 0 <= int(value) <= 6:
            if int(value) not in query.days:
                query.days.append(int(value))
        else:
            errors["day"] = _("A day is a number from 0 (Sunday) to 6 (Saturday).")
    for value in _get_list(params, "time"):
        if value in TIMES_OF_DAY:
            if value not in query.times:
                query.times.append(value)
        else:
            errors["time"] = _("A time of day is one of: %(names)s.") % {"names": ", ".join(TIMES_OF_DAY)}

    now = _one(params, "now").lower()
    if now in {"1", "true", "yes", "on"}:
        query.now = True
    elif now not in {"", "0", "false", "no", "off"}:
        errors["now"] = _("“now” is 1 (in progress or starting soon) or 0.")

    for name, target in (("type", query.include), ("not", query.exclude), ("lang", query.languages)):
        for value in _get_list(params, name):
            code = value if CODE_PATTERN.match(value) else ""
            if not code:
                errors[name] = _("“%(code)s” is not a meeting type code such as O, D or EN.") % {"code": value[:30]}
            elif code not in target:
                target.append(code)
    if set(query.include) & set(query.exclude):
        errors["not"] = _("A type cannot be both required and excluded.")

    modes = {choice.value for choice in Attendance}
    for value in _get_list(params, "mode"):
        if value in modes:
            if value not in query.modes:
                query.modes.append(value)
        else:
            errors["mode"] = _("Attendance is one of: %(names)s.") % {"names": ", ".join(sorted(modes))}

    fellowships = {choice.value for choice in Fellowship}
    for value in _get_list(params, "fellowship"):
        if value.upper() in fellowships:
            if value.upper() not in query.fellowships:
                query.fellowships.append(value.upper())
        else:
            errors["fellowship"] = _("“%(value)s” is not a fellowship this directory knows.") % {"value": value[:30]}

    slugs = _get_list(params, "slug")
    if len(slugs) > 100:
        errors["slug"] = _("Ask for at most 100 meetings by slug at once.")
    query.slugs = slugs[:100]

    tz = _one(params, "tz")
    if tz:
        try:
            query.viewer_tz = schedule.canonical_zone(tz)
        except ValueError:
            errors["tz"] = _("“%(tz)s” is not a time zone name such as Europe/Paris.") % {"tz": tz[:40]}

    page = _one(params, "page")
    if page:
        if page.isdigit() and 1 <= int(page) <= MAX_PAGE:
            query.page = int(page)
        else:
            errors["page"] = _("The page is a number from 1 to %(max)d.") % {"max": MAX_PAGE}

    if errors:
        raise QueryError(errors)
    return query
