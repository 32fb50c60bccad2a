"""The README's table of the `stayhere` command names every command `stayhere --help` lists, and every
management command stayhere ships (operators read the README, not the source)."""

from __future__ import annotations

from pathlib import Path

from stayhere.cli import SUBCOMMAND_ALIASES, USAGE

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
TABLE = README.split("## The `stayhere` command", 1)[1].split("\n## ", 1)[0]
DJANGO_S_OWN = {"check"}  # the last row: "any Django management command"
# Each `stayhere WORD ...` the table names: the command's word.
NAMED = {chunk.split()[0].split("`")[0].rstrip(",") for chunk in TABLE.split("`stayhere ")[1:]}


def test_every_command_the_help_lists_has_a_row_in_the_readme() -> None:
    commands = {usage.split()[0].rstrip(",") for usage, _what in USAGE} - DJANGO_S_OWN
    assert commands - NAMED == set()


def test_every_management_command_stayhere_ships_is_in_the_readme() -> None:
    spelled = {name: alias for alias, name in SUBCOMMAND_ALIASES.items()}  # either spelling runs it
    shipped = {path.stem for path in (REPO / "stayhere").glob("**/management/commands/*.py") if path.stem != "__init__"}
    assert {name for name in shipped if not {name, spelled.get(name, name)} & NAMED} == set()
