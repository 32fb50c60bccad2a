"""The Meeting Guide feed's kept pieces (feeds/pieces.py): a block of meeting ids is rendered again only when a row
the feed reads for one of its meetings changed, whoever wrote it, and the feed is the same as one rendered whole.

SQLite only: PostgreSQL renders the feed whole (the module says why), which test_meeting_guide_sql pins.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stayhere.directory.feeds import cache, exporter, meeting_guide_sql, pieces
from stayhere.directory.feeds.importer import import_text
from stayhere.directory.models import FeedBlock, Group, Location, Meeting
from stayhere.phone.codes import code_for, rotate
from tests.directory.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

PREFIX = "http://stayhere.example/meetings/"


@pytest.fixture(autouse=True)
def _sqlite(settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("pieces are kept on SQLite only (test_meeting_guide_sql covers PostgreSQL's whole feed)")
    settings.DATA_DIR = tmp_path


def _stamps() -> dict[int, int]:
    return dict(FeedBlock.objects.values_list("block", "stamp"))


def _feed(per_day: bool = True) -> bytes:
    return b"".join(meeting_guide_sql.meeting_guide_bytes(PREFIX, per_day=per_day))


def _whole(per_day: bool = True) -> bytes:
    """The same feed from the one query over every meeting, nothing kept or used."""
    rooms = meeting_guide_sql.room_links.addresses(PREFIX)
    return b"".join(meeting_guide_sql._whole(connection, PREFIX, per_day, rooms))


def _block_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "AS part FROM directory_location" in q["sql"]]


def _kept() -> list[Path]:
    return sorted(p for p in cache.directory().glob("pieces-*/*") if not p.name.startswith("."))


def _five_blocks() -> list[Meeting]:
    """A meeting in each of five blocks of ids, each at its own place, four in one group."""
    group = Group.objects.create(name="Friday Group")
    return [
        make_meeting(f"Meeting {n}", location=make_location(f"Town {n}"), group=group if n else None,
                     slug=f"m-{n}", pk=n * pieces.BLOCK + 7)
        for n in range(5)
    ]  # fmt: skip


def test_every_write_to_a_row_the_feed_reads_moves_the_stamp_of_its_meetings_block_only():
    first, second, third, *_others = _five_blocks()
    before = _stamps()
    assert set(before) == {0, 1, 2, 3, 4}

    def moved() -> set[int]:
        nonlocal before
        now = _stamps()
        changed = {block for block in now if now[block] != before.get(block)}
        before = now
        return changed

    Meeting.objects.filter(pk=second.pk).update(notes="Bring a friend")  # a bulk update: no signal, a trigger
    assert moved() == {1}
    assert third.location is not None
    Location.objects.filter(pk=third.location.pk).update(notes="Side door")
    assert moved() == {2}
    assert second.group is not None
    Group.objects.filter(pk=second.group.pk).update(email="friday@example.org")  # meetings 1 to 4
    assert moved() == {1, 2, 3, 4}
    code_for(first)  # the phone code of its room is in the feed
    assert moved() == {0}
    rotate(first)
    assert moved() == {0}
    with connection.cursor() as cursor:  # a shell or another program, straight to the database
        cursor.execute("UPDATE directory_meeting SET name = 'Renamed' WHERE id = %s", [first.pk])
    assert moved() == {0}
    make_meeting("New", slug="new", pk=5 * pieces.BLOCK)
    assert moved() == {5}
    third.delete()
    assert moved() == {2}
    Location.objects.create(name="Nobody meets here yet")
    assert moved() == set()


def test_after_one_meeting_changes_only_its_block_is_rendered_again_and_the_feed_is_as_if_rendered_whole():
    _five_blocks()
    for per_day in (True, False):  # every block to write: one query over all meetings, cut into blocks
        assert _feed(per_day) == _whole(per_day)
    assert len(_kept()) == 10  # five blocks, in both forms
    with CaptureQueriesContext(connection) as captured:
        again = _feed()
    assert _block_queries(captured) == [] and again == _whole()  # every block from its kept piece

    Location.objects.filter(city="Town 1").update(name="The Old Firehouse")
    with CaptureQueriesContext(connection) as captured:
        changed = _feed()
    rendered = _block_queries(captured)
    assert len(rendered) == 1  # a fifth of the blocks to write: a query for that block alone
    assert [item.get("location") for item in json.loads(changed)][1] == "The Old Firehouse"
    assert changed == _whole()
    assert len(_kept()) == 10  # the block's old piece went once the new one was kept


def test_a_reimport_that_changes_one_meeting_gives_the_feed_of_the_new_listings():
    def feed_with(notes: str) -> str:
        return json.dumps(
            [
                {"name": f"Meeting {n}", "slug": f"s-{n}", "day": 1, "time": "19:00", "address": f"{n} Main St",
                 "city": "Springfield", "state": "IL", "timezone": "America/Chicago",
                 "notes": notes if n == 3 else "", "types": ["O"]}
                for n in range(5)
            ]
        )  # fmt: skip

    import_text(feed_with("Old notes"), source_name="Central Office", key="central")
    assert b"Old notes" in _feed()
    import_text(feed_with("New notes"), source_name="Central Office", key="central")
    served = _feed()
    assert b"New notes" in served and b"Old notes" not in served
    assert served == _whole()
    assert json.loads(served) == json.loads("".join(exporter.python_meeting_guide_chunks(PREFIX)))


def test_a_block_that_changes_while_its_rows_are_read_is_served_but_not_kept(monkeypatch):
    _five_blocks()
    monkeypatch.setattr(pieces, "stamp", lambda database, block: -1)  # as if a write committed meanwhile
    assert _feed() == _whole()  # all blocks at once
    assert _kept() == []
    monkeypatch.undo()
    _feed()
    Location.objects.filter(city="Town 2").update(name="Moved")
    monkeypatch.setattr(pieces, "stamp", lambda database, block: -1)
    assert _feed() == _whole()  # the one changed block alone
    assert len(_kept()) == 4 and b"Moved" in _feed()


@pytest.mark.django_db(transaction=True)
def test_without_its_triggers_nothing_is_kept_and_after_migrate_a_change_made_meanwhile_is_in_the_feed():
    first, *_rest = _five_blocks()
    _feed()
    pieces.uninstall(connection)
    assert not pieces.usable(connection)
    with connection.cursor() as cursor:  # moves no stamp now
        cursor.execute("UPDATE directory_meeting SET name = 'Changed Meanwhile' WHERE id = %s", [first.pk])
    assert b"Changed Meanwhile" in _feed() and _feed() == _whole()  # rendered whole, the kept pieces not used
    call_command("migrate", verbosity=0)  # puts the triggers back and moves every stamp
    assert pieces.usable(connection)
    served = _feed()
    assert b"Changed Meanwhile" in served and served == _whole()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_before_the_blocks_leaves_no_trigger_that_names_them_and_migrating_on_makes_them_again():
    call_command("migrate", "directory", "0008", verbosity=0)  # drops the blocks' table (migrate drops triggers first)
    assert not pieces.usable(connection)
    # No trigger left to name a missing table. Written without its slots: at 0008 a slot has no type_index yet.
    meeting = Meeting.objects.create(name="Written Without Blocks", slug="no-blocks", timezone="UTC")
    call_command("migrate", verbosity=0)
    assert pieces.usable(connection)
    assert _stamps() == {meeting.pk // pieces.BLOCK: 1}  # the meeting written meanwhile has its block


def test_another_site_address_or_unlisted_rooms_keep_their_own_pieces_and_old_folders_go(settings):
    make_meeting("Only", slug="only", location=make_location())
    _feed()
    other = b"".join(meeting_guide_sql.meeting_guide_bytes("https://elsewhere.example/meetings/", per_day=True))
    assert b"https://elsewhere.example/meetings/only" in other
    folders = sorted(p.name for p in cache.directory().glob("pieces-*"))
    assert len(folders) == 2
    FeedBlock.objects.update(stamp=0)  # stamps never go back; here, as if the database were made afresh
    with connection.cursor() as cursor:
        cursor.execute("UPDATE directory_directorystate SET epoch = 'another' WHERE id = 1")
    _feed()
    now = sorted(p.name for p in cache.directory().glob("pieces-*"))
    assert len(now) == 2 and now != folders  # the earlier epoch's folder of this site went, the other site's stays


def test_a_data_directory_that_cannot_be_written_still_gets_the_whole_feed(settings, tmp_path):
    _five_blocks()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.DATA_DIR = blocked  # feeds/ cannot be made under a file
    assert _feed() == _whole()
