"""BMLT's semantic API, the lists: GetFormats, GetServiceBodies, GetServerInfo, GetFieldKeys, and the
parameter readers every switcher shares.

BMLT writes every value as a string ("1", not 1), and clients compare them as strings: so do we.
Formats are keyed as BMLT keys them (``codes.BMLT_FORMATS``); a format's id is a number derived
from its key, so it is the same on every stayhere server and across releases.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stayhere.directory import freshness
from stayhere.directory.feeds.codes import BMLT_FORMATS, HYBRID, BmltFormat, bmlt_format
from stayhere.directory.models import Meeting, ServiceBody
from stayhere.directory.types import CATALOG, GROUP_ASSERTED, ONLINE_CODE

VERSION = "3.0.0"  # the BMLT root server version whose semantic API this follows
VERSION_INT = "3000000"
MAX_VALUES = 500  # values of one repeated parameter

# The meeting fields GetSearchResults writes, in BMLT's order, with GetFieldKeys' descriptions.
FIELD_KEYS: tuple[tuple[str, Any], ...] = (
    ("id_bigint", gettext_lazy("ID")),
    ("worldid_mixed", gettext_lazy("World ID")),
    ("shared_group_id_bigint", gettext_lazy("Shared group (the stayhere meeting)")),
    ("service_body_bigint", gettext_lazy("Service Body ID")),
    ("weekday_tinyint", gettext_lazy("Weekday (1 = Sunday)")),
    ("venue_type", gettext_lazy("Venue Type")),
    ("start_time", gettext_lazy("Start Time")),
    ("duration_time", gettext_lazy("Duration")),
    ("time_zone", gettext_lazy("Time Zone")),
    ("formats", gettext_lazy("Formats")),
    ("lang_enum", gettext_lazy("Language")),
    ("longitude", gettext_lazy("Longitude")),
    ("latitude", gettext_lazy("Latitude")),
    ("distance_in_km", gettext_lazy("Distance in km (searches near a point)")),
    ("distance_in_miles", gettext_lazy("Distance in miles (searches near a point)")),
    ("email_contact", gettext_lazy("Email Contact")),
    ("meeting_name", gettext_lazy("Meeting Name")),
    ("location_text", gettext_lazy("Location Name")),
    ("location_info", gettext_lazy("Additional Location Information")),
    ("location_street", gettext_lazy("Street Address")),
    ("location_city_subsection", gettext_lazy("Borough")),
    ("location_neighborhood", gettext_lazy("Neighborhood")),
    ("location_municipality", gettext_lazy("Town")),
    ("location_sub_province", gettext_lazy("County")),
    ("location_province", gettext_lazy("State")),
    ("location_postal_code_1", gettext_lazy("Zip Code")),
    ("location_nation", gettext_lazy("Nation")),
    ("comments", gettext_lazy("Comments")),
    ("train_lines", gettext_lazy("Train Lines")),
    ("bus_lines", gettext_lazy("Bus Lines")),
    ("contact_phone_2", gettext_lazy("Contact 2 Phone")),
    ("contact_email_2", gettext_lazy("Contact 2 Email")),
    ("contact_name_2", gettext_lazy("Contact 2 Name")),
    ("contact_phone_1", gettext_lazy("Contact 1 Phone")),
    ("contact_email_1", gettext_lazy("Contact 1 Email")),
    ("contact_name_1", gettext_lazy("Contact 1 Name")),
    ("phone_meeting_number", gettext_lazy("Phone Meeting Dial-in Number")),
    ("virtual_meeting_link", gettext_lazy("Virtual Meeting Link")),
    ("virtual_meeting_additional_info", gettext_lazy("Virtual Meeting Additional Info")),
    ("published", gettext_lazy("Published")),
    ("root_server_uri", gettext_lazy("Root Server URI")),
    ("format_shared_id_list", gettext_lazy("Format IDs")),
)
FIELD_NAMES = tuple(key for key, _description in FIELD_KEYS)

_KINDS: dict[str, str] = {
    ServiceBody.Kind.ZONE: "ZF",
    ServiceBody.Kind.REGION: "RS",
    ServiceBody.Kind.AREA: "AS",
    ServiceBody.Kind.INTERGROUP: "MA",
    ServiceBody.Kind.DISTRICT: "LS",
    ServiceBody.Kind.OTHER: "AS",
}
_NAMES = {ONLINE_CODE: gettext_lazy("Virtual Meeting"), HYBRID: gettext_lazy("Hybrid Meeting")}


class BmltError(ValueError):
    """A bad parameter, in a sentence that says what to send instead."""


@dataclass(frozen=True)
class Site:
    root_server_uri: str  # this server's address, no trailing slash
    meeting_prefix: str  # + a slug: a meeting's page here


# Parameters, as PHP clients write them: "weekdays[]=1&weekdays[]=2", "weekdays=1,2" or "weekdays=1".
def values(params: QueryDict, name: str) -> list[str]:
    found: list[str] = []
    for value in params.getlist(name) + params.getlist(name + "[]"):
        found.extend(part.strip() for part in value.split(",") if part.strip())
    if len(found) > MAX_VALUES:
        raise BmltError(_("%(name)s has more than %(max)d values: ask for fewer.") % {"name": name, "max": MAX_VALUES})
    return found


def flag(params: QueryDict, name: str) -> bool:
    """A switch: present (even empty, as "&get_used_formats") and not 0 or false."""
    if name not in params:
        return False
    return params.get(name, "").strip().lower() not in ("0", "false", "no", "off")


def integers(params: QueryDict, name: str, *, low: int, high: int) -> tuple[set[int], set[int]]:
    """A list of whole numbers, a negative one excluding: (included, excluded)."""
    include: set[int] = set()
    exclude: set[int] = set()
    for value in values(params, name):
        try:
            number = int(value)
        except ValueError:
            raise BmltError(
                _("%(name)s takes whole numbers (negative ones exclude); %(value)r is not one.")
                % {"name": name, "value": value[:40]}
            ) from None
        if not low <= abs(number) <= high:
            raise BmltError(
                _("%(name)s takes numbers from %(low)d to %(high)d (negative ones exclude); %(value)d is not one.")
                % {"name": name, "low": low, "high": high, "value": number}
            )
        (exclude if number < 0 else include).add(abs(number))
    return include, exclude


def language(params: QueryDict) -> str:
    """The language asked for (lang_enum), when this server speaks it; else its own."""
    wanted = params.get("lang_enum", "").strip().lower()[:8]
    spoken = [code.split("-")[0] for code, _name in settings.LANGUAGES]
    if wanted and wanted.split("-")[0] in spoken:
        return wanted.split("-")[0]
    return native_language()


def native_language() -> str:
    return str(settings.LANGUAGE_CODE).split("-")[0]


# Formats.
def format_id(key_string: str) -> int:
    """A format's id: from its key, so stable everywhere (BMLT's are row numbers of its table)."""
    return zlib.crc32(key_string.encode()) % 1_000_000 + 1


_known: tuple[float, int, list[str]] | None = None


def known_codes() -> list[str]:
    """Every code a format is served for: the table's, the catalogue's, and custom codes in use. Cached as the
    finder caches its zones: reading every meeting's types is the cost of a whole-table scan."""
    global _known
    now = time.monotonic()
    if _known is not None and _known[1] == freshness.generation() and now - _known[0] < freshness.MAX_AGE_SECONDS:
        return _known[2]
    codes = _known_codes()
    _known = (now, freshness.generation(), codes)
    return codes


