"""`stayhere sources add|list|remove`, a source's record beside its meetings' key, where a listing came from on its
page and in a suggested change, and the warning when one feed is imported again from another place."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from stayhere.directory.feeds import sources, sync
from stayhere.directory.models import FeedSource, Meeting
from stayhere.service.models import ChangeRequest
from tests.conftest import TEST_DATA
from tests.service.factories import make_tree, signed_in
from tests.service.test_meeting_edit import form_data

pytestmark = pytest.mark.django_db

SMALL = TEST_DATA / "feeds" / "small-meeting-guide.json"  # three meetings
SAN_JOSE = TEST_DATA / "feeds" / "real" / "mg-san-jose-2018-code4recovery.json"


def _command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["htp://example.org/feed.json"], "is not an http(s) URL or a file"),
        (["https://"], "is not a usable URL: write it whole"),
        (["https://exa mple.org/x.json"], "is not a usable URL"),
        (["/no/such/feed.json"], "There is no file /no/such/feed.json"),
        (["https://example.org/f.json", "--format", "xml"], "'xml' is not a feed format: use one of meeting-guide"),
        (["https://example.org/f.json", "--body", "nowhere"], "There is no service body 'nowhere'"),
        (["https://example.org/f.json", "--every", "sometimes"], "'sometimes' is not a schedule stayhere understands"),
        (["https://example.org/f.json", "--every", "every 5 minutes"], "too often"),
        (["https://example.org/f.json", "--every", "every 90 days"], "too rare"),
        (["https://example.org/f.json", "--timezone", "Mars/Base"], "--timezone:"),
        (["https://example.org/f.json", "--fellowship", "XYZ"], "'XYZ' is not a fellowship stayhere knows"),
    ],
)
def test_a_bad_source_is_refused_with_a_sentence_and_nothing_is_added(args, sentence):
    call_command("sources", "add", "https://example.org/kept.json", "--name", "Kept")
    with pytest.raises(CommandError, match=None) as refused:
        _command("sources", "add", *args)
    assert sentence in str(refused.value)
    assert list(FeedSource.objects.values_list("name", flat=True)) == ["Kept"]


def test_a_second_source_with_the_same_name_or_location_is_refused():
    _command("sources", "add", "https://example.org/a.json", "--name", "District 12")
    with pytest.raises(CommandError, match="already has the name 'District 12': choose another with --name"):
        _command("sources", "add", "https://example.org/b.json", "--name", "District 12")
    with pytest.raises(
        CommandError, match=re.escape("already has https://example.org/a.json: it is already kept fresh")
    ):
        _command("sources", "add", "https://example.org/a.json", "--name", "Other")
    assert FeedSource.objects.count() == 1


def test_add_list_and_remove_a_source():
    make_tree()
    said = _command("sources", "add", "https://example.org/d12.json", "--name", "District 12", "--body", "north",
                    "--every", "every 6 hours", "--format", "csv")  # fmt: skip
    assert "Added the source 'District 12' (key district-12), synced every 6 hours" in said
    source = FeedSource.objects.get()
    assert (source.key, source.format, source.service_body.slug, source.schedule) == (
        "district-12", "csv", "north", "every 6 hours"
    )  # fmt: skip
    listed = _command("sources", "list")
    assert "District 12 [district-12]" in listed and "kept by North Intergroup, synced every 6 hours" in listed
    assert "Not synced yet." in listed
    assert "Removed the source 'District 12'." in _command("sources", "remove", "district-12")
    assert FeedSource.objects.count() == 0
    assert "No source is kept fresh yet" in _command("sources", "list")


def test_removing_a_missing_source_is_a_sentence_and_changes_nothing():
    _command("sources", "add", "https://example.org/a.json", "--name", "Kept")
    with pytest.raises(CommandError, match="There is no source 'gone': `stayhere sources list` shows them"):
        _command("sources", "remove", "gone")
    assert FeedSource.objects.count() == 1


def test_removing_a_source_keeps_its_meetings_unless_asked():
    kept = sources.add(sources.NewSource(location=str(SMALL), name="Small list"))
    sync.sync([kept])
    assert "Its 3 meetings stay listed" in _command("sources", "remove", "Small list")
    assert Meeting.objects.filter(source="small-list").count() == 3
    again = sources.add(sources.NewSource(location=str(SMALL), name="Small list", key="small-list"))
    assert again.key == "small-list"
    assert "and its 3 meetings" in _command("sources", "remove", "small-list", "--with-meetings")
    assert Meeting.objects.count() == 0


def test_a_listing_from_a_source_says_so_and_its_suggestions_go_to_the_source_s_owner():
    tree = make_tree()
    owned = sources.add(sources.NewSource(location=str(SMALL), name="Springfield list", body="north"))
    sync.sync([owned])
    meeting = Meeting.objects.get(source=owned.key, source_slug="sunday-serenity")
    page = Client().get(f"/meetings/{meeting.slug}").content.decode()
    assert "Listed from Springfield list." in page
    assert "North Intergroup keeps this list: a suggested change goes to them." in page
    assert str(SMALL) not in page  # a server path is never shown
    form = Client().get(f"/meetings/{meeting.slug}/suggest").content.decode()
    assert "This listing comes from Springfield list, which North Intergroup keeps" in form
    answer = Client().post(f"/meetings/{meeting.slug}/suggest", form_data(meeting, start_time="18:30"))
    assert answer.status_code == 200
    request = ChangeRequest.objects.get()
    queue = signed_in(tree.reviewer).get("/service/bodies/north/requests").content.decode()
    assert f"Suggestion #{request.pk}" in queue
    assert (
        f"Suggestion #{request.pk}"
        not in signed_in(tree.outsider).get("/service/bodies/south/requests").content.decode()
    )


def test_import_feed_keeps_a_record_of_a_source_imported_by_hand():
    _command("import_feed", str(SMALL))
    source = FeedSource.objects.get()
    assert source.key == str(SMALL.resolve()) and source.schedule == "manual"
    assert source.name == "small-meeting-guide.json" and source.last_success_at is not None
    assert source.last_created == 3
    _command("import_feed", str(SMALL))  # the same again: the same record
    assert FeedSource.objects.count() == 1


def test_the_same_feed_imported_from_another_path_is_warned_about(tmp_path):
    _command("import_feed", str(SAN_JOSE))
    copy = tmp_path / "moved.json"
    shutil.copy(SAN_JOSE, copy)
    said = _command("import_feed", str(copy), "--dry-run")
    first = str(SAN_JOSE.resolve())
    assert "warning: This feed would list again 568 of the 568 meetings already imported from" in said
    assert f"--source-key {first}" in said
    assert not Meeting.objects.filter(source=str(copy)).exists()
    # Imported under the first source's key, it updates the meetings instead of copying them.
    said = _command("import_feed", str(copy), "--source-key", first)
    assert "warning: This feed" not in said and "0 created" in said
    assert Meeting.objects.count() == 568


def test_a_sync_of_a_source_that_repeats_another_warns_on_its_record(tmp_path):
    _command("import_feed", str(SMALL))
    copy = tmp_path / "copy.json"
    shutil.copy(SMALL, copy)
    second = sources.add(sources.NewSource(location=str(copy), name="The copy"))
    (outcome,) = sync.sync([second])
    assert "Warning: This feed would list again 3 of the 3 meetings already imported from" in outcome.sentence
    second.refresh_from_db()
    assert "may be the same feed read from another place" in second.last_warning


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_imported_key_a_record():
    executor = MigrationExecutor(connection)
    executor.migrate([("directory", "0002_directory_state")])
    old = executor.loader.project_state([("directory", "0002_directory_state")]).apps
    old_meeting = old.get_model("directory", "Meeting")
    for n, source in enumerate(["https://example.org/feeds/aa.json", "/srv/feeds/list.csv", "/other/list.csv", ""]):
        old_meeting.objects.create(slug=f"m{n}", name="M", timezone="UTC", source=source, source_slug=f"s{n}")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    records = dict(FeedSource.objects.values_list("key", "name"))
    assert records == {
        "https://example.org/feeds/aa.json": "example.org/feeds/aa.json",
        "/other/list.csv": "list.csv",  # in the keys' order
        "/srv/feeds/list.csv": "list.csv (2)",
    }
    assert set(FeedSource.objects.values_list("schedule", flat=True)) == {"manual"}


def test_the_admin_shows_each_source_s_status_and_flags_one_failing_for_days(settings):
    settings.SOURCE_FAILING_DAYS = 3
    tree = make_tree()
    failing = sources.add(sources.NewSource(location="https://example.org/x.json", name="Failing list"))
    FeedSource.objects.filter(pk=failing.pk).update(
        last_attempt_at=timezone.now(),
        failing_since=timezone.now() - dt.timedelta(days=5),
        last_error="https://example.org/x.json answered with HTTP status 500 (Internal Server Error).",
    )
    admin = signed_in(tree.site_admin)
    listing = admin.get("/admin/directory/feedsource/").content.decode()
    assert "FAILING FOR 5 DAYS" in listing and "HTTP status 500" in listing
    page = admin.get(f"/admin/directory/feedsource/{failing.pk}/change/").content.decode()
    assert "Failing list" in page and "FAILING FOR 5 DAYS" in page
    answer = admin.post(
        f"/admin/directory/feedsource/{failing.pk}/change/",
        {"name": "Failing list", "location": "https://example.org/x.json", "format": "", "schedule": "sometimes",
         "timezone": "", "fellowship": "", "created_at_0": "2026-01-01", "created_at_1": "00:00:00"},
    )  # fmt: skip
    assert answer.status_code == 200 and "is not a schedule stayhere understands" in answer.content.decode()
    assert FeedSource.objects.get(pk=failing.pk).schedule == "daily"


def test_import_feed_of_a_kept_source_s_location_updates_that_source():
    body_tree = make_tree()
    kept = sources.add(sources.NewSource(location=str(SMALL), name="Springfield list", body="north", every="daily"))
    said = _command("import_feed", str(SMALL))
    assert "3 created" in said
    imported = Meeting.objects.exclude(source="")
    assert set(imported.values_list("source", flat=True)) == {kept.key}  # its key, not the path
    assert set(imported.values_list("service_body", flat=True)) == {body_tree.north.pk}
    kept.refresh_from_db()
    assert kept.last_created == 3 and kept.last_success_at is not None and FeedSource.objects.count() == 1
