"""The importer reports a feed's problems in the language of the person importing it (the terminal's, for the
``stayhere`` command): each problem, the summary with its counts, and why nothing could be imported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.conftest import TEST_DATA

pytestmark = pytest.mark.django_db

SMALL = TEST_DATA / "feeds" / "small-meeting-guide.json"


def _feed(tmp_path: Path, extra: list[dict[str, object]]) -> Path:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(json.loads(SMALL.read_text()) + extra))
    return path


def _run(language: str, *args: str) -> str:
    out = io.StringIO()
    with translation.override(language):
        call_command("import_feed", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


BROKEN = [
    {"name": "Nowhere", "slug": "nowhere", "day": 1, "time": "19:00", "attendance_option": "online"},
    {
        "name": "Odd",
        "slug": "odd",
        "day": 2,
        "time": "19:00",
        "types": ["ZZQ"],
        "conference_url": "https://a.example/j",
    },
]


def test_an_import_in_spanish_reports_each_problem_and_the_summary_in_spanish(tmp_path: Path) -> None:
    said = _run("es", str(_feed(tmp_path, BROKEN)), "--timezone", "UTC", "--dry-run")
    assert (
        "error: nowhere: conference_url: una reunión en línea necesita un conference_url o un conference_phone; "
        "se omite" in said
    )
    assert "aviso: odd: types: códigos desconocidos conservados como tipos propios: ZZQ" in said
    assert "error: broken-day: day: 8 no es un día: usa del 0 (domingo) al 6 (sábado); se omite" in said
    assert "4 reuniones leídas de" in said
    assert (
        "nuevas: 4, actualizadas: 0, sin cambios: 0, quitadas: 0, omitidas: 2, con avisos: 2 (se escribirían)." in said
    )
    assert "skipped" not in said and "warning" not in said


def test_the_same_import_in_english_is_reported_in_english(tmp_path: Path) -> None:
    said = _run("en", str(_feed(tmp_path, BROKEN)), "--timezone", "UTC", "--dry-run")
    assert (
        "error: nowhere: conference_url: an online meeting needs a conference_url or conference_phone; skipped" in said
    )
    assert "warning: odd: types: unknown codes kept as custom types: ZZQ" in said
    assert "4 meetings read from" in said and "2 skipped, 2 with warnings (would be written)." in said


def test_a_feed_with_no_meeting_to_import_is_refused_in_spanish(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("[]")
    with translation.override("es"), pytest.raises(CommandError) as refused:
        call_command("import_feed", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "No se pudo importar ninguna reunión de" in str(refused.value)
    assert "El feed no incluye ninguna reunión." in str(refused.value)


def test_the_sources_command_says_an_empty_list_in_spanish() -> None:
    out = io.StringIO()
    with translation.override("es"):
        call_command("sources", "list", stdout=out)
    assert "Todavía no se mantiene al día ninguna fuente" in out.getvalue()


def test_a_phone_code_for_a_meeting_that_does_not_exist_is_refused_in_spanish() -> None:
    with translation.override("es"), pytest.raises(CommandError) as refused:
        call_command("phone_code", "no-such-meeting", stdout=io.StringIO())
    assert str(refused.value) == (
        "Ninguna reunión tiene el identificador 'no-such-meeting': cópialo de la dirección de la reunión."
    )


def test_adding_a_source_that_is_not_there_is_refused_in_spanish(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with translation.override("es"), pytest.raises(CommandError) as refused:
        call_command("sources", "add", str(missing), "--name", "Distrito 12", stdout=io.StringIO())
    assert str(refused.value) == (
        f"No existe el archivo {missing}: da la ruta de un archivo de feed de este servidor, o una URL http(s)."
    )


def test_a_feed_that_cannot_be_read_is_refused_in_spanish(tmp_path: Path) -> None:
    with translation.override("es"), pytest.raises(CommandError) as refused:
        call_command("import_feed", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert str(refused.value) == f"{tmp_path} es un directorio: da la ruta del propio archivo de feed."


def test_a_download_that_fails_is_said_in_the_language_of_the_one_who_asked_though_it_runs_in_a_thread() -> None:
    with translation.override("es"), pytest.raises(CommandError) as refused:
        call_command("import_feed", "http://127.0.0.1:9/feed.json", stdout=io.StringIO(), stderr=io.StringIO())
    assert "http://127.0.0.1:9/feed.json rechazó la conexión" in str(refused.value)


def test_removals_held_back_are_explained_in_spanish_with_the_plural_for_each_count() -> None:
    from stayhere.directory.feeds.removals import held_back

    with translation.override("es"):
        shrunk = held_back(6, 10, [], limit=20, allow_shrink=False, key="distrito")
        unread = held_back(1, 10, ["#3", "#4"], limit=20, allow_shrink=False, key="distrito")
    assert shrunk.startswith("El feed ya no incluye 6 de las 10 reuniones importadas antes de distrito (60 %;")
    assert unread.startswith("El feed tiene 2 registros que no se pudieron leer (#3, #4), y cualquiera de ellos")
    with translation.override("en"):
        assert held_back(1, 10, ["#3"], limit=20, allow_shrink=False, key="d").startswith(
            "The feed holds a record that could not be read (#3), and it may be the meeting it no longer lists"
        )
