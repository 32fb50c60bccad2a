"""The `stayhere` command speaks to the person at the terminal in their language, as gettext would choose it
(LC_ALL, else LC_MESSAGES, else LANG; GNU's LANGUAGE list first), in English when none of ours is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from stayhere.cli import terminal_language
from tests.core.test_database_commands import environment, stayhere


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({"LANG": "es_MX.UTF-8"}, "es"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "es_ES.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "es_AR.UTF-8"}, "es"),
        ({"LANG": "es_ES.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "fr:es"}, "es"),
        ({"LANG": "C", "LANGUAGE": "es"}, "en"),
        ({"LANG": "es@valencia"}, "es"),
        ({}, "en"),
    ],
)
def test_the_terminals_language_is_chosen_as_gettext_chooses_it(env: dict[str, str], language: str) -> None:
    assert terminal_language(env) == language


def speaking(home: Path, data: Path | None, locale: str) -> dict[str, str]:
    env = environment(home, data, LANG=locale)
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        env.pop(name, None)
    return env


def test_the_commands_help_and_a_bad_flag_are_said_in_spanish_to_a_spanish_terminal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    spanish = stayhere(speaking(home, tmp_path / "data", "es_ES.UTF-8"), "--help")
    assert spanish.stdout.startswith("uso: stayhere COMANDO [opciones]")
    assert "comprueba una constancia de asistencia" in spanish.stdout
    english = stayhere(speaking(home, tmp_path / "data", "C.UTF-8"), "--help")
    assert english.stdout.startswith("usage: stayhere COMMAND [options]")
    refused = stayhere(speaking(home, tmp_path / "data", "es_MX.UTF-8"), "serve", "--port", "70000")
    assert refused.returncode == 2
    assert "--port 70000 no es un puerto TCP: usa un número del 1 al 65535." in refused.stderr


def test_a_management_commands_sentences_are_in_spanish_to_a_spanish_terminal(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = speaking(home, data, "es_ES.UTF-8")
    assert stayhere(env, "migrate", "-v0").returncode == 0
    missing = stayhere(env, "room-links", "no-such-group")
    assert missing.returncode == 1
    assert "No hay ningún grupo con el identificador 'no-such-group'." in missing.stderr
    english = stayhere(speaking(home, data, "en_US.UTF-8"), "room-links", "no-such-group")
    assert "There is no group with the slug 'no-such-group'." in english.stderr


@pytest.mark.parametrize(("value", "sentence"), [("abc", "is not a whole number"), ("70000", "is too large")])
def test_a_bad_stayhere_port_stops_serve_with_a_sentence_naming_it_not_a_traceback(
    tmp_path: Path, value: str, sentence: str
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    refused = stayhere(environment(home, tmp_path / "data", STAYHERE_PORT=value), "serve", "--no-migrate")
    assert refused.returncode == 2
    assert "stayhere: STAYHERE_PORT=" in refused.stderr and sentence in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_management_commands_help_is_in_spanish_to_a_spanish_terminal(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    spanish = stayhere(speaking(home, data, "es_ES.UTF-8"), "import-feed", "--help")
    assert spanish.returncode == 0
    assert spanish.stdout.startswith("uso: stayhere import_feed")
    assert "Importa reuniones de un archivo de feed o de una URL http(s)." in spanish.stdout
    assert "La ruta de un archivo o una URL http(s)." in spanish.stdout  # an argument's help
    assert "muestra esta ayuda y termina" in spanish.stdout  # argparse's own option
    assert "Omite las comprobaciones del sistema." in spanish.stdout  # one Django gives every command
    assert "Import meetings" not in spanish.stdout
    subcommand = stayhere(speaking(home, data, "es_MX.UTF-8"), "sources", "add", "--help")
    assert "Cada cuánto se lee: 'every 6 hours'" in subcommand.stdout
    english = stayhere(speaking(home, data, "C.UTF-8"), "import-feed", "--help")
    assert english.stdout.startswith("usage: stayhere import_feed")
    assert "Import meetings from a feed file or http(s) URL." in english.stdout


def test_a_reading_command_without_a_database_says_so_in_spanish_to_a_spanish_terminal(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    done = stayhere(speaking(home, data, "es_ES.UTF-8"), "export-feed")
    assert done.returncode == 1
    assert f"El directorio de datos {data} no tiene ninguna base de datos de stayhere" in done.stderr
    assert "`stayhere demo`." in done.stderr and "holds no" not in done.stderr
    assert not data.exists()  # said in Spanish, and still nothing made


def test_serve_refuses_an_unreachable_redis_in_spanish_to_a_spanish_terminal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = speaking(home, tmp_path / "data", "es_ES.UTF-8") | {"STAYHERE_REDIS_URL": "redis://127.0.0.1:1/0"}
    refused = stayhere(env, "serve", "--port", "18765")
    assert refused.returncode == 2
    assert "stayhere no pudo conectar con Redis en STAYHERE_REDIS_URL (ConnectionError)" in refused.stderr
    assert "Traceback" not in refused.stderr
