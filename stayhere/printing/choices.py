"""What a printed schedule is asked for: the query string read into choices, each bad value a sentence.

``read(params)`` checks the form of every value and needs no database; ``select(choices)`` finds the
service body or region they name, and refuses one that does not exist.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from stayhere.directory import freshness
from stayhere.directory.models import Attendance, Meeting, ServiceBody

GROUPINGS = ("day", "town")
PAPERS = ("a4", "letter")
LAYOUTS = ("pages", "booklet", "folded")  # full pages; half-size pages in reading order; those imposed for folding
MAX_REGION_LENGTH = 120
MAX_BODY_DEPTH = 8  # service bodies nest zone > region > area > district: eight levels is more than any has


class ChoiceError(ValueError):
    """One or more choices are wrong; ``sentences`` say which and what to choose instead."""

    def __init__(self, sentences: list[str]) -> None:
        super().__init__(" ".join(sentences))
        self.sentences = sentences


@dataclass(frozen=True)
class Choices:
    body: str = ""  # a service body's slug, or ""
    region: str = ""  # a region as meetings list it ("Chicago"), or ""
    grouping: str = "day"
    paper: str = "a4"
    layout: str = "pages"

    def key(self) -> str:
        """The choices as one line, for the cache."""
        return "|".join((self.body, self.region, self.grouping, self.paper, self.layout))

    def params(self) -> dict[str, str]:
        """The query string that asks for these choices (defaults left out)."""
        given = {"body": self.body, "region": self.region}
        if self.grouping != "day":
            given["group"] = self.grouping
        if self.paper != "a4":
            given["paper"] = self.paper
        if self.layout != "pages":
            given["layout"] = self.layout
        return {name: value for name, value in given.items() if value}


@dataclass(frozen=True)
class Selection:
    """The meetings a schedule lists and what its cover calls them."""

    title: str  # the service body's name, the region, or the site's name
    body: ServiceBody | None
    meetings: list[int]  # primary keys; temporarily inactive meetings left out


def read(params: Mapping[str, str]) -> Choices:
    """The choices of a query string; ChoiceError with every mistake at once."""
    mistakes: list[str] = []
    body = params.get("body", "").strip()
    region = " ".join(params.get("region", "").split())
    grouping = params.get("group", "day").strip().lower() or "day"
    paper = params.get("paper", "a4").strip().lower() or "a4"
    layout = params.get("layout", "pages").strip().lower() or "pages"
    if body and region:
        mistakes.append(_("Choose a service body or a region, not both."))
    if len(region) > MAX_REGION_LENGTH:
        mistakes.append(_("That region name is too long: choose a region from the list."))
    if grouping not in GROUPINGS:
        mistakes.append(_("Group the meetings by “day” or by “town”."))
    if paper not in PAPERS:
        mistakes.append(_("The paper size must be “a4” or “letter”."))
    if layout not in LAYOUTS:
        mistakes.append(_("The layout must be “pages”, “booklet” or “folded”."))
    if mistakes:
        raise ChoiceError(mistakes)
    return Choices(body=body, region=region, grouping=grouping, paper=paper, layout=layout)


def valid_part(params: Mapping[str, str]) -> Choices:
    """The choices of a query string with each wrong value left at its default: the form shown again keeps
    what was right."""
    defaults = Choices()
    grouping = params.get("group", "").strip().lower()
    paper = params.get("paper", "").strip().lower()
    layout = params.get("layout", "").strip().lower()
    return Choices(
        body=params.get("body", "").strip(),
        region=" ".join(params.get("region", "").split())[:MAX_REGION_LENGTH],
        grouping=grouping if grouping in GROUPINGS else defaults.grouping,
        paper=paper if paper in PAPERS else defaults.paper,
        layout=layout if layout in LAYOUTS else defaults.layout,
    )


def select(choices: Choices, site_name: str) -> Selection:
    """The meetings the choices name; ChoiceError for a service body or region nobody lists."""
    listed = Meeting.objects.exclude(attendance=Attendance.INACTIVE)
    if choices.body:
        body = ServiceBody.objects.filter(slug=choices.body).first()
        if body is None:
            raise ChoiceError(
                [_("No service body here is called “%(body)s”: choose one from the list.") % {"body": choices.body}]
            )
        ids = _with_descendants(body)
        pks = list(listed.filter(service_body_id__in=ids).values_list("pk", flat=True))
        return Selection(title=body.name, body=body, meetings=pks)
    if choices.region:
        pks = [pk for pk, regions in listed.values_list("pk", "regions") if choices.region in (regions or [])]
        if not pks and not _region_known(choices.region):
            raise ChoiceError(
                [_("No meeting lists the region “%(region)s”: choose one from the list.") % {"region": choices.region}]
            )
        return Selection(title=choices.region, body=None, meetings=pks)
    return Selection(title=site_name, body=None, meetings=list(listed.values_list("pk", flat=True)))


def _with_descendants(body: ServiceBody) -> set[int]:
    """The body and every body under it (an area's schedule holds its districts' meetings)."""
    found = {body.pk}
    frontier = {body.pk}
    for _level in range(MAX_BODY_DEPTH):
        frontier = set(ServiceBody.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        if not frontier:
            break
        found |= frontier
    return found


def _region_known(region: str) -> bool:
    """Whether any meeting (an inactive one included) lists the region."""
    return any(region in (regions or []) for regions in Meeting.objects.values_list("regions", flat=True))


_regions_kept: tuple[int, float, list[str]] | None = None


def region_names(limit: int = 500) -> list[str]:
    """The regions meetings list, for the form's suggestions: the ``limit`` most used, by name. Kept for a minute
    (``freshness.MAX_AGE_SECONDS``) or until a listing changes here: reading every meeting's regions costs a
    second at 200,000 meetings."""
    global _regions_kept
    now = time.monotonic()
    if _regions_kept is not None:
        generation, at, names = _regions_kept
        if generation == freshness.generation() and now - at < freshness.MAX_AGE_SECONDS:
            return names
    names = _region_names(limit)
    _regions_kept = (freshness.generation(), now, names)
    return names


def _region_names(limit: int) -> list[str]:
    counts: dict[str, int] = {}
    for regions in Meeting.objects.exclude(attendance=Attendance.INACTIVE).values_list("regions", flat=True):
        for region in regions or []:
            counts[region] = counts.get(region, 0) + 1
    ranked = sorted(counts, key=lambda name: (-counts[name], name.casefold()))[:limit]
    return sorted(ranked, key=str.casefold)
