"""Freshness: a servant confirms a listing is still right in one click, a service body's admin sees the listings of
the subtree nobody has confirmed for STAYHERE_VERIFY_MONTHS months, and the feeds' ``updated`` is the later of the
last change and the last confirmation."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from stayhere.directory.feeds import exporter, meeting_guide_sql
from stayhere.directory.models import Meeting
from stayhere.service.history_views import months_before
from stayhere.service.models import ListingChange
from tests.service.factories import make_tree, signed_in

REPO = Path(__file__).resolve().parents[2]
PREFIX = "http://stayhere.example/meetings/"


@pytest.mark.django_db
def test_a_secretary_confirms_the_listing_in_one_click_and_the_history_says_who() -> None:
    tree = make_tree()
    secretary = signed_in(tree.secretary)
    page = secretary.get("/service/meetings/hope-tuesday").content.decode()
    assert "This listing is still right" in page and "No servant has confirmed this listing yet." in page
    answer = secretary.post("/service/meetings/hope-tuesday/verify", {"back": "meeting"})
    assert answer.status_code == 302 and answer["Location"] == "/service/meetings/hope-tuesday?done=verified"
    tree.meeting.refresh_from_db()
    assert tree.meeting.last_verified is not None
    assert timezone.now() - tree.meeting.last_verified < dt.timedelta(minutes=1)
    (entry,) = ListingChange.objects.filter(kind="meeting", object_id=tree.meeting.pk)
    assert (entry.action, entry.who, entry.fields) == ("verified", "hope-sec", {})
    assert "the listing is marked as confirmed today" in secretary.get(answer["Location"]).content.decode()


@pytest.mark.django_db
def test_confirming_is_refused_to_the_outsider_and_to_bad_requests_and_changes_nothing() -> None:
    tree = make_tree()
    outsider = signed_in(tree.outsider)
    assert outsider.post("/service/meetings/hope-tuesday/verify", {"back": "history"}).status_code == 403
    secretary = signed_in(tree.secretary)
    answer = secretary.get("/service/meetings/hope-tuesday/verify")
    assert answer.status_code == 405 and "only takes a POST" in answer.content.decode()
    answer = secretary.post("/service/meetings/hope-tuesday/verify", {"back": "https://elsewhere.example/"})
    assert answer.status_code == 400 and "named no page to return to" in answer.content.decode()
    answer = secretary.post("/service/meetings/hope-tuesday/verify", {"back": "unverified", "body": "nowhere"})
    assert answer.status_code == 400 and "no known service body" in answer.content.decode()
    assert secretary.post("/service/meetings/no-such-meeting/verify", {"back": "history"}).status_code == 404
    assert Client().post("/service/meetings/hope-tuesday/verify").status_code in (302, 403)
    tree.meeting.refresh_from_db()
    assert tree.meeting.last_verified is None
    assert ListingChange.objects.count() == 0


@pytest.mark.django_db
def test_a_body_admin_sees_the_subtree_s_listings_not_confirmed_for_the_set_months(settings) -> None:
    settings.VERIFY_MONTHS = 6
    tree = make_tree()
    recent = tree.meeting
    Meeting.objects.filter(pk=recent.pk).update(last_verified=timezone.now() - dt.timedelta(days=40))
    old = Meeting.objects.create(
        name="Hope Sunday", slug="hope-sunday", group=tree.hope, timezone="America/Chicago", day_mask=1,
        start_time=dt.time(9), last_verified=timezone.now() - dt.timedelta(days=400),
    )  # fmt: skip
    never = Meeting.objects.create(
        name="Hope Monday", slug="hope-monday", service_body=tree.north, timezone="America/Chicago", day_mask=2,
        start_time=dt.time(9),
    )  # fmt: skip
    admin = signed_in(tree.north_admin)
    page = admin.get("/service/bodies/north/unverified")
    assert page.status_code == 200
    shown = [m.slug for m in page.context["meetings"]]
    assert shown == [never.slug, old.slug]  # the never-confirmed first; not the other intergroup's, not the recent
    assert "in the last 6 months" in page.content.decode()
    assert [m.slug for m in admin.get("/service/bodies/north/unverified?months=1").context["meetings"]] == [
        never.slug,
        old.slug,
        recent.slug,
    ]
    # The region above sees both intergroups' listings.
    region = signed_in(tree.site_admin).get("/service/bodies/prairie/unverified")
    assert {m.slug for m in region.context["meetings"]} == {never.slug, old.slug, tree.other_meeting.slug}
    # One click from the list confirms, and the list no longer shows it.
    answer = admin.post("/service/meetings/hope-sunday/verify", {"back": "unverified", "body": "north"})
    assert answer["Location"] == "/service/bodies/north/unverified?done=verified"
    assert [m.slug for m in admin.get("/service/bodies/north/unverified").context["meetings"]] == [never.slug]


@pytest.mark.django_db
def test_the_list_to_check_refuses_the_outsider_the_secretary_and_a_bad_number_of_months() -> None:
    tree = make_tree()
    assert signed_in(tree.outsider).get("/service/bodies/north/unverified").status_code == 403
    assert signed_in(tree.secretary).get("/service/bodies/north/unverified").status_code == 403
    admin = signed_in(tree.north_admin)
    for bad in ("six", "0", "121", "-1"):
        answer = admin.get(f"/service/bodies/north/unverified?months={bad}")
        assert answer.status_code == 400 and "give a whole number from 1 to 120" in answer.content.decode(), bad


def test_months_before_keeps_the_day_or_takes_the_shorter_month_s_last() -> None:
    assert months_before(dt.date(2026, 8, 15), 6) == dt.date(2026, 2, 15)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 10), 13) == dt.date(2024, 12, 10)


@pytest.mark.parametrize(("value", "sentence"), [("six", "is not a whole number"), ("0", "use 1 or more")])
def test_a_bad_verify_months_setting_is_refused_with_a_sentence(tmp_path: Path, value: str, sentence: str) -> None:
    tmp_path.chmod(0o700)
    env = {**os.environ, "STAYHERE_DATA_DIR": str(tmp_path), "STAYHERE_VERIFY_MONTHS": value, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", "import stayhere.settings"], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode != 0
    assert "STAYHERE_VERIFY_MONTHS" in done.stderr and sentence in done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("per_day", [False, True])
def test_the_feed_s_updated_is_the_later_of_the_last_change_and_the_last_confirmation(per_day: bool) -> None:
    tree = make_tree()
    changed = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    Meeting.objects.update(updated=changed)
    Meeting.objects.filter(pk=tree.meeting.pk).update(last_verified=dt.datetime(2026, 9, 2, 8, 30, tzinfo=dt.UTC))
    Meeting.objects.filter(pk=tree.other_meeting.pk).update(last_verified=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    built = json.loads("".join(meeting_guide_sql.meeting_guide_chunks(PREFIX, per_day=per_day)))
    rendered = json.loads("".join(exporter.python_meeting_guide_chunks(PREFIX, per_day=per_day)))
    assert built == rendered
    updated = {item["slug"].split("--")[0]: item["updated"] for item in built}
    assert updated == {"hope-tuesday": "2026-09-02 08:30:00", "other-friday": "2026-05-01 12:00:00"}
