"""The listings' history: every path records its changes (servants' pages, suggestions, imports, the Django admin),
a servant with the right undoes one from the object's history page, and the outsider can do neither."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stayhere.directory.feeds.importer import import_text
from stayhere.directory.models import Group, Location, Meeting, ServiceBody
from stayhere.service import group_setup, history, listing, suggestions
from stayhere.service.models import ChangeRequest, ListingChange
from tests.directory.factories import make_location, make_meeting
from tests.service.factories import make_tree, signed_in

pytestmark = pytest.mark.django_db

FEED = [
    {
        "slug": "dawn-patrol",
        "name": "Dawn Patrol",
        "day": 1,
        "time": "07:00",
        "end_time": "08:00",
        "timezone": "America/Chicago",
        "types": ["O", "D"],
        "location": "Dawn Hall",
        "address": "1 Sun Street",
        "city": "Springfield",
        "latitude": 40.1,
        "longitude": -89.1,
        "group": "Dawn Group",
    },
    {
        "slug": "night-owls",
        "name": "Night Owls",
        "day": 5,
        "time": "22:00",
        "timezone": "America/Chicago",
        "types": ["C"],
        "location": "Owl Hall",
        "address": "9 Moon Street",
        "city": "Springfield",
        "latitude": 40.2,
        "longitude": -89.2,
    },
]


def _import(records: list[dict[str, Any]], **options: Any) -> Any:
    return import_text(json.dumps(records), source_name="feed.json", key="district-9", **options)


def entries(obj: Any) -> list[ListingChange]:
    return list(ListingChange.objects.filter(kind=history.kind_of(obj), object_id=obj.pk))


# Every path records ----------------------------------------------------------------------------------------------


def test_a_servant_s_edit_is_recorded_with_the_handle_the_time_and_each_field_before_and_after() -> None:
    tree = make_tree()
    listing.apply(tree.meeting, {"name": "Hope Tuesday Night", "start_time": "19:30"}, who="hope-sec")
    (change,) = entries(tree.meeting)
    assert (change.who, change.via, change.action) == ("hope-sec", "page", "changed")
    assert change.label == "Hope Tuesday Night"
    assert change.fields == {"name": ["Hope Tuesday", "Hope Tuesday Night"], "start_time": ["19:00", "19:30"]}


def test_an_approved_suggestion_is_recorded_as_the_suggestion_approved_by_its_reviewer() -> None:
    tree = make_tree()
    request = ChangeRequest.objects.create(
        meeting=tree.meeting, base=listing.values(tree.meeting), proposed={"notes": "Side door"}, note="hi"
    )
    suggestions.approve(request.pk, "north-review")
    (change,) = entries(tree.meeting)
    assert (change.who, change.approved_by, change.via) == (f"suggestion #{request.pk}", "north-review", "suggestion")
    assert change.fields == {"notes": ["", "Side door"]}


def test_an_import_records_what_it_made_changed_and_removed_under_the_source_s_name() -> None:
    _import(FEED)
    dawn, owls = Meeting.objects.get(slug="dawn-patrol"), Meeting.objects.get(slug="night-owls")
    assert [(c.action, c.who, c.via) for c in entries(dawn)] == [("created", "district-9", "import")]
    assert [c.action for c in entries(Group.objects.get(name="Dawn Group"))] == ["created"]
    assert len(ListingChange.objects.filter(kind="location", action="created")) == 2

    changed = [dict(FEED[0], time="07:30", types=["O", "D", "BE"], name="Dawn Patrol Too")]
    _import(changed, allow_shrink=True)
    latest = entries(dawn)[0]
    assert (latest.action, latest.who, latest.via) == ("changed", "district-9", "import")
    assert latest.fields == {
        "name": ["Dawn Patrol", "Dawn Patrol Too"],
        "start_time": ["07:00", "07:30"],
        "types": [["O", "D"], ["O", "D", "BE"]],
    }
    (removed,) = [c for c in entries(owls) if c.action == "removed"]
    assert removed.label == "Night Owls" and removed.fields["name"] == ["Night Owls", None]
    assert not Meeting.objects.filter(pk=owls.pk).exists()


def test_an_import_writes_its_history_in_one_bulk_insert_and_an_unchanged_re_import_writes_none() -> None:
    with CaptureQueriesContext(connection) as queries:
        _import(FEED)
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "service_listingchange"' in q["sql"]]
    assert len(inserts) == 1
    recorded = ListingChange.objects.count()
    assert recorded == 2 + 1 + 2  # two meetings, a group, two locations
    _import(FEED)
    assert ListingChange.objects.count() == recorded


def test_an_import_records_the_places_it_deletes_as_unused_and_they_can_be_put_back_with_their_meeting() -> None:
    _import(FEED)
    owls = Meeting.objects.get(slug="night-owls")
    hall = owls.location
    assert hall is not None
    _import([FEED[0]], allow_shrink=True)
    assert not Location.objects.filter(pk=hall.pk).exists()
    (gone,) = ListingChange.objects.filter(kind="location", object_id=hall.pk, action="removed")
    assert (gone.who, gone.via, gone.label) == ("district-9", "import", "Owl Hall")
    assert gone.fields["address"] == ["9 Moon Street", None] and gone.fields["latitude"] == [40.2, None]
    meeting_gone = ListingChange.objects.get(kind="meeting", object_id=owls.pk, action="removed")
    with pytest.raises(history.Refused, match="Location cannot go back"):
        history.revert(meeting_gone, "webservant")  # its place first
    history.revert(gone, "webservant")
    history.revert(meeting_gone, "webservant")
    back = Meeting.objects.get(pk=owls.pk)
    assert (back.name, back.location_id, back.source) == ("Night Owls", hall.pk, "")  # kept by hand now


def test_an_import_s_owner_update_is_recorded_per_meeting_in_the_same_bulk_insert() -> None:
    tree = make_tree()
    _import(FEED)  # no owner: the meetings belong to no body
    dawn = Meeting.objects.get(slug="dawn-patrol")
    before = ListingChange.objects.count()
    with CaptureQueriesContext(connection) as queries:
        _import(FEED, owner=tree.north)
    inserts = [
        q["sql"] for q in queries.captured_queries if "service_listingchange" in q["sql"] and "INSERT" in q["sql"]
    ]
    copies = [q["sql"] for q in queries.captured_queries if "COPY" in q["sql"]]
    assert len(inserts) + len(copies) <= 1
    dawn.refresh_from_db()
    assert dawn.service_body_id == tree.north.pk
    moved = ListingChange.objects.filter(kind="meeting", object_id=dawn.pk).first()
    assert moved is not None
    assert (moved.action, moved.who, moved.via) == ("changed", "district-9", "import")
    assert moved.fields == {"service_body": [None, tree.north.pk]}
    assert ListingChange.objects.count() == before + 2  # the two meetings, nothing else changed
    # A re-import with the same owner moves nothing, so records nothing.
    _import(FEED, owner=tree.north)
    assert ListingChange.objects.count() == before + 2
    # Undoing it puts the meeting back where it was.
    history.revert(moved, "webservant")
    dawn.refresh_from_db()
    assert dawn.service_body_id is None


def test_a_first_import_with_an_owner_records_its_new_meetings_once() -> None:
    tree = make_tree()
    _import(FEED, owner=tree.north)
    dawn = Meeting.objects.get(slug="dawn-patrol")
    assert dawn.service_body_id == tree.north.pk
    assert [c.action for c in entries(dawn)] == ["created"]


def test_a_dry_run_import_records_nothing() -> None:
    _import(FEED, dry_run=True)
    assert ListingChange.objects.count() == 0


def test_an_import_s_group_change_is_recorded_field_by_field() -> None:
    _import(FEED)
    _import([dict(FEED[0], group_notes="Meets upstairs"), FEED[1]])
    group = Group.objects.get(name="Dawn Group")
    assert entries(group)[0].fields == {"notes": ["", "Meets upstairs"]}


def test_admin_edits_of_each_kind_are_recorded_with_the_operator_s_name(admin_client: Client) -> None:
    tree = make_tree()
    meeting = tree.meeting
    page = admin_client.get(f"/admin/directory/meeting/{meeting.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data.update(name="Hope Tuesday Admin", days="[2]", types=json.dumps(meeting.types), regions="[]")
    data["day_mask"] = meeting.day_mask
    data.update(updated_0=meeting.updated.date().isoformat(), updated_1="12:00:00")
    data.update(last_verified_0="", last_verified_1="")
    answer = admin_client.post(f"/admin/directory/meeting/{meeting.pk}/change/", data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    change = entries(meeting)[0]
    assert (change.who, change.via) == ("admin", "admin")
    assert change.fields["name"] == ["Hope Tuesday", "Hope Tuesday Admin"]

    answer = admin_client.post(
        "/admin/directory/servicebody/add/", {"name": "East Intergroup", "slug": "east", "kind": "intergroup"}
    )
    assert answer.status_code == 302
    east = ServiceBody.objects.get(slug="east")
    assert [(c.action, c.via) for c in entries(east)] == [("created", "admin")]

    location = make_location("Shelbyville")
    answer = admin_client.post(f"/admin/directory/location/{location.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    (removed,) = entries(location)
    assert removed.action == "removed" and removed.fields["city"] == ["Shelbyville", None]

    answer = admin_client.post(
        "/admin/directory/group/",
        {"action": "delete_selected", "_selected_action": [tree.other.pk], "post": "yes"},
    )
    assert answer.status_code == 302
    assert [c.action for c in entries(tree.other)] == ["removed"]


def test_the_history_keeps_no_contact_people_of_a_group() -> None:
    tree = make_tree()
    before = history.snapshot(tree.hope)
    tree.hope.contacts = [{"name": "Sam", "email": "samcanary@example.org", "phone": "555 0100"}]
    tree.hope.notes = "Coffee first"
    tree.hope.save()
    history.record(tree.hope, "hope-sec", before)
    (change,) = entries(tree.hope)
    assert change.fields == {"notes": ["", "Coffee first"]}
    assert "samcanary" not in json.dumps(change.fields)


def test_servants_adding_a_body_and_a_group_are_recorded() -> None:
    tree = make_tree()
    client = signed_in(tree.north_admin)
    answer = client.post("/service/bodies/north", {"action": "add-group", "group-name": "Courage Group"}, follow=False)
    assert answer.status_code == 302
    courage = Group.objects.get(name="Courage Group")
    assert [(c.action, c.who) for c in entries(courage)] == [("created", "north-chair")]


# Undoing -----------------------------------------------------------------------------------------------------------


def test_a_secretary_undoes_a_change_from_the_history_page_and_the_undoing_is_recorded() -> None:
    tree = make_tree()
    change = listing.apply(tree.meeting, {"name": "Wrong Name", "notes": "Oops"}, who="north-chair")
    assert change is not None
    client = signed_in(tree.secretary)
    page = client.get("/service/meetings/hope-tuesday/history")
    assert page.status_code == 200
    assert f'action="/service/history/changes/{change.pk}/undo"' in page.content.decode()
    answer = client.post(f"/service/history/changes/{change.pk}/undo")
    assert answer.status_code == 302
    tree.meeting.refresh_from_db()
    assert (tree.meeting.name, tree.meeting.notes) == ("Hope Tuesday", "")
    undone = entries(tree.meeting)[0]
    assert (undone.who, undone.via, undone.reverts_id) == ("hope-sec", "revert", change.pk)
    assert undone.fields == {"name": ["Wrong Name", "Hope Tuesday"], "notes": ["Oops", ""]}
    assert "The change is undone" in client.get(answer["Location"]).content.decode()


def test_undoing_is_refused_with_a_sentence_when_the_same_fields_changed_since() -> None:
    tree = make_tree()
    first = listing.apply(tree.meeting, {"name": "Second Name"}, who="hope-sec")
    listing.apply(tree.meeting, {"name": "Third Name"}, who="north-chair")
    assert first is not None
    answer = signed_in(tree.secretary).post(f"/service/history/changes/{first.pk}/undo")
    assert answer.status_code == 409
    assert "Name changed again after this change" in answer.content.decode()
    tree.meeting.refresh_from_db()
    assert tree.meeting.name == "Third Name"
    assert ListingChange.objects.filter(via="revert").count() == 0


def test_undoing_goes_ahead_when_only_other_fields_changed_since() -> None:
    tree = make_tree()
    first = listing.apply(tree.meeting, {"name": "Second Name"}, who="hope-sec")
    listing.apply(tree.meeting, {"notes": "Later note"}, who="north-chair")
    assert first is not None
    history.revert(first, "hope-sec")
    tree.meeting.refresh_from_db()
    assert (tree.meeting.name, tree.meeting.notes) == ("Hope Tuesday", "Later note")


def test_an_import_s_change_and_an_admin_s_change_of_a_group_and_a_body_can_be_undone() -> None:
    _import(FEED)
    _import([dict(FEED[0], time="07:30"), FEED[1]])
    dawn = Meeting.objects.get(slug="dawn-patrol")
    history.revert(entries(dawn)[0], "site-admin")
    dawn.refresh_from_db()
    assert dawn.start_time.isoformat() == "07:00:00"
    assert dawn.slots.count() == 1  # the finder's index follows

    tree = make_tree()
    for obj, field, value in [(tree.hope, "website", "https://hope.example.org"), (tree.north, "phone", "555 0199")]:
        before = history.snapshot(obj)
        setattr(obj, field, value)
        obj.save()
        change = history.record(obj, "admin", before, via="admin")
        assert change is not None
        history.revert(change, "north-chair")
        obj.refresh_from_db()
        assert getattr(obj, field) == ""


def test_a_change_of_a_listing_removed_since_cannot_be_undone_and_says_why() -> None:
    tree = make_tree()
    change = listing.apply(tree.meeting, {"name": "Soon Gone"}, who="hope-sec")
    assert change is not None
    Meeting.objects.filter(pk=tree.meeting.pk).delete()
    with pytest.raises(history.Refused, match="removed since"):
        history.revert(change, "x")


def test_a_confirmation_is_not_undone_and_says_why() -> None:
    tree = make_tree()
    confirmed = history.verify(tree.meeting, "hope-sec")
    with pytest.raises(history.Refused, match="nothing to undo"):
        history.revert(confirmed, "x")


# Undoing an addition or a removal ------------------------------------------------------------------------------------


def test_a_secretary_undoes_a_removal_from_the_history_page_and_the_meeting_is_back_in_the_finder() -> None:
    tree = make_tree()
    listing.apply(tree.meeting, {"notes": "Side door", "types": ["O", "D"]}, who="hope-sec")
    before = history.snapshot(Meeting.objects.get(pk=tree.meeting.pk))
    number = tree.meeting.pk
    reports_remove(tree.meeting)
    removal = ListingChange.objects.filter(object_id=number, action="removed").get()
    client = signed_in(tree.secretary)
    page = client.get(f"/service/history/meeting/{number}").content.decode()
    assert "Undo this removal (put the listing back)" in page
    answer = client.post(f"/service/history/changes/{removal.pk}/undo")
    assert answer.status_code == 302 and answer["Location"].endswith("?done=restored")
    back = Meeting.objects.get(pk=number)
    assert history.snapshot(back) == before
    assert back.slots.count() == 1  # the finder finds it again
    assert Client().get("/meetings/hope-tuesday").status_code == 200
    restored = entries(back)[0]
    assert (restored.action, restored.via, restored.who, restored.reverts_id) == (
        "created",
        "revert",
        "hope-sec",
        removal.pk,
    )
    assert "The removal is undone" in client.get(answer["Location"]).content.decode()


def test_undoing_a_removal_is_refused_when_its_address_is_taken_now() -> None:
    tree = make_tree()
    number = tree.meeting.pk
    reports_remove(tree.meeting)
    make_meeting("Newcomer Tuesday", slug="hope-tuesday", group=tree.hope, location=make_location(), days=[2])
    removal = ListingChange.objects.get(object_id=number, kind="meeting", action="removed")
    answer = signed_in(tree.secretary).post(f"/service/history/changes/{removal.pk}/undo")
    assert answer.status_code == 409
    assert "Another listing has the address “hope-tuesday” now" in answer.content.decode()
    assert not Meeting.objects.filter(pk=number).exists()
    assert ListingChange.objects.filter(via="revert").count() == 0


def test_undoing_a_removal_is_refused_when_a_field_names_something_gone() -> None:
    tree = make_tree()
    number, place = tree.meeting.pk, tree.meeting.location
    assert place is not None
    reports_remove(tree.meeting)
    place.delete()
    removal = ListingChange.objects.get(object_id=number, kind="meeting", action="removed")
    with pytest.raises(history.Refused, match="what it named has been removed since"):
        history.revert(removal, "north-chair")
    assert not Meeting.objects.filter(pk=number).exists()


def test_a_servant_undoes_an_addition_and_the_listing_is_removed_with_its_history_kept() -> None:
    tree = make_tree()
    client = signed_in(tree.north_admin)
    client.post("/service/bodies/north", {"action": "add-group", "group-name": "Courage Group"})
    courage = Group.objects.get(name="Courage Group")
    added = entries(courage)[0]
    page = client.get(f"/service/history/group/{courage.pk}").content.decode()
    assert "Undo this addition (remove the listing)" in page
    answer = client.post(f"/service/history/changes/{added.pk}/undo")
    assert answer.status_code == 302 and answer["Location"].endswith("?done=unadded")
    assert not Group.objects.filter(pk=courage.pk).exists()
    removal = ListingChange.objects.filter(kind="group", object_id=courage.pk).first()
    assert removal is not None
    assert (removal.action, removal.via, removal.reverts_id) == ("removed", "revert", added.pk)
    assert removal.fields["name"] == ["Courage Group", None]
    # And the removal can itself be undone.
    history.revert(removal, "north-chair")
    assert Group.objects.get(pk=courage.pk).name == "Courage Group"


def test_undoing_an_addition_is_refused_when_the_listing_changed_since() -> None:
    tree = make_tree()
    meeting = group_setup.add_meeting(
        tree.hope,
        {"name": "Hope Sunday", "days": [0], "start_time": "10:00", "timezone": "America/Chicago"},
        tree.meeting.location,
        "hope-sec",
    )
    added = entries(meeting)[0]
    listing.apply(meeting, {"notes": "Bring a friend"}, who="hope-sec")
    client = signed_in(tree.secretary)
    assert "Undo this addition" not in client.get(f"/service/history/meeting/{meeting.pk}").content.decode()
    answer = client.post(f"/service/history/changes/{added.pk}/undo")
    assert answer.status_code == 409
    assert "has changed since it was added" in answer.content.decode()
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_undoing_an_addition_others_name_is_refused() -> None:
    tree = make_tree()
    added = history.record_created(tree.hope, "north-chair", via="page")
    with pytest.raises(history.Refused, match="1 other listing "):  # Hope Tuesday is Hope's
        history.revert(added, "north-chair")
    assert Group.objects.filter(pk=tree.hope.pk).exists()


def test_the_outsider_can_undo_neither_an_addition_nor_a_removal() -> None:
    tree = make_tree()
    added = history.record_created(tree.other_meeting, "x", via="page")  # theirs: the control
    meeting_added = history.record_created(tree.meeting, "hope-sec", via="page")
    number = tree.meeting.pk
    outsider = signed_in(tree.outsider)
    assert outsider.post(f"/service/history/changes/{meeting_added.pk}/undo").status_code == 403
    assert Meeting.objects.filter(pk=number).exists()
    reports_remove(tree.meeting)
    removal = ListingChange.objects.get(object_id=number, kind="meeting", action="removed")
    assert outsider.post(f"/service/history/changes/{removal.pk}/undo").status_code == 403
    assert not Meeting.objects.filter(pk=number).exists()
    assert ListingChange.objects.filter(via="revert").count() == 0
    assert outsider.post(f"/service/history/changes/{added.pk}/undo").status_code == 302


def reports_remove(meeting: Meeting) -> None:
    from stayhere.service import reports

    reports.remove(meeting, "north-chair")


def test_undoing_into_an_invalid_listing_is_refused_and_changes_nothing() -> None:
    tree = make_tree()
    phone = listing.apply(tree.meeting, {"conference_phone": "+1 555 0100"}, who="hope-sec")
    listing.apply(tree.meeting, {"attendance": "online"}, who="hope-sec")  # held by phone now
    assert phone is not None
    with pytest.raises(history.Refused, match="would leave the listing invalid: An online meeting needs"):
        history.revert(phone, "hope-sec")
    tree.meeting.refresh_from_db()
    assert (tree.meeting.attendance, tree.meeting.conference_phone) == ("online", "+1 555 0100")
    assert ListingChange.objects.filter(via="revert").count() == 0


# The outsider and bad input ------------------------------------------------------------------------------------------


def test_the_outsider_of_another_subtree_can_neither_read_nor_undo_any_kind_s_history() -> None:
    tree = make_tree()
    change = listing.apply(tree.meeting, {"name": "Changed"}, who="hope-sec")
    assert change is not None
    for obj in (tree.hope, tree.north):
        before = history.snapshot(obj)
        obj.phone = "555 0101"
        obj.save()
        history.record(obj, "admin", before, via="admin")
    outsider = signed_in(tree.outsider)
    location = tree.meeting.location
    assert location is not None
    for path in [
        "/service/meetings/hope-tuesday/history",
        f"/service/history/meeting/{tree.meeting.pk}",
        f"/service/history/group/{tree.hope.pk}",
        f"/service/history/service_body/{tree.north.pk}",
        f"/service/history/location/{location.pk}",
    ]:
        assert outsider.get(path).status_code == 403, path
    for entry in ListingChange.objects.all():
        assert outsider.post(f"/service/history/changes/{entry.pk}/undo").status_code == 403
    assert ListingChange.objects.filter(via="revert").count() == 0
    tree.meeting.refresh_from_db()
    assert tree.meeting.name == "Changed"
    # Their own subtree is theirs.
    assert outsider.get(f"/service/history/meeting/{tree.other_meeting.pk}").status_code == 200


def test_a_reviewer_reads_a_meeting_s_history_but_cannot_undo() -> None:
    tree = make_tree()
    change = listing.apply(tree.meeting, {"name": "Changed"}, who="hope-sec")
    assert change is not None
    reviewer = signed_in(tree.reviewer)
    page = reviewer.get("/service/meetings/hope-tuesday/history")
    assert page.status_code == 200 and "Undo this change" not in page.content.decode()
    assert reviewer.post(f"/service/history/changes/{change.pk}/undo").status_code == 403


def test_a_removed_meeting_s_history_stays_readable_by_its_service_body_s_admin_only() -> None:
    tree = make_tree()
    history.record_removed([tree.meeting], "admin", via="admin")
    number = tree.meeting.pk
    Meeting.objects.filter(pk=number).delete()
    page = signed_in(tree.north_admin).get(f"/service/history/meeting/{number}")
    assert page.status_code == 200 and "has been removed" in page.content.decode()
    assert signed_in(tree.outsider).get(f"/service/history/meeting/{number}").status_code == 403


def test_bad_requests_get_a_sentence_and_change_nothing() -> None:
    tree = make_tree()
    change = listing.apply(tree.meeting, {"name": "Changed"}, who="hope-sec")
    assert change is not None
    admin = signed_in(tree.site_admin)
    answer = admin.get(f"/service/history/changes/{change.pk}/undo")
    assert answer.status_code == 405 and "only takes a POST" in answer.content.decode()
    assert admin.post("/service/history/changes/999999/undo").status_code == 404
    answer = admin.get("/service/history/attendee/1")
    assert answer.status_code == 404
    assert admin.get("/service/history/meeting/999999").status_code == 404
    assert admin.post(f"/service/history/meeting/{tree.meeting.pk}").status_code == 405
    assert Client().get(f"/service/history/meeting/{tree.meeting.pk}").status_code == 302  # to sign in
    assert ListingChange.objects.count() == 1


def test_a_location_s_history_is_for_those_who_may_edit_every_meeting_held_there() -> None:
    tree = make_tree()
    shared = make_location("Capital City")
    Meeting.objects.filter(pk=tree.meeting.pk).update(location=shared)
    before = history.snapshot(shared)
    Location.objects.filter(pk=shared.pk).update(notes="Ramp at the back")
    shared.refresh_from_db()
    history.record(shared, "admin", before, via="admin")
    secretary = signed_in(tree.secretary)
    assert secretary.get(f"/service/history/location/{shared.pk}").status_code == 200
    make_meeting("Other At Capital", location=shared, group=tree.other)
    assert secretary.get(f"/service/history/location/{shared.pk}").status_code == 403


def test_undoing_a_move_to_a_place_since_removed_is_refused_with_a_sentence() -> None:
    tree = make_tree()
    first, second = tree.meeting.location, make_location("Ogdenville")
    assert first is not None
    before = history.snapshot(tree.meeting)
    Meeting.objects.filter(pk=tree.meeting.pk).update(location=second)
    tree.meeting.refresh_from_db()
    change = history.record(tree.meeting, "admin", before, via="admin")
    assert change is not None and change.fields == {"location": [first.pk, second.pk]}
    Location.objects.filter(pk=first.pk).delete()
    with pytest.raises(history.Refused, match="has been removed since"):
        history.revert(change, "north-chair")
    tree.meeting.refresh_from_db()
    assert tree.meeting.location_id == second.pk


def test_the_group_s_page_and_its_body_s_page_link_to_the_group_s_history_which_its_secretary_reads() -> None:
    tree = make_tree()
    target = f'href="/service/history/group/{tree.hope.pk}"'
    secretary = signed_in(tree.secretary)
    assert target in secretary.get("/service/groups/hope").content.decode()
    assert secretary.get(f"/service/history/group/{tree.hope.pk}").status_code == 200
    assert target in signed_in(tree.north_admin).get("/service/bodies/north").content.decode()
