"""The week chart: counts by local day and hour, drawn as SVG, cached per filter set."""

from __future__ import annotations

import pytest
from django.test import Client

from stayhere.directory import slots, week_chart
from stayhere.directory.models import Attendance
from tests.directory import finder_data
from tests.directory.finder_data import Directory, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory() -> Directory:
    return finder_data.build()


def test_the_week_chart_counts_each_weekly_start_in_local_time(directory: Directory) -> None:
    from stayhere.directory.models import MeetingSlot

    counts = week_chart.count_slots(MeetingSlot.objects.all())
    assert counts[1][19] == 1 and counts[3][19] == 1  # Serenity Seekers, Monday and Wednesday 19:00
    assert counts[6][23] == 1  # Night Owls, Saturday 23:30
    assert all(counts[day][7] == 1 for day in range(7))  # Online Sunrise, 07:00 London
    assert counts[4][18] == 0  # the inactive meeting is not counted
    assert sum(map(sum, counts)) == 11


def test_the_week_chart_is_an_svg_grid_without_styles_or_scripts() -> None:
    counts = week_chart.empty_counts()
    counts[2][19] = 4
    counts[0][10] = 1
    svg = week_chart.render_svg(counts)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 7 * 24
    assert "style" not in svg and "<script" not in svg
    assert "Tuesday 19:00: 4 meetings" in svg
    assert 'class="wc4"' in svg and 'class="wc1"' in svg
    assert "The busiest hour is Tuesday 19:00 with 4 meetings." in svg


def test_the_week_chart_of_an_empty_directory_says_there_is_nothing_to_show() -> None:
    assert "No weekly meetings to show." in week_chart.render_svg(week_chart.empty_counts())


def test_the_finder_shows_the_chart_for_its_type_filters(client: Client, directory: Directory) -> None:
    html = page(client, "/?type=SP")
    assert "Saturday 23:00: 1 meeting" in html
    assert "Monday 19:00" not in html


def test_the_cached_chart_changes_when_the_directory_changes(client: Client, directory: Directory) -> None:
    assert "Friday 09:00" not in page(client, "/")
    added = finder_data.meeting(
        "Friday Morning",
        "friday-morning",
        days=[5],
        start="09:15",
        end="10:15",
        tz="America/Chicago",
        location=directory.chicago,
        attendance=Attendance.IN_PERSON,
    )
    slots.rebuild([added])
    assert "Friday 09:00: 1 meeting" in page(client, "/")
