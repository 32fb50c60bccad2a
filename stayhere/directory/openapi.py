"""The OpenAPI 3.1 description of the JSON API, as a Python dict served at /api/openapi.json.

Kept by hand next to the views it describes, except the search's parameters, which come from the
table ``query.parse_query`` applies; tests validate real answers against its schemas, so the two
cannot drift apart unnoticed.
"""

from __future__ import annotations

import copy
from typing import Any

from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import Attendance
from stayhere.directory.query import MAX_PAGE_SIZE, PAGE_SIZE, PARAMETERS

JSON = "application/json"

Schema = dict[str, Any]


def _nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


def _query(name: str, description: str, schema: Schema, *, repeatable: bool = False) -> Schema:
    # An empty value is the same as leaving the parameter out, as the finder's own form sends its empty fields.
    parameter: Schema = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "allowEmptyValue": True,
    }
    if repeatable:
        parameter["schema"] = {"type": "array", "items": schema}
        parameter["style"] = "form"
        parameter["explode"] = True
    else:
        parameter["schema"] = schema
    return parameter


# The search's parameters, from the table parse_query applies (and the API's page size).
SEARCH_PARAMETERS: list[Schema] = [
    _query(parameter.name, parameter.description, parameter.kind.schema, repeatable=parameter.many)
    for parameter in PARAMETERS
]

PAGE_SIZE_PARAMETER = _query(PAGE_SIZE.name, PAGE_SIZE.description, PAGE_SIZE.kind.schema)

LOCATION: Schema = {
    "type": ["object", "null"],
    "description": "Where an in-person or hybrid meeting is held; null for online and phone meetings.",
    "additionalProperties": False,
    "required": [
        "name",
        "address",
        "city",
        "state",
        "postal_code",
        "country",
        "formatted_address",
        "latitude",
        "longitude",
        "approximate",
    ],
    "properties": {
        "name": {"type": "string"},
        "address": {"type": "string"},
        "city": {"type": "string"},
        "state": {"type": "string"},
        "postal_code": {"type": "string"},
        "country": {"type": "string"},
        "formatted_address": {"type": "string"},
        "latitude": _nullable("number", minimum=-90, maximum=90),
        "longitude": _nullable("number", minimum=-180, maximum=180),
        "approximate": {"type": "boolean", "description": "The address names an area, not a door."},
    },
}

CLOCK = {"pattern": "^[0-2][0-9]:[0-5][0-9]$"}

MEETING: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "slug",
        "name",
        "group",
        "fellowship",
        "days",
        "time",
        "end_time",
        "timezone",
        "attendance",
        "inactive_reason",
        "types",
        "location",
        "regions",
        "conference_url",
        "conference_phone",
        "distance_km",
        "next_start",
        "next_start_viewer",
        "in_progress",
        "url",
    ],
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "group": _nullable("string"),
        "fellowship": {"type": "string", "enum": list(Fellowship.values)},
        "days": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 6},
            "description": "0 = Sunday. Empty: by appointment.",
        },
        "time": {**_nullable("string"), **CLOCK, "description": "Local start time, HH:MM."},
        "end_time": {
            **_nullable("string"),
            **CLOCK,
            "description": "Local end time; earlier than time when it ends after midnight.",
        },
        "timezone": {"type": "string", "description": "IANA time zone of the meeting."},
        "attendance": {"type": "string", "enum": list(Attendance.values)},
        "inactive_reason": {"type": "string"},
        "types": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Type codes, including those the group asserts.",
        },
        "location": {"$ref": "#/components/schemas/Location"},
        "regions": {"type": "array", "items": {"type": "string"}, "description": "Most general first."},
        "conference_url": {"type": "string"},
        "conference_phone": {"type": "string"},
        "distance_km": _nullable("number", minimum=0, description="From `near` or `place`, when given."),
        "next_start": {
            **_nullable("string"),
            "format": "date-time",
            "description": "Next start, with the meeting's offset.",
        },
        "next_start_viewer": {
            **_nullable("string"),
            "format": "date-time",
            "description": "The same instant in the viewer's zone (`tz`), else null.",
        },
        "in_progress": {"type": "boolean"},
        "url": {"type": "string", "format": "uri-reference", "description": "The meeting's page on this site."},
    },
}

MEETINGS_PAGE: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["meetings", "page", "page_size", "has_next", "total", "next"],
    "properties": {
        "meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}},
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        "has_next": {"type": "boolean"},
        "total": {"type": "integer", "minimum": 0},
        "next": {**_nullable("string"), "format": "uri-reference", "description": "The next page, or null."},
    },
}

PLACE: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "latitude", "longitude", "meetings"],
    "properties": {
        "name": {"type": "string", "description": "Town, state, country: what to send back as `place`."},
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
        "meetings": {"type": "integer", "minimum": 0},
    },
}

PLACES: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["places"],
    "properties": {"places": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}}},
}

ERRORS: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "description": "Parameter name to a sentence saying what is wrong and what to send instead.",
            "additionalProperties": {"type": "string"},
            "minProperties": 1,
        }
    },
}

UNAVAILABLE: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


def _json(description: str, schema_name: str) -> Schema:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def document() -> Schema:
    """The whole OpenAPI document (a fresh copy each call, so callers may change theirs)."""
    return copy.deepcopy(_DOCUMENT)


_DOCUMENT: Schema = {
    "openapi": "3.1.0",
    "info": {
        "title": "stayhere directory API",
        "version": "1",
        "description": (
            "Find 12-step meetings. Nothing you send is logged or stored: not your search text, "
            "not your position. Times are wall-clock times in each meeting's own zone."
        ),
    },
    "paths": {
        "/api/meetings": {
            "get": {
                "operationId": "searchMeetings",
                "summary": "Meetings matching the filters: nearest first near a place, else soonest first.",
                "parameters": [*SEARCH_PARAMETERS, PAGE_SIZE_PARAMETER],
                "responses": {
                    "200": _json("A page of meetings.", "MeetingsPage"),
                    "400": _json("A parameter is wrong; nothing was searched.", "Errors"),
                    "503": _json("The directory's database cannot be reached; try again shortly.", "Unavailable"),
                },
            }
        },
        "/api/places": {
            "get": {
                "operationId": "suggestPlaces",
                "summary": "Towns in the directory whose names start with the given letters.",
                "parameters": [
                    _query("q", "The first letters of a town's name.", {"type": "string", "maxLength": 100}),
                ],
                "responses": {
                    "200": _json("Up to ten towns, busiest first.", "Places"),
                    "400": _json("The prefix is too long.", "Errors"),
                    "503": _json("The directory's database cannot be reached; try again shortly.", "Unavailable"),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Meeting": MEETING,
            "Location": LOCATION,
            "MeetingsPage": MEETINGS_PAGE,
            "Place": PLACE,
            "Places": PLACES,
            "Errors": ERRORS,
            "Unavailable": UNAVAILABLE,
        }
    },
}
