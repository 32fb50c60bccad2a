"""docs/SECURITY.md cannot drift: its subpoena table is the command's output, and every test it cites exists."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.directory.factories import make_meeting

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "SECURITY.md"
BEGIN = "<!-- stayhere disclose --example: begin"
END = "<!-- stayhere disclose --example: end -->"
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def disclose_example() -> str:
    out = StringIO()
    call_command("disclose", example=True, stdout=out)
    return out.getvalue()


def test_the_subpoena_table_is_what_disclose_example_prints() -> None:
    text = DOC.read_text()
    table = text.split(BEGIN, 1)[1].split("\n", 1)[1].split(END, 1)[0]
    assert table == disclose_example(), "regenerate the table in docs/SECURITY.md with: stayhere disclose --example"


def test_disclose_lists_every_column_of_every_table_with_a_reason() -> None:
    from django.apps import apps

    table = disclose_example()
    for model in apps.get_models():
        assert f"`{model._meta.db_table}`" in table
        for field in model._meta.concrete_fields:
            assert f"`{field.column}`" in table
    assert "NOT LISTED" not in table


def test_every_test_the_threat_model_cites_exists() -> None:
    cited = CITED.findall(DOC.read_text())
    assert len(cited) > 20
    missing = [
        f"{path}::{name}"
        for path, name in cited
        if not (REPO / path).is_file() or not re.search(rf"^(async )?def {name}\(", (REPO / path).read_text(), re.M)
    ]
    assert missing == [], "docs/SECURITY.md cites tests that do not exist: " + ", ".join(missing)


@pytest.mark.django_db
def test_disclose_without_example_also_counts_this_servers_rows() -> None:
    make_meeting("Disclosed Listing")
    out = StringIO()
    call_command("disclose", stdout=out)
    assert "| `directory_meeting` | 1 |" in out.getvalue()
    assert "| `django_session` | 0 |" in out.getvalue()
