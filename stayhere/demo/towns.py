"""Where the demo's meetings are: made-up towns in real regions, their venues, and the service bodies above them.

Each town and venue is drawn inside its region and kept only where ``zone_at`` gives the region's
own time zone, so a listing's zone always agrees with its place.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.text import slugify

from stayhere.demo.listing_words import AREA_WORD, DISTRICT_WORD, INTERGROUP_WORD
from stayhere.demo.place_words import LOCATION_NOTES, STREET_KINDS_EN, STREET_WORDS, TOWN_PARTS, VENUES
from stayhere.demo.regions import REGIONS, Region
from stayhere.directory import schedule


@dataclass
class DemoBody:
    slug: str
    name: str
    kind: str
    parent: str | None  # the parent's slug
    url: str = ""
    email: str = ""
    location_description: str = ""


@dataclass
class DemoTown:
    name: str
    region: Region
    latitude: float
    longitude: float
    population: float
    spread: float  # degrees around the centre where its venues lie
    intergroup: str  # slugs
    district: str
    venues: list[DemoVenue] = field(default_factory=list)


@dataclass
class DemoVenue:
    key: int
    name: str
    address: str
    town: DemoTown
    postal_code: str
    latitude: float
    longitude: float
    notes: str = ""


@lru_cache(maxsize=65536)
def _slugify(text: str) -> str:
    return slugify(text)[:80] or "item"


class Slugs:
    """Unique slugs: the second "serenity-seekers" becomes "serenity-seekers-2"."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        base = _slugify(text)
        count = self.seen.get(base, 0) + 1
        self.seen[base] = count
        return base if count == 1 else f"{base}-{count}"


def place_in_zone(
    rng: random.Random, region: Region, centre: tuple[float, float] | None, spread: float
) -> tuple[float, float] | None:
    """A point in the region (or near a centre) whose computed zone is the region's, or None."""
    for _attempt in range(60):
        if centre is None:
            lat = rng.uniform(*region.latitudes)
            lng = rng.uniform(*region.longitudes)
        else:
            lat = centre[0] + rng.uniform(-spread, spread)
            lng = centre[1] + rng.uniform(-spread, spread) / max(0.3, math.cos(math.radians(centre[0])))
        lat, lng = round(lat, 5), round(lng, 5)
        if schedule.zone_at(lat, lng) == region.zone:
            return lat, lng
    return None


def make_towns(rng: random.Random, meetings: int, bodies: list[DemoBody], slugs: Slugs) -> list[DemoTown]:
    """Towns in every region, with Zipf-like populations, and the service bodies that serve them."""
    total_weight = sum(region.weight for region in REGIONS)
    wanted = max(len(REGIONS) * 2, min(6000, meetings // 30))
    towns: list[DemoTown] = []
    for region in REGIONS:
        count = max(2, round(wanted * region.weight / total_weight))
        firsts, endings = TOWN_PARTS[region.style]
        area = DemoBody(
            slugs(f"{region.key} area"),
            f"{region.state} {AREA_WORD[region.style]}",
            "area",
            None,
            location_description=f"{region.state}, {region.country_name}",
        )
        bodies.append(area)
        intergroups: list[DemoBody] = []
        used: set[str] = set()
        districts: dict[str, int] = {}
        for rank in range(1, count + 1):
            name = _town_name(rng, region.style, firsts, endings, used)
            point = place_in_zone(rng, region, None, 0)
            if point is None:
                continue
            population = 1.0 / rank**1.07
            # The biggest towns get an intergroup of their own; the rest join one of those.
            if rank <= max(1, count // 12) or not intergroups:
                domain = slugify(name)
                body = DemoBody(
                    slugs(f"{name} intergroup"),
                    f"{name} {INTERGROUP_WORD[region.style]}",
                    "intergroup",
                    area.slug,
                    url=f"https://{domain}-intergroup.example.org",
                    email=f"info@{domain}-intergroup.example.org",
                    location_description=f"{name}, {region.state}",
                )
                bodies.append(body)
                intergroups.append(body)
            intergroup = intergroups[(rank - 1) % len(intergroups)]
            district_number = districts[intergroup.slug] = districts.get(intergroup.slug, 0) + 1
            district = DemoBody(
                slugs(f"{intergroup.slug} district {district_number}"),
                f"{DISTRICT_WORD[region.style]} {district_number} ({intergroup.name})",
                "district",
                intergroup.slug,
            )
            bodies.append(district)
            spread = 0.02 + 0.12 * math.sqrt(population)
            towns.append(DemoTown(name, region, point[0], point[1], population, spread, intergroup.slug, district.slug))
    return towns


_QUARTERS = {
    "en": ("North", "South", "East", "West"),
    "de": ("Nord", "Süd", "Ost", "West"),
    "fr": ("Nord", "Sud", "Est", "Ouest"),
    "es": ("Norte", "Sur", "Oriente", "Poniente"),
    "pt": ("Norte", "Sul", "Leste", "Oeste"),
}


def _town_name(
    rng: random.Random, style: str, firsts: tuple[str, ...], endings: tuple[str, ...], used: set[str]
) -> str:
    """A name not yet used in the region; when the word lists run dry, a quarter or a number tells them apart."""
    name = f"{rng.choice(firsts)}{rng.choice(endings)}"
    tries = 0
    while name in used:
        tries += 1
        base = f"{rng.choice(firsts)}{rng.choice(endings)}"
        if tries < 10:
            name = base
        elif tries < 30:
            name = f"{base} {rng.choice(_QUARTERS[style])}"
        else:
            name = f"{base} {tries}"
    used.add(name)
    return name


def _address(rng: random.Random, style: str) -> str:
    number = rng.randint(1, 2400 if style == "en" else 120)
    word = rng.choice(STREET_WORDS[style])
    if style == "en":
        return f"{number} {word} {rng.choice(STREET_KINDS_EN)}"
    if style == "de":
        return f"{word}{rng.choice(('straße', 'weg', 'platz'))} {number}"
    if style == "fr":
        return f"{number} {rng.choice(('rue', 'avenue', 'place'))} {word}"
    if style == "es":
        return f"Calle {word} {number}"
    return f"Rua {word}, {number}"


def make_venue(rng: random.Random, town: DemoTown, key: int) -> DemoVenue | None:
    point = place_in_zone(rng, town.region, (town.latitude, town.longitude), town.spread)
    if point is None:
        return None
    style = town.region.style
    kind = rng.choice(VENUES[style])
    name = f"{town.name} {kind}" if rng.random() < 0.5 else kind
    postal = f"{rng.randint(10000, 99999)}" if town.region.country != "GB" else f"AB{rng.randint(1, 99)} 1ZZ"
    notes = rng.choice(LOCATION_NOTES) if rng.random() < 0.2 else ""
    return DemoVenue(key, name, _address(rng, style), town, postal, point[0], point[1], notes)
