"""The importer's row writer (stayhere.directory.bulkrows): its updates change exactly the rows and fields named,
on either database, and on SQLite in a statement a batch rather than a statement a row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stayhere.directory import bulkrows
from stayhere.directory.models import Location

pytestmark = pytest.mark.django_db


def _places(count: int) -> list[Location]:
    made = [
        Location(name=f"Hall {n}", city="Springfield", notes=f"old {n}", latitude=39.8, longitude=-89.6)
        for n in range(count)
    ]
    Location.objects.bulk_create(made)
    return list(Location.objects.order_by("id"))


def test_update_changes_the_named_fields_of_every_object_and_nothing_else() -> None:
    places = _places(2_345)  # more than one batch of any size the writer picks
    changed = places[::2]
    for number, place in enumerate(changed):
        place.notes = f"new {number}" if number % 3 else ""
        place.approximate = number % 5 == 0
        place.name = "not named, so not written"
    bulkrows.update(Location, changed, ["approximate", "notes"])
    stored = {place.pk: place for place in Location.objects.all()}
    for place in changed:
        row = stored[place.pk]
        assert (row.notes, row.approximate) == (place.notes, place.approximate)
        assert row.name.startswith("Hall ") and row.latitude == 39.8
    for place in places[1::2]:
        assert stored[place.pk].notes.startswith("old ") and stored[place.pk].approximate is False


def test_an_object_given_twice_is_left_as_the_last_one_says() -> None:
    first, second = _places(2)
    again = Location.objects.get(pk=first.pk)
    first.notes, again.notes = "earlier", "later"
    bulkrows.update(Location, [first, second, again], ["notes"])
    assert Location.objects.get(pk=first.pk).notes == "later"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's path (PostgreSQL copies into a staging table)")
def test_on_sqlite_an_update_is_a_statement_a_batch_not_a_statement_a_row() -> None:
    places = _places(2_500)
    for place in places:
        place.notes = "changed"
    size = bulkrows._batch_size(3)  # the key and the two fields
    with CaptureQueriesContext(connection) as queries:
        bulkrows.update(Location, places, ["approximate", "notes"])
    updates = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == -(-len(places) // size)
    assert Location.objects.filter(notes="changed").count() == len(places)
