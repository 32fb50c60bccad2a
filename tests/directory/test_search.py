from __future__ import annotations

import datetime as dt
import math

import pytest
from django.http import QueryDict

from stayhere.directory import schedule, search
from stayhere.directory.models import Attendance, Group
from tests.directory.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"


def at(zone_name: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=schedule.zone(zone_name))


def find(params: str, now: dt.datetime) -> list[str]:
    page = search.search(search.parse_query(QueryDict(params)), now)
    return [result.meeting.name for result in page.results]


MONDAY_EVENING_NY = at(NEW_YORK, 2026, 11, 23, 19, 0)  # Monday 23 November 2026


def test_in_progress_or_soon_includes_a_meeting_that_began_ten_minutes_ago_or_less():
    make_meeting("Began five minutes ago", days=[1], start="18:55", tz=NEW_YORK)
    make_meeting("Began a quarter hour ago", days=[1], start="18:45", tz=NEW_YORK)
    make_meeting("Starts in fifty minutes", days=[1], start="19:50", tz=NEW_YORK)
    make_meeting("Starts in two hours", days=[1], start="21:00", tz=NEW_YORK)
    make_meeting("Tuesday at seven", days=[2], start="19:00", tz=NEW_YORK)
    assert find("now=1", MONDAY_EVENING_NY) == ["Began five minutes ago", "Starts in fifty minutes"]


def test_in_progress_or_soon_reads_each_meeting_in_its_own_zone():
    make_meeting("Berlin at one in the morning", days=[2], start="01:00", tz=BERLIN)  # = Monday 19:00 New York
    make_meeting("Berlin at seven", days=[1], start="19:00", tz=BERLIN)
    assert find("now=1", MONDAY_EVENING_NY) == ["Berlin at one in the morning"]


def test_in_progress_or_soon_wraps_around_the_end_of_the_week():
    make_meeting("Saturday late", days=[6], start="23:55", end="00:55", tz=NEW_YORK)
    assert find("now=1", at(NEW_YORK, 2026, 11, 29, 0, 2)) == ["Saturday late"]


def test_a_meeting_held_on_several_days_appears_once():
    make_meeting("Every weekday", days=[1, 2, 3, 4, 5], start="12:00", tz=NEW_YORK)
    assert find("", MONDAY_EVENING_NY) == ["Every weekday"]


def test_without_a_viewer_zone_day_and_time_mean_the_meetings_own_local_time():
    make_meeting("New York Monday evening", days=[1], start="19:00", tz=NEW_YORK)
    make_meeting("Berlin Monday evening", days=[1], start="19:00", tz=BERLIN)
    make_meeting("New York Monday morning", days=[1], start="08:00", tz=NEW_YORK)
    assert sorted(find("day=1&time=evening", MONDAY_EVENING_NY)) == ["Berlin Monday evening", "New York Monday evening"]


def test_a_viewer_in_another_zone_sees_meetings_in_their_own_evening_converted_once():
    # For a viewer in Berlin, Monday evening (17:00-21:00 CET) is 11:00-15:00 in New York.
    make_meeting("New York Monday noon", days=[1], start="12:00", tz=NEW_YORK)
    make_meeting("New York Monday evening", days=[1], start="19:00", tz=NEW_YORK)
    found = find("day=1&time=evening&tz=Europe/Berlin", at(BERLIN, 2026, 11, 23, 9, 0))
    assert found == ["New York Monday noon"]
    page = search.search(
        search.parse_query(QueryDict("day=1&time=evening&tz=Europe/Berlin")), at(BERLIN, 2026, 11, 23, 9)
    )
    result = page.results[0]
    assert result.next_start is not None and result.next_start_viewer is not None
    assert (result.next_start.hour, result.next_start_viewer.hour) == (12, 18)


def test_near_a_place_orders_by_distance_and_leaves_out_what_is_beyond_the_radius():
    springfield = make_location("Springfield", 39.80, -89.65)
    chatham = make_location("Chatham", 39.68, -89.70)
    chicago = make_location("Chicago", 41.88, -87.63)
    make_meeting("Chatham group", location=chatham)
    make_meeting("Springfield group", location=springfield)
    make_meeting("Chicago group", location=chicago)
    assert find("near=39.80,-89.65&radius=25", MONDAY_EVENING_NY) == ["Springfield group", "Chatham group"]
    assert find("place=Chatham&radius=5", MONDAY_EVENING_NY) == ["Chatham group"]


