"""A group's own pages: the statement and the facets only a group sets, room settings and links, slips, new
meetings, places, removing a meeting, and previews. The outsider is refused everywhere; bad input changes nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from stayhere.directory.models import Group, Location, Meeting, MeetingSlot
from stayhere.rooms.web.keys import settings_for_key
from stayhere.rooms.web.models import RoomSettings
from stayhere.service import permissions
from stayhere.service.models import ListingChange
from stayhere.slips.models import SlipSettings
from tests.service.factories import make_tree, signed_in
from tests.service.test_meeting_edit import form_data

pytestmark = pytest.mark.django_db

STATEMENT = "All are welcome here, whatever medication they take."


def statement_data(**changes: Any) -> dict[str, Any]:
    data = {"statement": STATEMENT, "moud_welcome": "on", "website": "", "email": "", "phone": "", "action": "save"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def new_meeting(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Hope Thursday",
        "days": ["4"],
        "start_time": "18:00",
        "end_time": "19:00",
        "timezone": "America/Chicago",
        "attendance": "in_person",
        "types": "O, D",
        "location": "",
        "action": "save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


PAGES = [
    ("get", "/service/groups/hope"),
    ("get", "/service/groups/hope/statement"),
    ("post", "/service/groups/hope/statement"),
    ("get", "/service/groups/hope/room"),
    ("post", "/service/groups/hope/room-links"),
    ("post", "/service/groups/hope/slips"),
    ("get", "/service/groups/hope/meetings/new"),
    ("post", "/service/groups/hope/meetings/new"),
    ("get", "/service/groups/hope/places/new"),
    ("post", "/service/meetings/hope-tuesday/remove"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_the_outsider_and_the_reviewer_are_refused_every_group_page(method: str, path: str) -> None:
    tree = make_tree()
    for stranger in (tree.outsider, tree.reviewer, tree.lapsed):
        answer = getattr(signed_in(stranger), method)(path, {"confirm": "yes", **statement_data()})
        assert answer.status_code == 403, (stranger, path)
    assert getattr(Client(), method)(path).status_code == 302
    group = Group.objects.get(slug="hope")
    assert group.statement == "" and not group.moud_welcome
    assert not RoomSettings.objects.exists() and not SlipSettings.objects.exists()
    assert Meeting.objects.filter(slug="hope-tuesday").exists() and Meeting.objects.count() == 2


def test_a_secretary_previews_then_saves_the_statement_and_the_facets_reach_the_finder() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    preview = client.post("/service/groups/hope/statement", statement_data(action="preview"))
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Preview: the listing as the finder will show it" in text and STATEMENT in text
    assert "Medication for opioid use disorder welcome" in text.split('id="preview"')[1].split("</section>")[0]
    assert Group.objects.get(pk=tree.hope.pk).statement == ""  # a preview saves nothing
    saved = client.post("/service/groups/hope/statement", statement_data(harm_reduction="on"))
    assert saved.status_code == 302
    group = Group.objects.get(pk=tree.hope.pk)
    assert (group.statement, group.moud_welcome, group.harm_reduction) == (STATEMENT, True, True)
    assert STATEMENT in Client().get("/meetings/hope-tuesday").content.decode()
    answer = Client().get("/feeds/meeting-guide.json")
    feed = json.loads(b"".join(answer.streaming_content))
    hope = next(record for record in feed if record["slug"] == "hope-tuesday")
    assert "MOUD" in hope["types"] and "HRED" in hope["types"]


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"website": "not a site"}, "Give the whole link, starting with https://."),
        ({"email": "nobody"}, "Give an email address such as name@example.org"),
        ({"statement": "x" * 4001}, "under 4,000 characters"),
    ],
)
def test_a_bad_statement_form_gets_a_sentence_and_changes_nothing(changes: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    answer = signed_in(tree.secretary).post("/service/groups/hope/statement", statement_data(**changes))
    assert answer.status_code == 400 and sentence in answer.content.decode()
    group = Group.objects.get(pk=tree.hope.pk)
    assert (group.statement, group.moud_welcome) == ("", False)


def test_the_secretary_opens_the_room_settings_page_and_saves_with_its_own_checks() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    page = client.get("/service/groups/hope/room")
    assert page.status_code == 200 and "Passcode" in page.content.decode()
    assert 'aria-label="Settings link"' not in page.content.decode()  # signed in, there is no secret link to show
    room = RoomSettings.objects.get(group=tree.hope)
    bad = client.post("/service/groups/hope/room", {"action": "save", "passcode": "12ab", "share_seconds": "180"})
    assert bad.status_code == 400 and "Use 4 to 10 digits" in bad.content.decode()
    assert RoomSettings.objects.get(pk=room.pk).passcode == ""


def test_fresh_room_links_are_shown_once_with_a_warning_and_the_old_ones_stop_working() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    unconfirmed = client.post("/service/groups/hope/room-links", {})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.content.decode()
    assert not RoomSettings.objects.exists()
    first = client.post("/service/groups/hope/room-links", {"confirm": "yes"}).content.decode()
    assert "The old ones no longer work" in first and "shown only this once" in first
    old_key = re.search(r"/rooms/settings/([A-Za-z0-9_-]+)", first)
    assert old_key and settings_for_key(old_key.group(1)) is not None
    second = client.post("/service/groups/hope/room-links", {"confirm": "yes"}).content.decode()
    new_key = re.search(r"/rooms/settings/([A-Za-z0-9_-]+)", second)
    assert new_key and new_key.group(1) != old_key.group(1)
    assert settings_for_key(old_key.group(1)) is None and settings_for_key(new_key.group(1)) is not None
    assert new_key.group(1) not in client.get("/service/groups/hope").content.decode()


def test_the_secretary_turns_slips_on_and_off_and_a_bad_minimum_changes_nothing() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    bad = client.post("/service/groups/hope/slips", {"enabled": "on", "minimum_minutes": "900"})
    assert bad.status_code == 400 and "from 0 to 600" in bad.content.decode()
    assert not SlipSettings.objects.exists()
    on = client.post("/service/groups/hope/slips", {"enabled": "on", "minimum_minutes": "45"})
    assert on.status_code == 302
    settings = SlipSettings.objects.get(group=tree.hope)
    assert (settings.enabled, settings.minimum_minutes) == (True, 45)
    assert "Attendance slips are on" in client.get(on["Location"]).content.decode()
    client.post("/service/groups/hope/slips", {})
    assert not SlipSettings.objects.get(group=tree.hope).enabled


def test_a_secretary_previews_then_adds_a_meeting_which_the_finder_lists_with_a_history_entry() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    place = tree.meeting.location
    preview = client.post("/service/groups/hope/meetings/new", new_meeting(action="preview", location=str(place.pk)))
    assert preview.status_code == 200
    shown = preview.content.decode().split('id="preview"')[1].split("</section>")[0]
    assert "Hope Thursday" in shown and "Thursday" in shown and "Springfield" in shown
    assert not Meeting.objects.filter(name="Hope Thursday").exists()
    added = client.post("/service/groups/hope/meetings/new", new_meeting(location=str(place.pk)))
    assert added.status_code == 302
    made = Meeting.objects.get(name="Hope Thursday")
    assert (made.group, made.location, made.days, made.types) == (tree.hope, place, [4], ["O", "D"])
    assert MeetingSlot.objects.filter(meeting=made).count() == 1
    added_entry = ListingChange.objects.get(kind="meeting", object_id=made.pk)
    assert (added_entry.who, added_entry.action) == ("hope-sec", "created")
    assert "Hope Thursday" in Client().get("/", {"q": "Thursday"}).content.decode()


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": ""}, "Give the meeting&#x27;s name."),
        ({"start_time": "6pm"}, "24-hour clock"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"types": "ONL"}, "ONL is not a type here"),
        ({"types": "MOUD"}, "can only be said by the group itself"),
        ({"attendance": "online"}, "An online meeting needs a conference link"),
        ({"location": "999999"}, "Choose one of the group&#x27;s places listed."),
    ],
)
def test_a_bad_new_meeting_gets_a_sentence_and_adds_nothing(changes: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    for action in ("save", "preview"):
        answer = signed_in(tree.secretary).post(
            "/service/groups/hope/meetings/new", new_meeting(action=action, **changes)
        )
        assert answer.status_code == 400, action
        assert sentence in answer.content.decode()
    assert Meeting.objects.count() == 2


def test_the_edit_page_previews_without_saving() -> None:
    tree = make_tree()
    answer = signed_in(tree.secretary).post(
        "/service/meetings/hope-tuesday", form_data(tree.meeting, name="Hope Tuesday Night", action="preview")
    )
    assert answer.status_code == 200
    assert "Hope Tuesday Night" in answer.content.decode().split('id="preview"')[1].split("</section>")[0]
    assert Meeting.objects.get(pk=tree.meeting.pk).name == "Hope Tuesday"


def test_a_secretary_removes_a_meeting_only_when_confirmed() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    unconfirmed = client.post("/service/meetings/hope-tuesday/remove", {})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.content.decode()
    assert Meeting.objects.filter(pk=tree.meeting.pk).exists()
    done = client.post("/service/meetings/hope-tuesday/remove", {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == "/service/groups/hope?done=removed"
    assert not Meeting.objects.filter(pk=tree.meeting.pk).exists()
    assert Client().get("/meetings/hope-tuesday").status_code == 404


def test_a_secretary_adds_a_place_for_a_meeting_and_edits_it() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    place = {
        "name": "St. Mark's Hall",
        "address": "5 Elm St",
        "city": "Peoria",
        "latitude": "40.69",
        "longitude": "-89.59",
    }
    no_meeting = client.post("/service/groups/hope/places/new", place)
    assert no_meeting.status_code == 400 and "Tick at least one" in no_meeting.content.decode()
    assert not Location.objects.filter(name="St. Mark's Hall").exists()
    added = client.post("/service/groups/hope/places/new", {**place, "meetings": [str(tree.meeting.pk)]})
    assert added.status_code == 302
    made = Location.objects.get(name="St. Mark's Hall")
    assert Meeting.objects.get(pk=tree.meeting.pk).location == made
    assert MeetingSlot.objects.get(meeting=tree.meeting).latitude == pytest.approx(40.69)
    edited = client.post(f"/service/places/{made.pk}", {**place, "city": "East Peoria", "latitude": "40.67"})
    assert edited.status_code == 302
    assert Location.objects.get(pk=made.pk).city == "East Peoria"
    assert MeetingSlot.objects.get(meeting=tree.meeting).latitude == pytest.approx(40.67)
    assert signed_in(tree.outsider).get(f"/service/places/{made.pk}").status_code == 403
    assert signed_in(tree.outsider).post(f"/service/places/{made.pk}", {**place, "city": "X"}).status_code == 403


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": "", "address": "", "city": ""}, "Give at least the place"),
        ({"latitude": "north"}, "Write the latitude as a number"),
        ({"latitude": "95"}, "Latitude is between -90 and 90."),
        ({"longitude": ""}, "Give both latitude and longitude, or neither."),
        ({"latitude": "0", "longitude": "0"}, "0 is not a coordinate of a meeting place"),
        ({"longitude": "0"}, "0 is not a coordinate of a meeting place"),
    ],
)
def test_a_bad_place_gets_a_sentence_and_changes_nothing(changes: dict[str, str], sentence: str) -> None:
    tree = make_tree()
    place = tree.meeting.location
    data = {"name": "Hall", "address": "1 Main Street", "city": "Springfield", "latitude": "40", "longitude": "-89"}
    answer = signed_in(tree.secretary).post(f"/service/places/{place.pk}", {**data, **changes})
    assert answer.status_code == 400 and sentence in answer.content.decode()
    assert Location.objects.get(pk=place.pk).latitude == 40.0


def test_a_place_shared_with_another_body_s_meeting_is_only_for_an_admin_above_both() -> None:
    tree = make_tree()
    shared = tree.meeting.location
    Meeting.objects.filter(pk=tree.other_meeting.pk).update(location=shared)
    assert not permissions.may_edit_location(tree.secretary, shared)
    assert not permissions.may_edit_location(tree.outsider, shared)
    assert permissions.may_edit_location(tree.site_admin, shared)
    assert permissions.may_edit_location(tree.secretary, tree.other_meeting.location) is False
    assert permissions.may_manage_group(tree.secretary, tree.hope)
    assert not permissions.may_manage_group(tree.outsider, tree.hope)
    assert not permissions.may_manage_group(tree.reviewer, tree.hope)


def test_the_group_s_pages_record_statement_place_and_removal_changes_in_the_history() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    assert client.post("/service/groups/hope/statement", statement_data()).status_code == 302
    statement = ListingChange.objects.get(kind="group", object_id=tree.hope.pk)
    assert (statement.who, statement.fields["statement"]) == ("hope-sec", ["", STATEMENT])
    place = {"name": "Elm Hall", "address": "5 Elm St", "city": "Peoria", "latitude": "40.69", "longitude": "-89.59"}
    assert (
        client.post("/service/groups/hope/places/new", {**place, "meetings": [str(tree.meeting.pk)]}).status_code == 302
    )
    made = Location.objects.get(name="Elm Hall")
    assert ListingChange.objects.get(kind="location", object_id=made.pk).action == "created"
    moved = ListingChange.objects.filter(kind="meeting", object_id=tree.meeting.pk).latest("at")
    assert moved.fields["location"][1] == made.pk
    assert client.post(f"/service/places/{made.pk}", {**place, "city": "East Peoria"}).status_code == 302
    edited = ListingChange.objects.filter(kind="location", object_id=made.pk, action="changed").get()
    assert edited.fields["city"] == ["Peoria", "East Peoria"]
    assert client.post("/service/meetings/hope-tuesday/remove", {"confirm": "yes"}).status_code == 302
    removed = ListingChange.objects.get(kind="meeting", object_id=tree.meeting.pk, action="removed")
    assert (removed.who, removed.fields["name"][0]) == ("hope-sec", tree.meeting.name)
