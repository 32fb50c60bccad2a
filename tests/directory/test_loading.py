from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stayhere.directory.api_views import meeting_json
from stayhere.directory.loading import GROUP_COLUMNS, LOCATION_COLUMNS, MEETING_COLUMNS, meetings_by_id
from stayhere.directory.models import Attendance, Group, Location, Meeting, ServiceBody
from stayhere.directory.presenting import result_view
from stayhere.directory.search import Result
from tests.directory.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

# Columns no result page sends: never read on the hot path (a group's contacts are kilobytes of JSON).
UNSENT = ("contacts", "statement", "conference_url_notes", "conference_phone_notes", "service_body_id", "venmo")


def _big_group() -> Group:
    contacts = [{"name": f"Person {n}", "email": f"p{n}@example.org", "phone": "555-0100"} for n in range(200)]
    return Group.objects.create(
        name="Serenity", slug="serenity", contacts=contacts, contacts_public=True, moud_welcome=True, notes="x" * 500
    )


def test_it_loads_what_select_related_would_for_every_column_a_page_sends():
    body = ServiceBody.objects.create(name="Area 99", slug="area-99")
    group = _big_group()
    located = make_meeting("Located", location=make_location(), group=group, service_body=body, types=["O", "D"])
    online = make_meeting("Online", attendance=Attendance.ONLINE, regions=["Illinois", "Chicago"])
    loaded = meetings_by_id([located.pk, online.pk])
    expected = Meeting.objects.select_related("location", "group").in_bulk([located.pk, online.pk])
    for pk, meeting in expected.items():
        got = loaded[pk]
        for name in MEETING_COLUMNS:
            assert getattr(got, name) == getattr(meeting, name), name
        for part, names in (("location", LOCATION_COLUMNS), ("group", GROUP_COLUMNS)):
            mine, theirs = getattr(got, part), getattr(meeting, part)
            assert (mine is None) == (theirs is None), part
            for name in names if mine is not None else ():
                assert getattr(mine, name) == getattr(theirs, name), f"{part}.{name}"
    first = loaded[located.pk]
    assert first.start_time == dt.time(19, 0) and first.types == ["O", "D"]
    assert first.location is not None and first.location.city == "Springfield"
    assert first.group is not None and first.group.moud_welcome is True
    assert loaded[online.pk].location is None and loaded[online.pk].regions == ["Illinois", "Chicago"]


def test_the_query_reads_no_column_a_result_page_does_not_send():
    meeting = make_meeting("One", location=make_location(), group=_big_group(), notes="Bring a friend")
    with CaptureQueriesContext(connection) as captured:
        loaded = meetings_by_id([meeting.pk])[meeting.pk]
    (query,) = captured.captured_queries
    selected = query["sql"].split(" FROM ", 1)[0].lower()
    for column in UNSENT:
        assert column not in selected, column
    assert ".notes" not in selected and "servicebody" not in query["sql"].lower()
    # Not loaded: Django would have to ask for them.
    assert {"contacts", "notes"} <= loaded.group.get_deferred_fields()  # type: ignore[union-attr]
    assert {"notes", "conference_url_notes", "service_body_id"} <= loaded.get_deferred_fields()


def test_a_result_rendered_for_the_api_and_the_finder_page_asks_nothing_more(django_assert_num_queries):
    group = _big_group()
    located = make_meeting("Located", location=make_location(), group=group, types=["O", "W"], end="21:30")
    online = make_meeting("Online", attendance=Attendance.ONLINE, regions=["Illinois"], days=[0, 3])
    loose = make_meeting("Somewhere", days=[], start=None, end=None)
    now = dt.datetime(2026, 12, 7, 18, 30, tzinfo=dt.UTC)
    sent, shown = {}, {}
    with django_assert_num_queries(1):
        loaded = meetings_by_id([located.pk, online.pk, loose.pk])
        for pk, meeting in loaded.items():  # in the database's row order, which PostgreSQL does not keep
            start = meeting.next_start(now)
            result = Result(meeting, 1.5, start, start, in_progress=False)
            sent[pk] = meeting_json(result, "/meetings/")
            shown[pk] = result_view(result)
    assert meeting_json(Result(loaded[located.pk], None, None, None, False), "/m/")["types"] == ["O", "W", "MOUD"]
    for meeting in (located, online, loose):
        assert sent[meeting.pk]["slug"] == shown[meeting.pk].slug == meeting.slug


def test_the_api_answers_a_search_with_two_queries(client: Client, django_assert_num_queries) -> None:
    for number in range(3):
        make_meeting(f"Meeting {number}", location=make_location(), group=_big_group() if number == 0 else None)
    client.get("/api/meetings?near=40.0,-89.0")  # the zones of each grid cell are read once, then kept
    with django_assert_num_queries(2):  # the ranking, then the page's meetings
        response = client.get("/api/meetings?near=40.0,-89.0&page_size=10")
    assert response.status_code == 200 and len(response.json()["meetings"]) == 3


def test_no_ids_ask_the_database_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert meetings_by_id([]) == {}


def test_nothing_listens_for_the_instances_made_without_init():
    """``loading._build`` makes instances without ``Model.__init__``, which sends these signals: a receiver for
    one of these models (an image field's dimensions, a cache) would miss the result page's instances."""
    from django.db.models.signals import post_init, pre_init

    for model in (Meeting, Location, Group):
        assert not pre_init.has_listeners(model), model
        assert not post_init.has_listeners(model), model


def test_a_loaded_meeting_is_a_saved_row_of_this_database():
    meeting = make_meeting("One", location=make_location())
    loaded = meetings_by_id([meeting.pk])[meeting.pk]
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert loaded == meeting and loaded.location == meeting.location
    assert loaded.notes == meeting.notes  # a deferred field is read on demand


@pytest.mark.parametrize(
    "regions",
    [
        ["Île-de-France", 'Paris "11e"', "emoji 🙂", ""],
        [],
        [123456789012345678901234567890, "big whole number"],  # orjson would read a float: Django's reading is used
        [{"name": "a region as an object"}, 1.5, None, True],
        "a region as one text",
    ],
)
def test_json_columns_are_read_as_django_reads_them_whatever_they_hold(regions):
    meeting = make_meeting("Odd regions", types=["O", "Ñ-custom"], regions=regions)
    loaded = meetings_by_id([meeting.pk])[meeting.pk]
    expected = Meeting.objects.get(pk=meeting.pk)
    assert loaded.regions == expected.regions == regions
    assert [type(item) for item in loaded.regions] == [type(item) for item in expected.regions]
    assert loaded.types == expected.types == ["O", "Ñ-custom"]
