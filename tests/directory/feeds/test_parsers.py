"""Each format's parser, on small written feeds: pure functions, no database."""

from __future__ import annotations

import json

import pytest

from stayhere.directory.feeds import bmlt, meeting_guide, tsml_csv
from stayhere.directory.feeds.common import FeedFormatError
from tests.conftest import TEST_DATA

FEEDS = TEST_DATA / "feeds"


def test_it_reads_the_quirks_of_a_meeting_guide_feed():
    result = meeting_guide.parse((FEEDS / "small-meeting-guide.json").read_text())
    by_slug = {record.slug: record for record in result.records}
    serenity = by_slug["sunday-serenity"]
    assert serenity.location_name == "St. Clare\u2019s Hall"
    assert serenity.notes == "Ring the buzzer.\n\nSecond floor."
    assert serenity.group_notes == "Business meeting first Sunday.\nAll welcome & coffee."
    assert serenity.latitude == pytest.approx(42.1015)
    assert serenity.types == ["O", "D", "12x12"]
    assert serenity.group_codes == ["MOUD"]
    assert serenity.contacts == [{"name": "Sam", "email": "serenity@example.org", "phone": ""}]
    online = by_slug["42"]
    assert online.days == [1, 3, 5]
    assert online.types == ["O"]
    assert online.attendance == "online"
    noon = by_slug["noon-step"]
    assert noon.start_time is not None and noon.start_time.hour == 12
    assert noon.types == ["C", "ST", "ZZ"]


def test_it_skips_and_reports_a_record_with_day_eight():
    result = meeting_guide.parse((FEEDS / "small-meeting-guide.json").read_text())
    assert "broken-day" not in {record.slug for record in result.records}
    assert "broken-day" in result.failed_slugs
    problem = next(p for p in result.problems if p.where == "broken-day")
    assert problem.field == "day" and problem.severity == "error" and "Sunday" in problem.reason


def test_it_warns_about_an_unknown_type_code_and_keeps_it():
    result = meeting_guide.parse((FEEDS / "small-meeting-guide.json").read_text())
    warning = next(p for p in result.problems if p.where == "noon-step")
    assert warning.severity == "warning" and "ZZ" in warning.reason


def test_it_names_the_line_and_column_of_malformed_json():
    with pytest.raises(FeedFormatError, match=r"line 3, column 28"):
        meeting_guide.parse((FEEDS / "malformed.json").read_text())


def test_it_refuses_a_json_object_as_a_meeting_guide_feed():
    with pytest.raises(FeedFormatError, match="array of meetings"):
        meeting_guide.parse('{"meetings": []}')


def test_it_reads_the_12_step_meeting_list_csv_layout():
    result = tsml_csv.parse((FEEDS / "small-tsml.csv").read_text())
    assert result.problems == []
    work, lunch = result.records
    assert (work.address, work.city, work.state, work.postal_code) == ("2634 Union Ave", "San Jose", "CA", "95124")
    assert work.types == ["O", "X"]
    assert work.contacts == [{"name": "Pat", "email": "", "phone": "555-555-0100"}]
    assert work.regions == ["San Jose", "West San Jose"]
    assert lunch.days == [2, 4] and lunch.online_code is True and lunch.types == ["C"]


def test_it_names_the_csv_columns_that_are_missing():
    with pytest.raises(FeedFormatError, match=r"lacks the column\(s\) Day, Time\."):
        tsml_csv.parse((FEEDS / "missing-columns.csv").read_text())


def test_it_reads_a_naws_export_row():
    text = (
        "Committee,CommitteeName,Day,Time,Place,Address,City,State,Zip,Closed,WheelChr,Format1,Format2,"
        "Delete,LastChanged,Longitude,Latitude,bmlt_id,unpublished\n"
        "G1,Falmouth,Sunday,0730,Church,68 Main Street,Falmouth,MA,02540,CLOSED,TRUE,DISC,JFT,,12/22/18,"
        "-70.61898,41.554391,96,\n"
        "G2,Gone,Monday,1900,Hall,1 Road,Town,MA,02540,OPEN,FALSE,,,D,12/22/18,-70.6,41.5,97,1\n"
    )
    result = tsml_csv.parse(text)
    (record,) = result.records
    assert record.slug == "96" and record.days == [0] and record.start_time is not None
    assert record.start_time.strftime("%H:%M") == "07:30"
    assert record.types == ["C", "X", "D", "JFT"]
    assert record.fellowship == "NA"
    assert any(p.where == "97" and p.severity == "warning" for p in result.problems)


def test_it_maps_bmlt_formats_by_world_id_when_the_catalogue_is_given():
    document = {
        "meetings": [
            {
                "id_bigint": "7",
                "meeting_name": "Hope",
                "weekday_tinyint": "1",
                "start_time": "19:30:00",
                "duration_time": "01:30:00",
                "formats": "O,Ww,XX",
                "latitude": "43.0",
                "longitude": "-77.0",
                "location_street": "1 Main St",
                "location_municipality": "Newark",
            }
        ],
        "formats": [
            {"key_string": "O", "world_id": "OPEN"},
            {"key_string": "Ww", "world_id": "WCHR"},
            {"key_string": "XX", "world_id": ""},
        ],
    }
    (record,) = bmlt.parse(json.dumps(document)).records
    assert record.days == [0]  # weekday_tinyint 1 is Sunday
    assert record.end_time is not None and record.end_time.strftime("%H:%M") == "21:00"
    assert record.types == ["O", "X", "XX"]


def test_it_ignores_the_placeholder_coordinates_of_a_virtual_bmlt_meeting():
    item = {
        "id_bigint": "8",
        "meeting_name": "Online",
        "weekday_tinyint": "7",
        "start_time": "10:00:00",
        "venue_type": "2",
        "latitude": "34.235918",
        "longitude": "-118.563659",
        "formats": "VM,en",
        "virtual_meeting_link": "https://zoom.us/j/1",
    }
    (record,) = bmlt.parse(json.dumps([item])).records
    assert record.days == [6]
    assert record.attendance == "online"
    assert (record.latitude, record.longitude) == (None, None)
    assert record.types == ["EN"]
    assert record.online_code is True
