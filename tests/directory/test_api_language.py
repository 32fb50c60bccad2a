"""The JSON API's and the BMLT API's error sentences answer in the request's language (Accept-Language, as the
pages do): a Spanish request gets Spanish, an English one English, for every kind of mistake."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# (path, the field holding the sentence: a key of "errors", or "" for the BMLT API's one "error")
MISTAKES = [
    ("/api/meetings?near=91,200", "near"),
    ("/api/meetings?day=9", "day"),
    ("/api/meetings?page_size=x", "page_size"),
    ("/api/meetings?tz=Mars/Base", "tz"),
    ("/api/places?q=" + "x" * 101, "q"),
    ("/client_interface/json/", ""),
    ("/client_interface/json/?switcher=Nope", ""),
    ("/client_interface/json/?switcher=GetSearchResults&lat_val=abc&long_val=1", ""),
    ("/client_interface/json/?switcher=GetSearchResults&geo_width=5", ""),
    ("/client_interface/jsonp/?switcher=GetFormats", ""),
    ("/client_interface/csv/?switcher=Nope", ""),
    ("/feeds/meeting-guide.json?days=weekly", ""),
]


def sentence(client: Client, path: str, field: str, language: str) -> str:
    answer = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 400, (path, answer.status_code)
    assert answer["Content-Language"] == language.split("-")[0]
    text = answer.content.decode()
    body = json.loads(text[text.index("(") + 1 : text.rindex(")")] if not text.startswith("{") else text)
    found: str = body["errors"][field] if field else body["error"]
    return found


@pytest.mark.parametrize(("path", "field"), MISTAKES)
def test_an_api_mistake_is_said_in_the_requests_language(client: Client, path: str, field: str) -> None:
    english = sentence(client, path, field, "en-US")
    spanish = sentence(client, path, field, "es-MX")
    assert english and spanish and spanish != english, (english, spanish)


def test_a_spanish_request_reads_natural_spanish_for_a_position_and_a_missing_switcher(client: Client) -> None:
    assert sentence(client, "/api/meetings?near=91,200", "near", "es").startswith("Una posición son dos números")
    assert sentence(client, "/client_interface/json/", "", "es").startswith("Indica con switcher= qué responder")
