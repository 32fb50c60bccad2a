"""The JSON API and its OpenAPI document: real answers checked against the documented shapes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from stayhere.directory import openapi
from stayhere.directory.fellowships import Fellowship
from stayhere.directory.models import Attendance
from stayhere.directory.search import TIMES_OF_DAY, QueryError, SearchQuery, parse_query
from tests.directory import finder_data
from tests.directory.finder_data import Directory

pytestmark = pytest.mark.django_db

DOCUMENT_URI = "urn:stayhere:openapi"


@pytest.fixture
def directory() -> Directory:
    return finder_data.build()


def validator(schema_name: str) -> Draft202012Validator:
    document = openapi.document()
    registry: Registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(document))
    return Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def answer(client: Client, url: str, status: int, schema_name: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.content[:1000]
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = json.loads(response.content)
    validator(schema_name).validate(body)
    return body


def slugs(body: dict[str, Any]) -> list[str]:
    return [meeting["slug"] for meeting in body["meetings"]]


# Searching ---------------------------------------------------------------------------------


def test_it_answers_a_search_in_the_documented_shape(client: Client, directory: Directory) -> None:
    body = answer(client, "/api/meetings?place=Springfield&tz=Europe/Paris", 200, "MeetingsPage")
    assert slugs(body) == ["serenity-seekers"]
    meeting = body["meetings"][0]
    assert meeting["days"] == [1, 3]
    assert meeting["time"] == "19:00" and meeting["end_time"] == "20:00"
    assert meeting["timezone"] == "America/Chicago"
    assert meeting["types"] == ["O", "D", "EN", "MOUD"]
    assert meeting["location"]["city"] == "Springfield"
    assert meeting["distance_km"] == 0.0
    assert meeting["url"] == "/meetings/serenity-seekers"
    own = dt.datetime.fromisoformat(meeting["next_start"])
    viewer = dt.datetime.fromisoformat(meeting["next_start_viewer"])
    assert own == viewer and own.utcoffset() != viewer.utcoffset()
    assert (own.hour, own.minute) == (19, 0)


def test_every_meeting_in_the_directory_fits_the_documented_shape(client: Client, directory: Directory) -> None:
    body = answer(client, "/api/meetings?page_size=100", 200, "MeetingsPage")
    assert set(slugs(body)) >= {"serenity-seekers", "night-owls", "online-sunrise", "phone-friends"}
    online = next(m for m in body["meetings"] if m["slug"] == "online-sunrise")
    assert online["location"] is None and online["conference_url"].startswith("https://")
    assert online["next_start_viewer"] is None


def test_it_filters_like_the_finder_page(client: Client, directory: Directory) -> None:
    assert slugs(answer(client, "/api/meetings?type=SP", 200, "MeetingsPage")) == ["night-owls"]
    assert slugs(answer(client, "/api/meetings?mode=phone", 200, "MeetingsPage")) == ["phone-friends"]
    assert slugs(answer(client, "/api/meetings?fellowship=NA", 200, "MeetingsPage")) == ["phone-friends"]


def test_it_returns_the_meetings_asked_for_by_slug(client: Client, directory: Directory) -> None:
    body = answer(client, "/api/meetings?slug=night-owls&slug=phone-friends&slug=gone", 200, "MeetingsPage")
    assert sorted(slugs(body)) == ["night-owls", "phone-friends"]


def test_it_pages_and_the_next_link_leads_to_the_next_page(client: Client, directory: Directory) -> None:
    first = answer(client, "/api/meetings?page_size=2", 200, "MeetingsPage")
    assert first["page"] == 1 and first["page_size"] == 2 and first["has_next"] is True
    assert first["total"] == 5  # the inactive meeting is listed too, with its reason
    second = answer(client, first["next"], 200, "MeetingsPage")
    assert second["page"] == 2
    assert set(slugs(first)).isdisjoint(slugs(second))
    third = answer(client, second["next"], 200, "MeetingsPage")
    assert third["has_next"] is False and third["next"] is None


def test_no_match_is_an_empty_list_with_status_200(client: Client, directory: Directory) -> None:
    body = answer(client, "/api/meetings?q=nothing-like-this", 200, "MeetingsPage")
    assert body["meetings"] == [] and body["total"] == 0


# Mistakes and failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("day=8", "day"),
        ("time=teatime", "time"),
        ("mode=telepathy", "mode"),
        ("near=1,2,3", "near"),
        ("radius=9000&near=1,2", "radius"),
        ("fellowship=XYZ", "fellowship"),
        ("tz=Mars/Olympus", "tz"),
        ("page=0", "page"),
        ("page_size=101", "page_size"),
        ("page_size=many", "page_size"),
        ("type=%3Cscript%3E", "type"),
        ("place=Atlantis", "place"),
        ("now=maybe", "now"),
        ("day=%C2%B2", "day"),  # "²" is a digit to str.isdigit, not to int()
        ("page=%C2%B2", "page"),
        ("page_size=%C2%B2", "page_size"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client: Client, directory: Directory, query: str, field: str) -> None:
    body = answer(client, f"/api/meetings?{query}", 400, "Errors")
    assert field in body["errors"]
    assert body["errors"][field].endswith(".")


def test_every_mistake_is_reported_at_once(client: Client, directory: Directory) -> None:
    body = answer(client, "/api/meetings?day=9&page_size=0&mode=x", 400, "Errors")
    assert set(body["errors"]) == {"day", "page_size", "mode"}


def test_a_database_failure_is_a_503_not_an_empty_list(client: Client, directory: Directory) -> None:
    finder_data.break_the_database()
    response = client.get("/api/meetings?q=serenity")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = json.loads(response.content)
    validator("Unavailable").validate(body)
    assert "meetings" not in body


def test_places_fail_with_a_503_when_the_database_does(client: Client, directory: Directory) -> None:
    finder_data.break_the_database()
    validator("Unavailable").validate(json.loads(client.get("/api/places?q=Spr").content))


# Places ------------------------------------------------------------------------------------


def test_it_suggests_towns_of_the_directory_by_their_first_letters(client: Client, directory: Directory) -> None:
    body = answer(client, "/api/places?q=spr", 200, "Places")
    assert [place["name"] for place in body["places"]] == ["Springfield, IL, US"]
    assert body["places"][0]["meetings"] == 1  # the inactive meeting there does not count


def test_an_empty_prefix_suggests_nothing(client: Client, directory: Directory) -> None:
    assert answer(client, "/api/places?q=", 200, "Places") == {"places": []}


def test_a_very_long_prefix_is_refused(client: Client, directory: Directory) -> None:
    body = answer(client, "/api/places?q=" + "a" * 101, 400, "Errors")
    assert "q" in body["errors"]


def test_the_api_refuses_to_change_anything(client: Client, directory: Directory) -> None:
    assert client.post("/api/meetings").status_code == 405
    assert client.post("/api/places").status_code == 405


# The OpenAPI document ----------------------------------------------------------------------


def served_document(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = json.loads(response.content)
    return document


def parameters(document: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {parameter["name"]: parameter for parameter in document["paths"][path]["get"]["parameters"]}


def test_the_document_is_openapi_3_1_json_with_valid_schemas(client: Client) -> None:
    document = served_document(client)
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/api/meetings", "/api/places"}
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for path in document["paths"].values():
        for parameter in path["get"]["parameters"]:
            Draft202012Validator.check_schema(parameter["schema"])
            assert parameter["in"] == "query" and parameter["description"]


def full_query(**changes: Any) -> SearchQuery:
    values: dict[str, Any] = {
        "text": "x",
        "near": None,
        "place": "Springfield, IL, US",
        "radius_km": 10.0,
        "days": [1],
        "times": ["evening"],
        "now": True,
        "include": ["O"],
        "exclude": ["C"],
        "modes": ["online"],
        "languages": ["EN"],
        "fellowships": ["AA"],
        "slugs": ["a"],
        "viewer_tz": "Europe/Paris",
        "page": 2,
    }
    values.update(changes)
    return SearchQuery(**values)


def test_the_documented_parameters_are_exactly_those_the_search_reads(client: Client) -> None:
    declared = set(parameters(served_document(client), "/api/meetings"))
    read = {name for name, _value in full_query().to_params()}
    read |= {name for name, _value in full_query(place="", near=(1.0, 2.0)).to_params()}
    assert declared == read | {"page_size"}


def test_each_documented_parameter_is_understood_by_the_search(client: Client, directory: Directory) -> None:
    """A good value for every declared parameter parses; a bad one is blamed on that parameter."""
    good = {
        "q": "x",
        "near": "1,2",
        "radius": "5",
        "day": "1",
        "time": "evening",
        "now": "1",
        "type": "O",
        "not": "C",
        "mode": "online",
        "lang": "EN",
        "fellowship": "AA",
        "slug": "a",
        "tz": "Europe/Paris",
        "page": "2",
        "place": "Springfield",
    }
    bad = {
        "q": "x" * 201,
        "near": "a",
        "radius": "0",
        "day": "7",
        "time": "x",
        "now": "2",
        "type": "!",
        "not": "!",
        "mode": "x",
        "lang": "!",
        "fellowship": "x",
        "slug": ",".join(["s"] * 101),
        "tz": "x",
        "page": "0",
        "place": "Atlantis",
    }
    declared = set(parameters(served_document(client), "/api/meetings")) - {"page_size"}
    assert declared == set(good) == set(bad)
    parse_query({name: [value] for name, value in good.items() if name != "place"})
    parse_query({"place": ["Springfield"]})
    for name, value in bad.items():
        with pytest.raises(QueryError) as raised:
            parse_query({name: [value]})
        assert name in raised.value.errors, name


def test_the_documented_choices_match_the_search(client: Client) -> None:
    declared = parameters(served_document(client), "/api/meetings")
    assert declared["time"]["schema"]["items"]["enum"] == list(TIMES_OF_DAY)
    assert set(declared["mode"]["schema"]["items"]["enum"]) == set(Attendance.values)
    assert set(declared["fellowship"]["schema"]["items"]["enum"]) == set(Fellowship.values)
    assert declared["page_size"]["schema"]["maximum"] == 100


def test_the_document_describes_every_answer_the_api_gives(client: Client) -> None:
    responses = served_document(client)["paths"]["/api/meetings"]["get"]["responses"]
    assert set(responses) == {"200", "400", "503"}
