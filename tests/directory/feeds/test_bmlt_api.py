"""BMLT's semantic API, as crouton, bread and yap call it: their own query strings, answers checked field by field."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.test import Client

from stayhere.directory.feeds.bmlt_lists import FIELD_NAMES, format_id
from stayhere.directory.feeds.codes import BMLT_FORMATS, bmlt_code, bmlt_format
from stayhere.directory.models import Attendance, Group, ServiceBody
from stayhere.directory.types import CATALOG
from tests.directory.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

# The calls as the clients write them (bmlt-enabled/crouton croutonjs/src/js/crouton-core.js, bread
# includes/class-bread-bmlt.php and public/js/bread-public.js, yap src/app/Services/RootServerService.php);
# {SB}, {LAT}, {LNG}, {DAY} stand for the values a configured client puts there.
CROUTON_SEARCH = (
    "/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&lang_enum=en&services[]={SB}"
    "&recursive=1&sort_keys=start_time&callback=jsonp_1700000000000_12345"
)
CROUTON_MAP_SEARCH = (
    "/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&lang_enum=en&venue_types[]=-2"
    "&lat_val={LAT}&long_val={LNG}&geo_width=-10&sort_keys=start_time&callback=jsonp_1"
)
CROUTON_SERVICE_BODIES = "/client_interface/jsonp/?switcher=GetServiceBodies&parents=1&services[]={SB}&callback=jsonp_2"
CROUTON_MASTER_FORMATS = (
    "/client_interface/jsonp/?switcher=GetFormats&lang_enum=en&key_strings[]=TC&key_strings[]=VM"
    "&key_strings[]=HY&callback=jsonp_3"
)
CROUTON_ADMIN = [
    "switcher=GetServerInfo",
    "switcher=GetServiceBodies",
    "switcher=GetFieldKeys",
    "switcher=GetSearchResults",
]
BREAD_MAIN = (
    "/client_interface/json/?switcher=GetSearchResults&services[]={SB}&recursive=1"
    "&sort_keys=weekday_tinyint,start_time,meeting_name&get_used_formats&lang_enum=en"
)
BREAD_FORMATS_ONLY = (
    "/client_interface/jsonp/?switcher=GetSearchResults&get_formats_only&services[]={SB}&recursive=1&callback=cb"
)
BREAD_EXTRA = (
    "/client_interface/json/?switcher=GetSearchResults&sort_keys=weekday_tinyint,start_time,meeting_name"
    "&meeting_ids[]={ID}&get_used_formats"
)
BREAD_FORMATS = "/client_interface/json/?switcher=GetFormats&lang_enum=en"
BREAD_SERVER = "/client_interface/json/?switcher=GetServerInfo"
YAP_SEARCH = (
    "/client_interface/json/?switcher=GetSearchResults&get_used_formats&data_field_key=id_bigint,meeting_name,"
    "weekday_tinyint,start_time,location_text,location_info,location_municipality,location_province,location_street,"
    "longitude,latitude,distance_in_miles,distance_in_km,formats,virtual_meeting_link,phone_meeting_number,"
    "virtual_meeting_additional_info&sort_results_by_distance=1&long_val={LNG}&lat_val={LAT}&geo_width=50&weekdays={DAY}"
)
YAP_HELPLINE = (
    "/client_interface/json/?switcher=GetSearchResults"
    "&data_field_key=longitude,latitude,service_body_bigint&sort_results_by_distance=1&lat_val={LAT}"
    "&long_val={LNG}&geo_width=-50"
)
YAP_SERVICE_BODIES = "/client_interface/json/?switcher=GetServiceBodies"
YAP_FORMATS = "/client_interface/json/?switcher=GetFormats"

MEETING_KEYS = [key for key in FIELD_NAMES if not key.startswith("distance_")]
FORMAT_KEYS = [
    "key_string",
    "name_string",
    "description_string",
    "lang",
    "id",
    "world_id",
    "format_type_enum",
    "root_server_uri",
]
SERVICE_BODY_KEYS = ["id", "parent_id", "name", "description", "type", "url", "helpline", "world_id", "contact_email"]
JSONP = re.compile(r"^/\*\*/([\w$.]+)\((.*)\);$", re.S)


@pytest.fixture
def region() -> dict[str, Any]:
    """A region with an area under it: an in-person meeting on Monday and Wednesday near Springfield,
    an online one on Sunday in the area, a hybrid one far away on Saturday, outside both."""
    top = ServiceBody.objects.create(name="Land of Lincoln Region", slug="lol", kind="region", world_id="RG1")
    area = ServiceBody.objects.create(
        name="Springfield Area", slug="spr", kind="area", parent=top, phone="+1 217 555 0100", url="https://na.example"
    )
    group = Group.objects.create(
        name="Hope Group",
        slug="hope",
        contacts=[{"name": "Ann Smith", "email": "ann@example.org"}],
        contacts_public=True,
    )
    near = make_meeting(
        "Hope at Noon",
        days=[1, 3],
        start="12:00",
        end="13:30",
        location=make_location("Springfield", 39.80, -89.65, postal_code="62701", state="IL"),
        types=["O", "D", "BE", "X", "B"],
        service_body=area,
        group=group,
        notes="Side door.",
    )
    online = make_meeting(
        "Hope Online",
        days=[0],
        start="20:00",
        end="21:00",
        attendance=Attendance.ONLINE,
        types=["C"],
        service_body=area,
    )
    far = make_meeting(
        "Far Away",
        days=[6],
        start="09:30",
        end="10:30",
        attendance=Attendance.HYBRID,
        location=make_location("Chicago", 41.88, -87.63),
        types=["ST"],
    )
    return {"top": top, "area": area, "near": near, "online": online, "far": far}


def _get(client: Client, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, response.content[:300]
    assert response["Access-Control-Allow-Origin"] == "*"
    text = response.content.decode()
    if "/jsonp/" in path:
        assert response["Content-Type"].startswith("application/javascript")
        match = JSONP.match(text)
        assert match, text[:200]
        assert match.group(1) == re.search(r"callback=([\w$.]+)", path).group(1)  # type: ignore[union-attr]
        text = match.group(2)
    else:
        assert response["Content-Type"].startswith("application/json")
    return json.loads(text)


def _fill(path: str, region: dict[str, Any], **extra: Any) -> str:
    values = {"SB": region["top"].pk, "LAT": "39.78", "LNG": "-89.64", "DAY": "2", **extra}
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _assert_meeting_shape(item: dict[str, Any], keys: list[str]) -> None:
    assert list(item) == keys
    assert all(isinstance(value, str) for value in item.values()), item


def _assert_format_shape(item: dict[str, Any]) -> None:
    assert list(item) == FORMAT_KEYS
    assert all(isinstance(value, str) for value in item.values()), item
    assert item["id"].isdigit()


def test_crouton_search_gets_one_meeting_per_weekday_with_the_used_formats(
    client: Client, region: dict[str, Any]
) -> None:
    body = _get(client, _fill(CROUTON_SEARCH, region))
    assert list(body) == ["meetings", "formats"]
    meetings = body["meetings"]
    for item in meetings:
        _assert_meeting_shape(item, MEETING_KEYS)
    # The region's meetings with its area's (recursive); the far one is in neither.
    names = [(m["meeting_name"], m["weekday_tinyint"], m["start_time"]) for m in meetings]
    assert names == [
        ("Hope at Noon", "2", "12:00:00"),
        ("Hope at Noon", "4", "12:00:00"),
        ("Hope Online", "1", "20:00:00"),
    ]
    monday = meetings[0]
    near = region["near"]
    assert monday["id_bigint"] == str(near.pk * 10 + 2)
    assert monday["shared_group_id_bigint"] == str(near.pk)
    assert monday["service_body_bigint"] == str(region["area"].pk)
    assert monday["venue_type"] == "1"
    assert monday["duration_time"] == "01:30:00"
    assert monday["time_zone"] == "America/Chicago"
    # Formats as BMLT keys them: BE is BMLT's B (Beginners), X its WC, Big Book has a key of its own.
    assert monday["formats"] == "O,D,B,WC,BB"
    assert monday["format_shared_id_list"] == ",".join(str(format_id(k)) for k in ["O", "D", "B", "WC", "BB"])
    assert (monday["latitude"], monday["longitude"]) == ("39.8", "-89.65")
    assert monday["location_municipality"] == "Springfield"
    assert monday["location_province"] == "IL"
    assert monday["location_postal_code_1"] == "62701"
    assert monday["comments"] == "Side door."
    assert (monday["contact_name_1"], monday["contact_email_1"]) == ("Ann", "ann@example.org")
    online = meetings[2]
    assert online["venue_type"] == "2"
    assert online["formats"] == "C,VM"
    assert online["virtual_meeting_link"] == "https://meet.example.org/room"
    assert (online["latitude"], online["location_street"]) == ("", "")
    # crouton matches a meeting's format keys to the formats of the same root_server_uri.
    formats = {f["key_string"]: f for f in body["formats"]}
    assert sorted(formats) == sorted(["O", "D", "B", "WC", "BB", "C", "VM"])
    for item in body["formats"]:
        _assert_format_shape(item)
        assert item["root_server_uri"] == monday["root_server_uri"] == "http://testserver"
    assert formats["WC"]["world_id"] == "WCHR"
    assert formats["B"]["world_id"] == "BEG"
    assert formats["B"]["name_string"] == "Newcomer"
    assert formats["VM"]["name_string"] == "Virtual Meeting"


def test_crouton_map_search_finds_the_nearest_in_person_meetings_with_their_distance(
    client: Client, region: dict[str, Any]
) -> None:
    body = _get(client, _fill(CROUTON_MAP_SEARCH, region))
    meetings = body["meetings"]
    assert [m["meeting_name"] for m in meetings] == ["Far Away", "Hope at Noon", "Hope at Noon"]  # sorted by start_time
    assert all(m["venue_type"] != "2" for m in meetings)
    near = next(m for m in meetings if m["meeting_name"] == "Hope at Noon")
    assert 2.0 < float(near["distance_in_km"]) < 3.0
    assert float(near["distance_in_miles"]) == pytest.approx(float(near["distance_in_km"]) / 1.609344, rel=1e-5)


def test_crouton_gets_the_service_bodies_with_their_parents(client: Client, region: dict[str, Any]) -> None:
    body = _get(client, _fill(CROUTON_SERVICE_BODIES, region, SB=region["area"].pk))
    assert [b["name"] for b in body] == ["Land of Lincoln Region", "Springfield Area"]
    for item in body:
        assert list(item) == SERVICE_BODY_KEYS
        assert all(isinstance(value, str) for value in item.values())
    top, area = body
    assert (top["parent_id"], top["type"], top["world_id"]) == ("0", "RS", "RG1")
    assert (area["parent_id"], area["type"], area["helpline"]) == (str(region["top"].pk), "AS", "+1 217 555 0100")


def test_crouton_gets_the_venue_formats_it_asks_for_by_key(client: Client, region: dict[str, Any]) -> None:
    body = _get(client, CROUTON_MASTER_FORMATS)
    assert sorted(f["key_string"] for f in body) == ["HY", "TC", "VM"]
    assert {f["key_string"]: f["world_id"] for f in body} == {"HY": "HYBR", "TC": "TC", "VM": "VM"}
    for item in body:
        _assert_format_shape(item)


def test_the_admin_pages_of_crouton_and_bread_get_an_answer_to_each_of_their_calls(
    client: Client, region: dict[str, Any]
) -> None:
    for query in CROUTON_ADMIN:
        body = _get(client, f"/client_interface/jsonp/?{query}&callback=jsonp_9")
        assert isinstance(body, list) and body
    info = _get(client, BREAD_SERVER)
    assert len(info) == 1
    assert info[0]["version"] == "3.0.0"
    assert info[0]["nativeLang"] == "en"
    assert set(info[0]["available_keys"].split(",")) == set(FIELD_NAMES)
    keys = _get(client, "/client_interface/json/?switcher=GetFieldKeys")
    assert [k["key"] for k in keys] == list(FIELD_NAMES)
    assert all(list(k) == ["key", "description"] and k["description"] for k in keys)


def test_bread_main_query_is_sorted_by_its_sort_keys(client: Client, region: dict[str, Any]) -> None:
    body = _get(client, _fill(BREAD_MAIN, region))
    assert [(m["weekday_tinyint"], m["meeting_name"]) for m in body["meetings"]] == [
        ("1", "Hope Online"),
        ("2", "Hope at Noon"),
        ("4", "Hope at Noon"),
    ]


def test_bread_gets_formats_only_and_its_extra_meetings_by_id(client: Client, region: dict[str, Any]) -> None:
    only = _get(client, _fill(BREAD_FORMATS_ONLY, region))
    assert list(only) == ["formats"]
    assert sorted(f["key_string"] for f in only["formats"]) == sorted(["O", "D", "B", "WC", "BB", "C", "VM"])
    wednesday = region["near"].pk * 10 + 4
    extra = _get(client, _fill(BREAD_EXTRA, region, ID=wednesday))
    assert [(m["id_bigint"], m["weekday_tinyint"]) for m in extra["meetings"]] == [(str(wednesday), "4")]


def test_bread_and_yap_get_every_format(client: Client, region: dict[str, Any]) -> None:
    for path in (BREAD_FORMATS, YAP_FORMATS):
        body = _get(client, path)
        keys = [f["key_string"] for f in body]
        assert len(keys) == len(set(keys))
        assert {"O", "C", "B", "WC", "VM", "HY", "TC", "BB"} <= set(keys)
        for item in body:
            _assert_format_shape(item)


def test_yap_finds_the_days_meetings_near_a_caller_with_the_fields_it_asks_for(
    client: Client, region: dict[str, Any]
) -> None:
    body = _get(client, _fill(YAP_SEARCH, region, DAY=2))
    asked = YAP_SEARCH.split("data_field_key=")[1].split("&")[0].split(",")
    assert [m["meeting_name"] for m in body["meetings"]] == ["Hope at Noon"]  # Monday, within 50 miles
    item = body["meetings"][0]
    assert list(item) == [key for key in FIELD_NAMES if key in asked]  # BMLT's order, only those asked
    assert item["weekday_tinyint"] == "2"
    assert float(item["distance_in_miles"]) < 2
    assert [f["key_string"] for f in body["formats"]] == ["O", "D", "B", "WC", "BB"]


def test_yap_helpline_routing_gets_the_nearest_meetings_service_body(client: Client, region: dict[str, Any]) -> None:
    body = _get(client, _fill(YAP_HELPLINE, region))
    assert isinstance(body, list)
    assert [list(m) for m in body] == [["service_body_bigint", "longitude", "latitude"]] * 3  # BMLT's field order
    assert [m["service_body_bigint"] for m in body] == [str(region["area"].pk)] * 2 + [""]  # nearest first
    service_bodies = _get(client, YAP_SERVICE_BODIES)
    assert {b["id"] for b in service_bodies} == {str(region["top"].pk), str(region["area"].pk)}


def test_weekdays_formats_venues_and_text_narrow_a_search(client: Client, region: dict[str, Any]) -> None:
    def names(query: str) -> list[tuple[str, str]]:
        body = _get(client, "/client_interface/json/?switcher=GetSearchResults&" + query)
        return [(m["meeting_name"], m["weekday_tinyint"]) for m in body]

    assert names("weekdays[]=1&weekdays[]=7") == [("Hope Online", "1"), ("Far Away", "7")]
    assert names("weekdays=-2,-4,-7") == [("Hope Online", "1")]
    assert names(f"formats[]={format_id('WC')}") == [("Hope at Noon", "2"), ("Hope at Noon", "4")]
    assert names(f"formats[]={format_id('St')}&formats[]={format_id('VM')}&formats_comparison_operator=OR") == [
        ("Hope Online", "1"),
        ("Far Away", "7"),
    ]
    assert names(f"formats[]=-{format_id('O')}") == [("Hope Online", "1"), ("Far Away", "7")]
    assert names("venue_types[]=3") == [("Far Away", "7")]
    assert names("venue_types=1,2") == [("Hope Online", "1"), ("Hope at Noon", "2"), ("Hope at Noon", "4")]
    assert names("SearchString=online") == [("Hope Online", "1")]
    assert names("searchString=chicago") == [("Far Away", "7")]
    assert names(f"services[]=-{region['area'].pk}") == [("Far Away", "7")]
    assert names("sort_keys=meeting_name&page_size=2&page_num=2") == [("Hope at Noon", "4"), ("Hope Online", "1")]


def test_a_meeting_without_a_weekly_time_is_not_served(client: Client, region: dict[str, Any]) -> None:
    make_meeting("By Appointment", days=[], start=None, end=None)
    body = _get(client, "/client_interface/json/?switcher=GetSearchResults")
    assert "By Appointment" not in {m["meeting_name"] for m in body}


def test_csv_writes_a_header_of_the_keys_and_a_row_per_meeting(client: Client, region: dict[str, Any]) -> None:
    response = client.get(
        "/client_interface/csv/?switcher=GetSearchResults&data_field_key=meeting_name,weekday_tinyint"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["weekday_tinyint", "meeting_name"],
        ["1", "Hope Online"],
        ["2", "Hope at Noon"],
        ["4", "Hope at Noon"],
        ["7", "Far Away"],
    ]


def test_every_code_has_one_bmlt_key_and_the_table_reads_back_both_ways() -> None:
    keys: dict[str, str] = {}
    for code in CATALOG:
        key = bmlt_format(code).key_string
        assert key.lower() not in keys, (code, keys.get(key.lower()))
        keys[key.lower()] = code
        assert bmlt_code(key) == code
    ids = {format_id(key) for key in keys}
    assert len(ids) == len(keys)
    for _world, key, code, _kind in BMLT_FORMATS:
        if key:
            assert bmlt_format(code).key_string == key


# Bad parameters: a sentence in JSON with status 400, never a 500 or an HTML page.
BAD = [
    "",
    "switcher=GetMeetings",
    "switcher=GetSearchResults&weekdays=8",
    "switcher=GetSearchResults&weekdays[]=monday",
    "switcher=GetSearchResults&weekdays=0",
    "switcher=GetSearchResults&services[]=abc",
    "switcher=GetSearchResults&formats[]=999999999",
    "switcher=GetSearchResults&formats[]=1.5",
    "switcher=GetSearchResults&formats_comparison_operator=XOR",
    "switcher=GetSearchResults&venue_types[]=4",
    "switcher=GetSearchResults&lat_val=91&long_val=0",
    "switcher=GetSearchResults&lat_val=nan&long_val=0",
    "switcher=GetSearchResults&lat_val=40",
    "switcher=GetSearchResults&geo_width=10",
    "switcher=GetSearchResults&lat_val=40&long_val=-89&geo_width=0",
    "switcher=GetSearchResults&lat_val=40&long_val=-89&geo_width=abc",
    "switcher=GetSearchResults&lat_val=40&long_val=-89&geo_width_km=-1e9",
    "switcher=GetSearchResults&sort_results_by_distance=1",
    "switcher=GetSearchResults&sort_keys=weekday_tinyint,password",
    "switcher=GetSearchResults&data_field_key=<script>",
    "switcher=GetSearchResults&page_size=0",
    "switcher=GetSearchResults&page_size=10&page_num=x",
    "switcher=GetSearchResults&SearchString=" + "x" * 201,
    "switcher=GetSearchResults&weekdays=" + ",".join(["1"] * 501),
    "switcher=GetServiceBodies&services[]=-",
]


@pytest.mark.parametrize("query", BAD)
def test_a_bad_parameter_gets_a_json_sentence_and_400(client: Client, region: dict[str, Any], query: str) -> None:
    for form in ("json", "csv"):
        response = client.get(f"/client_interface/{form}/?{query}")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")
        error = json.loads(response.content)["error"]
        assert error.endswith(".") and len(error) > 20 and "Traceback" not in error


def test_jsonp_needs_a_plain_callback_and_wraps_errors_in_it(client: Client, region: dict[str, Any]) -> None:
    for callback in ("", "alert(1)//", "a b", "x" * 100, "</script>"):
        response = client.get("/client_interface/jsonp/", {"switcher": "GetServerInfo", "callback": callback})
        assert response.status_code == 400
        assert "error" in json.loads(response.content)
    body = _get(client, "/client_interface/jsonp/?switcher=Nope&callback=window.cb", status=400)
    assert "GetSearchResults" in body["error"]


def test_random_parameters_never_break_the_api(client: Client, region: dict[str, Any]) -> None:
    import random

    rng = random.Random(19)  # noqa: S311  (test data, not secrets)
    names = ["weekdays", "weekdays[]", "services[]", "formats[]", "venue_types[]", "lat_val", "long_val", "geo_width"]
    names += ["geo_width_km", "sort_keys", "data_field_key", "recursive", "SearchString", "meeting_ids[]", "page_size"]
    names += [
        "get_used_formats",
        "get_formats_only",
        "sort_results_by_distance",
        "key_strings[]",
        "parents",
        "lang_enum",
    ]
    atoms = [
        "",
        "0",
        "1",
        "-1",
        "7",
        "-50",
        "40.1",
        "1e308",
        "-0",
        "x",
        "%00",
        "\u2028",
        "a,b",
        ",",
        "99999999999999999999",
    ]
    atoms += ["start_time", "id_bigint,meeting_name", "NaN", "inf", "1,2,-3", "' OR 1=1 --"]
    switchers = ["GetSearchResults", "GetFormats", "GetServiceBodies", "GetServerInfo", "GetFieldKeys"]
    for _ in range(300):
        params = [("switcher", rng.choice(switchers))]
        params += [(rng.choice(names), rng.choice(atoms)) for _ in range(rng.randint(0, 5))]
        response = client.get("/client_interface/json/", params)
        assert response.status_code in (200, 400), params
        body = json.loads(response.content)
        if response.status_code == 400:
            assert set(body) == {"error"}, params


def test_stayhere_read_back_by_its_own_bmlt_importer_keeps_the_types_and_venues(
    client: Client, region: dict[str, Any]
) -> None:
    from stayhere.directory.feeds import bmlt

    body = client.get("/client_interface/json/?switcher=GetSearchResults&get_used_formats").content.decode()
    records = {(r.name, tuple(r.days)): r for r in bmlt.parse(body).records}
    noon = records[("Hope at Noon", (1,))]
    assert noon.types == ["O", "D", "BE", "X", "BB"]  # Big Book comes back as the custom key it was served as
    assert (noon.city, noon.postal_code, noon.latitude) == ("Springfield", "62701", 39.8)
    assert noon.end_time is not None and noon.end_time.strftime("%H:%M") == "13:30"
    online = records[("Hope Online", (0,))]
    assert (online.attendance, online.types, online.conference_url) == (
        "online",
        ["C"],
        "https://meet.example.org/room",
    )
    far = records[("Far Away", (6,))]
    assert (far.attendance, far.types) == ("hybrid", ["ST"])  # HY says what venue_type says: no custom type


def test_a_negative_geo_width_gives_about_that_many_of_the_nearest_meeting_days(client: Client) -> None:
    # Twelve meetings in a line north of the point, 3 km apart; the nearest three meet on two days each.
    for number in range(12):
        make_meeting(
            f"M{number:02d}",
            days=[1, 3] if number < 3 else [2],
            location=make_location(f"Town {number}", 40.0 + 0.027 * (number + 1), -89.0),
        )
    base = "/client_interface/json/?switcher=GetSearchResults&lat_val=40&long_val=-89&sort_results_by_distance=1"
    body = _get(client, base + "&geo_width=-7&data_field_key=meeting_name,distance_in_km")
    assert [m["meeting_name"] for m in body] == ["M00", "M00", "M01", "M01", "M02", "M02", "M03"]
    distances = [float(m["distance_in_km"]) for m in body]
    assert distances == sorted(distances) and distances[-1] < 13
    tuesdays = _get(client, base + "&geo_width=-4&weekdays=3&data_field_key=meeting_name")
    assert [m["meeting_name"] for m in tuesdays] == ["M03", "M04", "M05", "M06"]
    within = _get(client, base + "&geo_width_km=10&data_field_key=meeting_name")
    assert sorted({m["meeting_name"] for m in within}) == ["M00", "M01", "M02"]


def test_a_custom_type_newly_listed_is_a_format_at_once(client: Client, region: dict[str, Any]) -> None:
    path = "/client_interface/json/?switcher=GetFormats"
    assert "ZZTOP" not in {f["key_string"] for f in _get(client, path)}
    make_meeting("Custom", types=["ZZTOP"])
    formats = {f["key_string"]: f for f in _get(client, path)}
    assert formats["ZZTOP"]["world_id"] == "" and formats["ZZTOP"]["name_string"] == "ZZTOP"
    found = _get(client, f"/client_interface/json/?switcher=GetSearchResults&formats[]={formats['ZZTOP']['id']}")
    assert [m["meeting_name"] for m in found] == ["Custom"]
