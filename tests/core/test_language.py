"""English and Spanish: the language a page is in, the switch that changes it, and the room script's catalog."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from stayhere.directory.models import Attendance
from tests.directory.factories import make_meeting

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', html)
    assert match, "the page names its language"
    return match.group(1)


def test_a_page_asked_for_in_spanish_is_in_spanish_with_html_lang_es(client: Client) -> None:
    make_meeting("Serenity Seekers", slug="serenity-seekers")
    for path in ("/", "/meetings/serenity-seekers", "/verify", "/no-such-page"):
        response = client.get(path, **SPANISH)  # type: ignore[arg-type]
        html = response.content.decode()
        assert html_lang(html) == "es", path
        assert response.headers["Content-Language"] == "es"
        assert "Saltar al contenido principal" in html and "Skip to the main content" not in html, path
    finder = client.get("/", **SPANISH).content.decode()  # type: ignore[arg-type]
    assert "Buscar reuniones" in finder and "Domingo" in finder


def test_a_regional_spanish_gets_spanish_and_any_other_language_gets_english(client: Client) -> None:
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()) == "es"
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()) == "en"
    english = client.get("/").content.decode()
    assert html_lang(english) == "en" and "Find meetings" in english


def test_every_page_offers_the_other_language_by_its_own_name(client: Client) -> None:
    english = client.get("/").content.decode()
    assert re.search(r'<button type="submit" name="language" value="es" lang="es">Español</button>', english)
    assert 'value="en"' not in english
    spanish = client.get("/", **SPANISH).content.decode()  # type: ignore[arg-type]
    assert re.search(r'<button type="submit" name="language" value="en" lang="en">English</button>', spanish)


def test_the_switch_sets_the_language_cookie_and_the_next_page_is_spanish(client: Client) -> None:
    response = client.post("/i18n/language", {"language": "es", "next": "/?q=serenity"})
    assert response.status_code == 302 and response.headers["Location"] == "/?q=serenity"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) >= 300 * 24 * 3600
    # The choice outweighs what the browser says it prefers.
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert html_lang(html) == "es" and "Buscar reuniones" in html
    client.post("/i18n/language", {"language": "en", "next": "/"})
    assert html_lang(client.get("/", **SPANISH).content.decode()) == "en"  # type: ignore[arg-type]


def test_the_switch_goes_back_only_to_a_page_of_this_site(client: Client) -> None:
    response = client.post("/i18n/language", {"language": "es", "next": "https://elsewhere.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_switch_posted_from_another_site_is_refused_and_changes_nothing(client: Client) -> None:
    response = client.post("/i18n/language", {"language": "es", "next": "/"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert "this site's own pages" in response.content.decode()


def test_a_visitor_who_never_switches_gets_no_cookie(client: Client) -> None:
    make_meeting("Serenity Seekers", slug="serenity-seekers")
    for path in ("/", "/meetings/serenity-seekers"):
        assert not client.get(path, **SPANISH).cookies, path  # type: ignore[arg-type]


def test_the_room_page_loads_its_languages_catalog_from_this_site(client: Client) -> None:
    make_meeting("Night Owls", slug="night-owls-room", attendance=Attendance.ONLINE, has_room=True)
    html = client.get("/meetings/night-owls-room/room", **SPANISH).content.decode()  # type: ignore[arg-type]
    assert html_lang(html) == "es"
    scripts = re.findall(r'<script([^>]*)src="([^"]+)"', html)
    assert [src for _, src in scripts] == ["/jsi18n/es.js", "/static/stayhere/room.js"]
    assert "module" not in scripts[0][0], "a classic script, so that it runs before the modules"
    catalog = client.get("/jsi18n/es.js")
    assert catalog.status_code == 200
    assert catalog.headers["Content-Type"].startswith("text/javascript")
    assert "max-age" in catalog.headers["Cache-Control"]
    text = catalog.content.decode()
    assert '"Connecting\\u2026": "Conectando\\u2026"' in text or '"Connecting…": "Conectando…"' in text
    assert "django.gettext" in text
    assert "Hide" not in text, "the admin's strings are not in the room's catalog"
    english = client.get("/jsi18n/en.js").content.decode()
    assert "Conectando" not in english
    compressed = client.get("/jsi18n/es.js", HTTP_ACCEPT_ENCODING="gzip")
    assert compressed.headers["Content-Encoding"] == "gzip" and len(compressed.content) < len(catalog.content) / 2


def test_a_catalog_for_a_language_the_site_does_not_have_is_not_found(client: Client) -> None:
    assert client.get("/jsi18n/fr.js").status_code == 404
    assert client.get("/jsi18n/..%2Fsettings.js").status_code == 404


def test_the_name_advice_answers_in_the_pages_language(client: Client) -> None:
    def advice(name: str, **headers: str) -> dict[str, str]:
        response = client.post("/rooms/name-advice", {"name": name}, content_type="application/json", **headers)  # type: ignore[arg-type]
        return dict(response.json())

    assert advice("Lucía Fernández", **SPANISH)["advice"].startswith("Eso parece un nombre completo.")
    assert advice("Lucía", **SPANISH)["advice"] is None
    assert advice("   ", **SPANISH)["message"] == (
        "Escribe tu nombre de pila o el nombre con el que te guste que te llamen aquí."
    )
    assert advice("Lucía Fernández")["advice"].startswith("That looks like a full name.")
