"""The finder's server-rendered pages: search, one meeting, errors, and the database failing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from stayhere.directory import schedule, slots
from tests.directory import finder_data
from tests.directory.finder_data import Directory, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory() -> Directory:
    return finder_data.build()


def result_names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/meetings/[^"]+">([^<]+)</a></h3>', html)


# Searching ---------------------------------------------------------------------------------


def test_the_finder_lists_meetings_when_nothing_is_asked_yet(client: Client, directory: Directory) -> None:
    html = page(client, "/")
    assert "Coming up" in html
    assert {"Serenity Seekers", "Night Owls", "Online Sunrise", "Phone Friends"} <= set(result_names(html))


def test_it_finds_a_meeting_by_its_words(client: Client, directory: Directory) -> None:
    html = page(client, "/?q=serenity")
    assert result_names(html) == ["Serenity Seekers"]
    assert "1 meeting matches" in html


def test_it_finds_meetings_near_a_town_and_says_how_far(client: Client, directory: Directory) -> None:
    html = page(client, "/?place=Springfield&radius=25")
    assert result_names(html) == ["Serenity Seekers"]
    assert "0.0 km" in html
    assert "First Church, 100 Elm Street, Springfield, IL, US" in html


def test_it_finds_meetings_near_a_position(client: Client, directory: Directory) -> None:
    html = page(client, "/?near=41.88,-87.63&radius=10")
    assert result_names(html) == ["Night Owls"]
    assert "Searching near your position" in html


def test_it_shows_only_meetings_with_an_included_type(client: Client, directory: Directory) -> None:
    assert result_names(page(client, "/?type=SP")) == ["Night Owls"]


def test_it_leaves_out_meetings_with_an_excluded_type(client: Client, directory: Directory) -> None:
    names = result_names(page(client, "/?not=O"))
    assert "Night Owls" in names and "Phone Friends" in names
    assert "Serenity Seekers" not in names and "Online Sunrise" not in names


def test_it_finds_meetings_whose_group_says_medication_is_welcome(client: Client, directory: Directory) -> None:
    assert result_names(page(client, "/?type=MOUD")) == ["Serenity Seekers"]


def test_it_finds_phone_meetings_and_says_so_instead_of_an_address(client: Client, directory: Directory) -> None:
    html = page(client, "/?mode=phone")
    assert result_names(html) == ["Phone Friends"]
    assert '<span class="badge mode-phone">Phone</span> Phone' in html


def test_it_finds_hybrid_meetings(client: Client, directory: Directory) -> None:
    assert result_names(page(client, "/?mode=hybrid")) == ["Night Owls"]


def test_it_finds_meetings_in_a_language(client: Client, directory: Directory) -> None:
    assert result_names(page(client, "/?lang=S")) == ["Online Sunrise"]


def test_it_finds_meetings_of_one_fellowship(client: Client, directory: Directory) -> None:
    assert result_names(page(client, "/?fellowship=NA")) == ["Phone Friends"]


def test_it_finds_meetings_on_a_day_and_time_of_day(client: Client, directory: Directory) -> None:
    assert result_names(page(client, "/?day=3&time=evening")) == ["Serenity Seekers"]


def test_results_show_facet_badges_and_the_fellowship(client: Client, directory: Directory) -> None:
    html = page(client, "/?q=serenity")
    for text in ("Open", "Discussion", "English", "Medication for opioid use disorder welcome"):
        assert f"<li>{text}</li>" in html
    assert "Alcoholics Anonymous" in html
    assert "Hope Group" in html


def when_line(html: str, name: str) -> str:
    """The text of a result's "when" line, tags taken out and spaces squeezed."""
    item = html[html.index(f">{name}</a></h3>") :]
    line = re.search(r'<p class="when">(.*?)</p>', item, re.S)
    assert line is not None
    shown = re.sub(r'<span class="viewer-time"[^>]* hidden>.*?</span></span>', "", line.group(1))
    # The "In progress" badge depends on the hour the test runs, not on the line's wording.
    shown = re.sub(r'<strong class="badge live">.*?</strong>', "", shown)
    return " ".join(re.sub(r"<[^>]+>", " ", shown).split())


def test_results_show_local_time_and_the_viewers_time_when_it_differs(client: Client, directory: Directory) -> None:
    html = page(client, "/?q=sunrise&tz=America/New_York")
    start = re.search(r'data-start="([^"]+)" data-zone="Europe/London"', html)
    assert start is not None
    moment = dt.datetime.fromisoformat(start.group(1))
    assert (moment.hour, moment.minute) == (7, 0)
    viewer = moment.astimezone(schedule.zone("America/New_York"))
    assert f"Every day 07:00 (London) \u00b7 your time {viewer:%a %H:%M}" == when_line(html, "Online Sunrise")