def _known_codes() -> list[str]:
    codes: list[str] = []
    for _world, key, code, _kind in BMLT_FORMATS:
        if key and code not in codes:
            codes.append(code)
    codes += [code for code in CATALOG if code not in codes]
    used: set[str] = set()
    for types in Meeting.objects.values_list("types", flat=True).distinct():
        used.update(types or [])
    codes += sorted(code for code in used if code not in codes and code not in GROUP_ASSERTED)
    return codes


def format_entry(entry: BmltFormat, lang: str, site: Site) -> dict[str, str]:
    with translation.override(lang):
        catalogued = CATALOG.get(entry.code)
        name = str(_NAMES.get(entry.code) or (catalogued.name if catalogued else entry.code))
    return {
        "key_string": entry.key_string,
        "name_string": name,
        "description_string": name,
        "lang": lang,
        "id": str(format_id(entry.key_string)),
        "world_id": entry.world_id,
        "format_type_enum": entry.format_type,
        "root_server_uri": site.root_server_uri,
    }


def formats_of(codes: Iterable[str], lang: str, site: Site) -> list[dict[str, str]]:
    return [format_entry(bmlt_format(code), lang, site) for code in codes]


def codes_by_id() -> dict[int, str]:
    return {format_id(bmlt_format(code).key_string): code for code in known_codes()}


