"""schemathesis against the OpenAPI document a real server serves: no 5xx, every answer as the schema says.

A real `stayhere serve` (embedded default, demo meetings) answers requests that schemathesis generates from
/api/openapi.json: valid ones, and (its negative mode) ones that break the schema, which must be refused
with a 4xx. Each answer is checked against the document: status, content type, headers and body schema.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    tmp: Path = tmp_path_factory.mktemp("openapi-fuzz")
    data_dir = tmp / "data"
    data_dir.mkdir(mode=0o700)
    setup = [["load_demo", "--meetings", "120", "--seed", "5"]]
    with live_server(data_dir, tmp / "server.log", setup=setup, extra_env={"STAYHERE_JANUS": "0"}) as server:
        yield server


@pytest.fixture(scope="module")
def api_schema(served: LiveServer):
    """The document as the server serves it (schemathesis' lazy pytest loader does not run under pytest 9)."""
    return schemathesis.openapi.from_url(served.url + "/api/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path", ["/api/meetings", "/api/places"])
def test_every_generated_request_gets_no_server_error_and_an_answer_as_the_schema_says(
    api_schema, served: LiveServer, path: str, mode: GenerationMode
):
    @given(case=api_schema[path]["GET"].as_strategy(generation_mode=mode))
    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answers_as_documented(case) -> None:
        # Excluded: that every schema-valid request is answered 2xx (a `place` or `tz` can be well formed and
        # still name no town or zone: the answer is then the documented 400 saying so), and that every
        # schema-violating one is refused (schemathesis sends a JSON null as the text "null", which on the
        # wire is a well-formed type code). What stays: no 5xx; status, content type, headers and body as
        # the document says.
        case.call_and_validate(base_url=served.url, excluded_checks=[positive_data_acceptance, negative_data_rejection])

    answers_as_documented()


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def get_json(server: LiveServer, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_next_starts_are_rfc_3339_date_times_with_seconds(served: LiveServer):
    # Found by the fuzzing above: "2026-11-23T17:30-05:00" (no seconds) is not a date-time as the schema says.
    status, body = get_json(served, "/api/meetings?page_size=20&tz=Europe/Paris")
    assert status == 200
    starts = [m[key] for m in body["meetings"] for key in ("next_start", "next_start_viewer") if m[key] is not None]
    assert starts, "the demo directory has meetings with a next start"
    assert [start for start in starts if not RFC3339.match(start)] == []


def test_an_empty_parameter_is_answered_as_if_it_were_left_out(served: LiveServer, api_schema):
    # Found by the fuzzing above: the server (like the finder's own form) treats `now=` as no `now`; the
    # document now says so with allowEmptyValue on every query parameter.
    parameters = [p["name"] for p in api_schema.raw_schema["paths"]["/api/meetings"]["get"]["parameters"]]
    assert all(p["allowEmptyValue"] for p in api_schema.raw_schema["paths"]["/api/meetings"]["get"]["parameters"])
    empty = "&".join(f"{name}=" for name in parameters)
    assert get_json(served, "/api/meetings?" + empty) == get_json(served, "/api/meetings")  # `next` too