def test_a_meetings_days_read_in_its_own_zone_beside_the_viewers_time(client: Client, directory: Directory) -> None:
    # Saturday 23:30 in Chicago is Sunday morning in London: the line must not read "Sun 05:30 ... Saturday".
    html = page(client, "/?q=owls&tz=Europe/London")
    assert when_line(html, "Night Owls") == "Saturdays 23:30 (Chicago) \u00b7 your time Sun 05:30"
    same_zone = page(client, "/?q=serenity&tz=America/Chicago")
    assert when_line(same_zone, "Serenity Seekers") == "Mondays, Wednesdays 19:00 (Chicago)"


def test_the_meeting_page_says_the_next_start_and_the_viewers_time_the_same_way(
    client: Client, directory: Directory
) -> None:
    html = page(client, "/meetings/night-owls")
    line = re.search(r'<p class="when">(.*?)</p>', html, re.S)
    assert line is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", line.group(1)).split())
    assert "Sat 23:30 (Chicago)" in text and text.endswith("\u00b7 your time")  # "Next:", or "In progress"


def test_a_meeting_that_began_five_minutes_ago_is_in_progress(client: Client, directory: Directory) -> None:
    zone = "America/Chicago"
    began = (timezone.now() - dt.timedelta(minutes=5)).astimezone(schedule.zone(zone))
    started = finder_data.meeting(
        "Just Started",
        "just-started",
        days=[schedule.python_weekday_to_spec(began.weekday())],
        start=f"{began.hour:02d}:{began.minute:02d}",
        end=None,
        tz=zone,
        location=directory.chicago,
    )
    slots.rebuild([started])
    finder_data.forget_caches()
    html = page(client, "/?now=1")
    assert "Just Started" in result_names(html)
    assert '<strong class="badge live">In progress</strong>' in html


def test_results_come_in_pages_with_links_between_them(client: Client, directory: Directory, settings) -> None:
    settings.FINDER_PAGE_SIZE = 2
    first = page(client, "/")
    assert len(result_names(first)) == 2
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert next_link is not None
    second = page(client, "/" + next_link.group(1).replace("&amp;", "&"))
    assert 'rel="prev"' in second
    assert set(result_names(first)).isdisjoint(result_names(second))


def test_no_match_is_said_plainly_and_suggests_a_wider_search(client: Client, directory: Directory) -> None:
    html = page(client, "/?place=Springfield&radius=2&day=0&type=SP")
    assert result_names(html) == []
    assert "No meetings match all of these choices." in html
    assert "Look up to 100 km away" in html
    assert "Any day and time" in html
    assert "Any meeting type or language" in html


# Mistakes and failures ---------------------------------------------------------------------


def test_it_rejects_a_day_of_eight_and_says_what_a_day_is(client: Client, directory: Directory) -> None:
    html = page(client, "/?day=8&q=serenity", status=400)
    assert "A day is a number from 0 (Sunday) to 6 (Saturday)." in html
    assert 'href="#f-day"' in html
    assert result_names(html) == []
    assert "No meetings match" not in html


def test_a_search_with_a_mistake_keeps_every_choice_made(client: Client, directory: Directory) -> None:
    html = page(client, "/?day=8&day=2&q=serenity&type=SP&mode=online&time=bogus", status=400)
    assert 'name="q" type="search" maxlength="200" value="serenity"' in html
    assert 'name="day" value="2" checked' in html
    assert 'name="type" value="SP" checked' in html
    assert 'name="mode" value="online" checked' in html
    assert "A time of day is one of" in html


def test_it_rejects_an_unknown_town_and_says_what_to_do(client: Client, directory: Directory) -> None:
    html = page(client, "/?place=Atlantis", status=400)
    assert "Pick a town from the list" in html


def test_it_rejects_a_position_that_is_not_two_numbers(client: Client, directory: Directory) -> None:
    html = page(client, "/?near=north", status=400)
    assert "latitude,longitude" in html


def test_a_database_failure_shows_the_unavailable_page_not_an_empty_list(client: Client, directory: Directory) -> None:
    finder_data.break_the_database()
    response = client.get("/?q=serenity")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "The directory is unavailable" in html
    assert "This does not mean there are no meetings." in html
    assert "No meetings match" not in html
    assert "0 meetings" not in html


def test_a_database_failure_while_looking_up_a_town_is_also_unavailable(client: Client, directory: Directory) -> None:
    finder_data.break_the_database()
    assert client.get("/?place=Springfield").status_code == 503


def test_a_database_failure_on_a_meeting_page_is_unavailable_not_missing(client: Client, directory: Directory) -> None:
    finder_data.break_the_database()
    response = client.get("/meetings/serenity-seekers")
    assert response.status_code == 503
    assert "The directory is unavailable" in response.content.decode()