def get_formats(params: QueryDict, site: Site) -> list[dict[str, str]]:
    """GetFormats: every format (show_all is accepted: they are all shown), or those of key_strings."""
    keys = set(values(params, "key_strings"))
    entries = formats_of(known_codes(), language(params), site)
    return [entry for entry in entries if not keys or entry["key_string"] in keys]


# Service bodies.
def service_body_entry(body: ServiceBody) -> dict[str, str]:
    return {
        "id": str(body.pk),
        "parent_id": str(body.parent_id or 0),
        "name": body.name,
        "description": body.location_description,
        "type": _KINDS.get(body.kind, "AS"),
        "url": body.url,
        "helpline": body.phone,
        "world_id": body.world_id,
        "contact_email": body.email,
    }


def descendants(ids: set[int], bodies: list[ServiceBody]) -> set[int]:
    children: dict[int, list[int]] = {}
    for body in bodies:
        if body.parent_id is not None:
            children.setdefault(body.parent_id, []).append(body.pk)
    found, todo = set(ids), list(ids)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def get_service_bodies(params: QueryDict) -> list[dict[str, str]]:
    """GetServiceBodies: all, or those of services (with recursive=1 their children, parents=1 their parents)."""
    bodies = list(ServiceBody.objects.order_by("pk"))
    include, exclude = integers(params, "services", low=1, high=2**62)
    if flag(params, "recursive"):
        include, exclude = descendants(include, bodies), descendants(exclude, bodies)
    if flag(params, "parents") and include:
        parents = {body.pk: body.parent_id for body in bodies}
        for pk in list(include):
            parent = parents.get(pk)
            while parent is not None and parent not in include:
                include.add(parent)
                parent = parents.get(parent)
    return [
        service_body_entry(body) for body in bodies if (not include or body.pk in include) and body.pk not in exclude
    ]


# The server.
def get_server_info(site: Site) -> list[dict[str, Any]]:
    """GetServerInfo: one object in an array, as BMLT answers."""
    langs = sorted({code.split("-")[0] for code, _name in settings.LANGUAGES})
    return [
        {
            "version": VERSION,
            "versionInt": VERSION_INT,
            "langs": ",".join(langs),
            "nativeLang": native_language(),
            "centerLongitude": "0",
            "centerLatitude": "0",
            "centerZoom": "9",
            "defaultDuration": "01:00:00",
            "regionBias": "",
            "charSet": "UTF-8",
            "distanceUnits": "mi",
            "semanticAdmin": "0",
            "emailEnabled": "0",
            "emailIncludesServiceBodies": "0",
            "changesPerMeeting": "0",
            "meeting_states_and_provinces": "",
            "meeting_counties_and_sub_provinces": "",
            "available_keys": ",".join(FIELD_NAMES),
            "google_api_key": "",
            "dbVersion": "",
            "dbPrefix": "",
            "meeting_time_zones_enabled": "1",
            "auto_geocoding_enabled": "0",
            "county_auto_geocoding_enabled": "0",
            "zip_auto_geocoding_enabled": "0",
            "default_closed_status": "1",
            "aggregator_mode_enabled": False,
            "root_server_uri": site.root_server_uri,
        }
    ]


def get_field_keys() -> list[dict[str, str]]:
    return [{"key": key, "description": str(description)} for key, description in FIELD_KEYS]
