"""Cleaning of feed values: text, times, days, coordinates, codes, addresses."""

from __future__ import annotations

import datetime as dt

import pytest

from stayhere.directory.feeds.addresses import split_address
from stayhere.directory.feeds.codes import sort_codes, type_codes_from_value
from stayhere.directory.feeds.common import (
    clean_text,
    first_name,
    parse_coordinates,
    parse_days,
    parse_time,
    parse_updated,
)


def test_it_strips_html_and_entities_to_plain_text():
    assert clean_text("<b>Zoom:</b> <a href='x'>link</a><br />next &amp; last") == "Zoom: link\nnext & last"


def test_it_reads_a_c1_control_character_as_windows_1252():
    assert clean_text("St. Clare\x92s Hall") == "St. Clare\u2019s Hall"


def test_it_normalises_line_ends_and_trims():
    assert clean_text("  one\r\ntwo\rthree  ") == "one\ntwo\nthree"


def test_it_keeps_a_less_than_sign_that_is_not_a_tag():
    assert clean_text("1 < 2") == "1 < 2"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8:00 PM", dt.time(20, 0)),
        ("8:00 am", dt.time(8, 0)),
        ("12:00 AM", dt.time(0, 0)),
        ("12:30 PM", dt.time(12, 30)),
        ("Noon", dt.time(12, 0)),
        ("midnight", dt.time(0, 0)),
        ("20:00", dt.time(20, 0)),
        ("8:00", dt.time(8, 0)),
        ("1930", dt.time(19, 30)),
        ("0730", dt.time(7, 30)),
        ("20:00:00", dt.time(20, 0)),
        ("", None),
    ],
)
def test_it_reads_the_times_feeds_write(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["25:00", "13:00 PM", "soon", "7:75"])
def test_it_rejects_a_time_that_is_not_a_time(raw):
    with pytest.raises(ValueError, match="time"):
        parse_time(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(3, [3]), ("3", [3]), ([1], [1]), ([5, 1, 1], [1, 5]), ("Monday", [1]), ("sunday, Wed", [0, 3]), (None, [])],
)
def test_it_reads_days_as_numbers_strings_arrays_and_names(raw, expected):
    assert parse_days(raw) == expected


@pytest.mark.parametrize("raw", [8, -1, "Someday", [True]])
def test_it_rejects_a_day_of_eight_and_other_non_days(raw):
    with pytest.raises(ValueError, match="day"):
        parse_days(raw)


def test_it_treats_null_island_and_a_zero_longitude_as_no_position():
    assert parse_coordinates("0", "0") == (None, None)
    assert parse_coordinates(33.58, 0.0) == (None, None)
    assert parse_coordinates("42.1", "-72.5") == (42.1, -72.5)


def test_it_rejects_coordinates_that_are_not_numbers():
    with pytest.raises(ValueError):
        parse_coordinates("north", "-72")


def test_it_reads_the_updated_formats_of_real_feeds():
    assert parse_updated("8/10/2021 11:16:48 AM") == dt.datetime(2021, 8, 10, 11, 16, 48, tzinfo=dt.UTC)
    assert parse_updated("2016-09-1005:15:00") == dt.datetime(2016, 9, 10, 5, 15, tzinfo=dt.UTC)
    assert parse_updated("not a date") is None


def test_it_sorts_codes_into_types_online_and_group_assertions():
    sorted_codes = sort_codes(["onl", "o", "12X12", "MOUD", "", "ZZ", "TC"])
    assert sorted_codes.types == ["O", "12x12", "ZZ", "TC"]
    assert sorted_codes.online is True
    assert sorted_codes.group_codes == ["MOUD"]
    assert sorted_codes.unknown == ["ZZ"]


@pytest.mark.parametrize(
    ("raw", "expected"), [("C", ["C"]), ("[open]", ["O"]), ("[closed]", ["C"]), (["O", " D "], ["O", "D"])]
)
def test_it_reads_types_as_a_bare_string_a_bracketed_word_or_an_array(raw, expected):
    assert type_codes_from_value(raw) == expected


def test_it_splits_a_north_american_formatted_address():
    assert split_address("2634 Union Ave, San Jose, CA 95124, USA") == {
        "address": "2634 Union Ave",
        "city": "San Jose",
        "state": "CA",
        "postal_code": "95124",
        "country": "US",
    }
    assert split_address("Hauptstr. 5, Berlin") == {"address": "Hauptstr. 5, Berlin"}


def test_it_keeps_only_first_names():
    assert first_name("  Sam   Example ") == "Sam"
    assert first_name("") == ""