# One meeting -------------------------------------------------------------------------------


def test_the_meeting_page_shows_its_schedule_place_group_and_contacts(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/serenity-seekers")
    for text in (
        "<h1>Serenity Seekers</h1>",
        '<th scope="row">Monday</th><td>19:00</td><td>20:00</td>',
        '<th scope="row">Wednesday</th>',
        "Local time (America/Chicago)",
        "Lasts 1 hour.",
        "100 Elm Street",
        "Illinois \u203a Springfield",
        "Everyone on medication is welcome here.",
        "Sam",
        'href="tel:+12175550100"',
        "Medication for opioid use disorder welcome",
        "Use the side door.",
        "@hope-group",
        "Central Illinois Intergroup",
        'href="/meetings/serenity-seekers.ics"',
        'class="viewer-time"',
    ):
        assert text in html, text


def test_a_meeting_that_ends_after_midnight_says_so(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/night-owls")
    assert "<td>00:30 (the next day)</td>" in html
    assert "Lasts 1 hour." in html


def test_the_meeting_page_gives_the_join_link_and_a_dialable_phone_line(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/night-owls")
    assert 'href="https://meet.example.org/night-owls"' in html
    assert 'href="tel:+13125550123,,98765%23"' in html
    assert "Passcode 1234" in html


def test_contacts_stay_hidden_unless_the_group_made_them_public(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/night-owls")
    assert "Quiet Group" in html
    assert "Alex" not in html and "555 0199" not in html


def test_an_inactive_meeting_says_why_and_until_when(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/chapel-step-study")
    assert "This meeting is not being held for now" in html
    assert "Venue closed for repairs" in html
    assert "Expected back: 2030-01-01" in html


def test_an_online_meeting_shows_no_address(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/online-sunrise")
    assert "<address>" not in html
    assert "Join online" in html


def test_an_unknown_meeting_is_a_friendly_404(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/no-such-meeting", status=404)
    assert "This page is not here" in html


def test_an_empty_directory_says_nothing_is_listed_yet(client: Client) -> None:
    finder_data.forget_caches()
    html = page(client, "/")
    assert "No meetings are listed in this directory yet." in html
    assert "No meetings match" not in html


def test_the_finder_page_needs_only_a_few_queries(
    client: Client, directory: Directory, django_assert_max_num_queries
) -> None:
    client.get("/?type=O")  # warms the zone list and this filter's week chart
    with django_assert_max_num_queries(3):  # the search, its meetings, the directory's version
        client.get("/?type=O&day=2")
    with django_assert_max_num_queries(2):
        client.get("/meetings/serenity-seekers")


def test_an_inactive_meeting_gives_no_next_time(client: Client, directory: Directory) -> None:
    html = page(client, "/meetings/chapel-step-study")
    assert "Next:" not in html and "In progress" not in html


def test_the_finder_lists_the_soonest_first_near_a_place_and_the_api_the_nearest(client: Client) -> None:
    from tests.directory.factories import make_location, make_meeting

    finder_data.forget_caches()
    now = timezone.now().astimezone(schedule.zone("America/Chicago"))
    springfield = make_location("Springfield", 39.80, -89.65)
    chatham = make_location("Chatham", 39.68, -89.70)
    # Whatever the hour the test runs: "Chatham soon" starts in two hours, the Springfield one in a day and two.
    soon = (now + dt.timedelta(hours=2)).strftime("%H:00")
    later = (now + dt.timedelta(days=1, hours=2)).strftime("%H:00")
    later_day = schedule.python_weekday_to_spec((now + dt.timedelta(days=1, hours=2)).weekday())
    soon_day = schedule.python_weekday_to_spec((now + dt.timedelta(hours=2)).weekday())
    make_meeting("Springfield later", days=[later_day], start=later, end=None, location=springfield)
    make_meeting("Chatham soon", days=[soon_day], start=soon, end=None, location=chatham)
    url = "near=39.80,-89.65&radius=25"
    assert result_names(page(client, f"/?{url}")) == ["Chatham soon", "Springfield later"]
    api = client.get(f"/api/meetings?{url}").json()
    assert [m["name"] for m in api["meetings"]] == ["Springfield later", "Chatham soon"]


def test_a_group_with_nothing_to_say_gets_no_empty_group_heading(client: Client, directory: Directory) -> None:
    # Night Owls' group keeps its contacts private and has no statement, notes or website.
    html = page(client, "/meetings/night-owls")
    assert "Quiet Group" in html  # still named, beside the fellowship
    assert 'id="group-h"' not in html and "The group" not in html
    assert 'id="group-h"' in page(client, "/meetings/serenity-seekers")
