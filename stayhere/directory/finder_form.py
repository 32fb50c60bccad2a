"""The finder's search form: what to show in each field, from the raw query string.

Built from the request's parameters rather than from the parsed query, so that a search with
a mistake in it comes back with everything the person chose still chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import Attendance
from stayhere.directory.presenting import DAY_NAMES, FACET_NAMES, time_of_day_choices
from stayhere.directory.types import Facet, codes_in

# Facet groups in the order the form shows them. Languages are "any of" (lang), the rest "all of" (type).
FORM_FACETS = (Facet.ACCESS, Facet.FORMAT, Facet.FEATURE, Facet.COMMUNITY, Facet.LANGUAGE, Facet.GROUP)
RADIUS_CHOICES_KM = (2, 5, 10, 25, 50, 100, 250)
MODE_CHOICES: tuple[tuple[str, Promise], ...] = (
    (Attendance.IN_PERSON.value, _("In person")),
    (Attendance.HYBRID.value, _("Hybrid (in person and online)")),
    (Attendance.ONLINE.value, _("Online")),
    (Attendance.PHONE.value, _("Phone")),
)


@dataclass
class Choice:
    value: str
    label: str
    checked: bool = False


@dataclass
class FacetChoice:
    code: str
    name: str
    included: bool
    excluded: bool


@dataclass
class FacetGroup:
    key: str
    legend: str
    include_name: str  # the parameter that asks for the code
    codes: list[FacetChoice]

    @property
    def chosen(self) -> bool:
        return any(code.included or code.excluded for code in self.codes)


@dataclass
class FinderForm:
    q: str = ""
    place: str = ""
    near: str = ""
    radius: str = ""
    tz: str = ""
    now: bool = False
    days: list[Choice] = field(default_factory=list)
    times: list[Choice] = field(default_factory=list)
    modes: list[Choice] = field(default_factory=list)
    radii: list[Choice] = field(default_factory=list)
    facets: list[FacetGroup] = field(default_factory=list)
    fellowships: list[Choice] = field(default_factory=list)

    @property
    def more_open(self) -> bool:
        """Open the folded part of the form when something in it is chosen."""
        return any(group.chosen for group in self.facets) or any(choice.checked for choice in self.fellowships)


def values(params: QueryDict, name: str) -> list[str]:
    """Every value of a parameter, "a,b" counting as two, as the search reads them."""
    return [part.strip() for raw in params.getlist(name) for part in raw.split(",") if part.strip()]


def _last(params: QueryDict, name: str) -> str:
    found = params.getlist(name)
    return found[-1].strip() if found else ""


def _choices(options: list[tuple[str, str]], chosen: list[str]) -> list[Choice]:
    return [Choice(value, label, value in chosen) for value, label in options]


def _radii(current: str) -> list[Choice]:
    chosen = current or str(settings.FINDER_RADIUS_KM)
    options = [str(km) for km in RADIUS_CHOICES_KM]
    if chosen not in options:
        options.append(chosen)
    return [Choice(km, _("%(km)s km") % {"km": km}, km == chosen) for km in options]


def _facet_groups(params: QueryDict) -> list[FacetGroup]:
    included = set(values(params, "type")) | set(values(params, "lang"))
    excluded = set(values(params, "not"))
    groups = []
    for facet in FORM_FACETS:
        codes = [
            FacetChoice(entry.code, str(entry.name), entry.code in included, entry.code in excluded)
            for entry in codes_in(facet)
        ]
        codes.sort(key=lambda choice: choice.name.casefold())
        include_name = "lang" if facet == Facet.LANGUAGE else "type"
        groups.append(FacetGroup(facet.value, str(FACET_NAMES[facet]), include_name, codes))
    return groups


def finder_form(params: QueryDict) -> FinderForm:
    return FinderForm(
        q=_last(params, "q"),
        place=_last(params, "place"),
        near=_last(params, "near"),
        radius=_last(params, "radius"),
        tz=_last(params, "tz"),
        now=_last(params, "now").lower() in {"1", "true", "yes", "on"},
        days=_choices([(str(day), str(name)) for day, name in enumerate(DAY_NAMES)], values(params, "day")),
        times=_choices(time_of_day_choices(), values(params, "time")),
        modes=_choices([(value, str(label)) for value, label in MODE_CHOICES], values(params, "mode")),
        radii=_radii(_last(params, "radius")),
        facets=_facet_groups(params),
        fellowships=_choices(
            [(value, str(label)) for value, label in Fellowship.choices],
            [code.upper() for code in values(params, "fellowship")],
        ),
    )