@pytest.mark.parametrize("lat", [39.80, 69.65, -54.80])
def test_near_keeps_meetings_at_the_circles_east_and_west_edges_and_only_those(lat):
    # The ranking narrows candidate slots to a band of longitudes before it measures distances: the band must
    # hold every meeting the circle holds, east and west, wherever the cosine of the latitude shrinks it.
    span = 25 / search.KM_PER_DEGREE / math.cos(math.radians(lat))  # the circle's half-width in degrees
    for side, sign in (("east", 1), ("west", -1)):
        make_meeting(f"Inside {side}", location=make_location(f"In {side}", lat, -89.65 + sign * span * 0.999))
        make_meeting(f"Outside {side}", location=make_location(f"Out {side}", lat, -89.65 + sign * span * 1.001))
    found = find(f"near={lat},-89.65&radius=25", MONDAY_EVENING_NY)
    assert sorted(found) == ["Inside east", "Inside west"]


def test_near_leaves_out_online_meetings_which_are_near_nowhere():
    town = make_location("Springfield", 39.80, -89.65)
    make_meeting("In person", location=town)
    make_meeting("Online", location=None, attendance=Attendance.ONLINE)
    assert find("near=39.80,-89.65", MONDAY_EVENING_NY) == ["In person"]
    assert find("mode=online", MONDAY_EVENING_NY) == ["Online"]


def test_near_works_across_the_antimeridian():
    fiji = make_location("Suva", -18.14, 179.95, country="FJ")
    make_meeting("East of the line", location=fiji, tz="Pacific/Fiji")
    assert find("near=-18.14,-179.95&radius=50", MONDAY_EVENING_NY) == ["East of the line"]


def test_facets_include_and_exclude():
    make_meeting("Open discussion", types=["O", "D"])
    make_meeting("Closed discussion", types=["C", "D"])
    make_meeting("Open speaker", types=["O", "SP"])
    assert sorted(find("type=D", MONDAY_EVENING_NY)) == ["Closed discussion", "Open discussion"]
    assert find("type=D&not=C", MONDAY_EVENING_NY) == ["Open discussion"]
    assert sorted(find("lang=EN&lang=S", MONDAY_EVENING_NY)) == []


def test_group_asserted_facets_come_from_the_group():
    welcoming = Group.objects.create(name="Open Door", slug="open-door", moud_welcome=True)
    make_meeting("Open Door Monday", group=welcoming)
    make_meeting("Elsewhere")
    assert find("type=MOUD", MONDAY_EVENING_NY) == ["Open Door Monday"]
    assert find("not=MOUD", MONDAY_EVENING_NY) == ["Elsewhere"]


def test_text_matches_name_group_and_town():
    make_meeting("Tuesday Night Step Study", location=make_location("Riverton", 40.0, -89.0))
    make_meeting("Serenity Seekers")
    assert find("q=riverton", MONDAY_EVENING_NY) == ["Tuesday Night Step Study"]
    assert find("q=step+night", MONDAY_EVENING_NY) == ["Tuesday Night Step Study"]


def test_pages_hold_page_size_results_and_say_whether_more_follow():
    for number in range(7):
        make_meeting(f"Meeting {number}", start=f"1{number}:00")
    query = search.parse_query(QueryDict(""), page_size=5)
    first = search.search(query, MONDAY_EVENING_NY)
    query.page = 2
    second = search.search(query, MONDAY_EVENING_NY)
    assert (len(first.results), first.has_next, first.total) == (5, True, 7)
    assert (len(second.results), second.has_next, second.total) == (2, False, 7)
    names = [r.meeting.name for r in first.results + second.results]
    assert sorted(names) == [f"Meeting {n}" for n in range(7)]


def test_results_without_a_place_come_soonest_first():
    make_meeting("Tomorrow", days=[2], start="09:00", tz=NEW_YORK)
    make_meeting("Tonight", days=[1], start="20:00", tz=NEW_YORK)
    make_meeting("Just started", days=[1], start="18:55", tz=NEW_YORK)
    assert find("", MONDAY_EVENING_NY) == ["Just started", "Tonight", "Tomorrow"]


def test_a_meeting_in_progress_is_marked_so():
    make_meeting("Running", days=[1], start="18:30", end="19:30", tz=NEW_YORK)
    page = search.search(search.parse_query(QueryDict("")), MONDAY_EVENING_NY)
    assert page.results[0].in_progress is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ("day=7", "day"),
        ("day=monday", "day"),
        ("near=91,0", "near"),
        ("near=abc", "near"),
        ("radius=0", "radius"),
        ("time=teatime", "time"),
        ("now=maybe", "now"),
        ("type=%3Cscript%3E", "type"),
        ("type=O&not=O", "not"),
        ("mode=telepathy", "mode"),
        ("fellowship=XYZ", "fellowship"),
        ("tz=Mars/Base", "tz"),
        ("page=0", "page"),
        ("place=Atlantis", "place"),
    ],
)
def test_bad_parameters_are_named_with_what_to_write(params, field):
    with pytest.raises(search.QueryError) as caught:
        search.parse_query(QueryDict(params))
    assert field in caught.value.errors
    assert caught.value.errors[field].endswith(".")


def test_the_query_survives_a_round_trip_through_its_parameters():
    original = search.parse_query(
        QueryDict("q=step&day=1&day=3&time=evening&now=1&type=O&not=C&mode=hybrid&tz=Europe/Berlin")
    )
    params = QueryDict(mutable=True)
    for name, value in original.to_params():
        params.appendlist(name, value)
    assert search.parse_query(params) == original


def _near_springfield_on_monday_evening() -> None:
    springfield = make_location("Springfield", 39.80, -89.65)
    chatham = make_location("Chatham", 39.68, -89.70)
    make_meeting("Springfield tomorrow", days=[2], start="19:00", location=springfield)
    make_meeting("Chatham tonight", days=[1], start="20:00", location=chatham)
    make_meeting("Springfield tonight", days=[1], start="20:00", location=springfield)


def test_soonest_first_near_a_place_orders_by_next_start_then_by_distance():
    _near_springfield_on_monday_evening()
    query = search.parse_query(QueryDict("near=39.80,-89.65&radius=25"))
    query.soonest_first = True
    names = [result.meeting.name for result in search.search(query, MONDAY_EVENING_NY).results]
    assert names == ["Springfield tonight", "Chatham tonight", "Springfield tomorrow"]


def test_the_api_order_near_a_place_stays_nearest_first():
    _near_springfield_on_monday_evening()
    names = find("near=39.80,-89.65&radius=25", MONDAY_EVENING_NY)
    assert names[-1] == "Chatham tonight"


def _zone_reads(monkeypatch: pytest.MonkeyPatch, later_s: float) -> tuple[list[str], list[str]]:
    """The SQL one call of search._zones() runs, ``later_s`` after the cache was last made or checked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    made = search._zone_cache
    assert made is not None
    real = search.time.monotonic
    monkeypatch.setattr(search.time, "monotonic", lambda: made.checked + later_s)
    try:
        with CaptureQueriesContext(connection) as captured:
            zones, _by_cell = search._zones()
    finally:
        monkeypatch.setattr(search.time, "monotonic", real)
    return zones, [query["sql"] for query in captured.captured_queries]


def test_the_zones_are_not_read_again_each_minute_while_the_directory_stays_as_it_was(monkeypatch):
    make_meeting("In Berlin", tz=BERLIN)
    search._zones()
    zones, sql = _zone_reads(monkeypatch, 5)
    assert sql == [] and zones == [BERLIN]
    zones, sql = _zone_reads(monkeypatch, 61)
    assert zones == [BERLIN]
    assert len(sql) == 1 and "DISTINCT" not in sql[0].upper(), "past a minute only the directory's version is read"


def test_the_zones_are_read_again_when_another_process_changed_the_directory(monkeypatch):
    from django.db.models import F

    from stayhere.directory.models import DirectoryState, MeetingSlot

    make_meeting("In Berlin", tz=BERLIN)
    search._zones()
    # Another worker's change: the version in the database moves, this process's generation does not.
    MeetingSlot.objects.update(timezone=NEW_YORK)
    DirectoryState.objects.filter(pk=1).update(version=F("version") + 1)
    zones, sql = _zone_reads(monkeypatch, 5)
    assert zones == [BERLIN], "within the minute the cache stands"
    zones, sql = _zone_reads(monkeypatch, 61)
    assert zones == [NEW_YORK]
    assert any("DISTINCT" in statement.upper() for statement in sql)
