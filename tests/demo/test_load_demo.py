"""The load_demo command, the steps other apps add to it, and the demo as a feed the importer reads."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stayhere.demo import extras
from stayhere.demo.output import meeting_guide_records
from stayhere.demo.world import ATTENDANCE_MODES, generate
from stayhere.directory.feeds.importer import import_text
from stayhere.directory.models import Meeting, MeetingSlot
from stayhere.rooms.web.demo import setup_demo_rooms

TODAY = dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_load_demo_writes_meetings_and_their_slots() -> None:
    call_command("load_demo", meetings=40, seed=2, verbosity=0)
    assert Meeting.objects.count() == 40
    expected_slots = sum(len(m.days) for m in Meeting.objects.all())
    assert MeetingSlot.objects.count() == expected_slots


@pytest.mark.django_db
def test_load_demo_if_empty_leaves_a_filled_directory_alone() -> None:
    call_command("load_demo", meetings=20, seed=2, verbosity=0)
    call_command("load_demo", meetings=30, seed=5, if_empty=True, verbosity=0)
    assert Meeting.objects.count() == 20


@pytest.mark.django_db
def test_load_demo_refuses_to_mix_with_existing_meetings() -> None:
    call_command("load_demo", meetings=10, seed=2, verbosity=0)
    with pytest.raises(CommandError, match="already has 10 meetings"):
        call_command("load_demo", meetings=10, seed=3, verbosity=0)
    assert Meeting.objects.count() == 10


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["x", "0", "-5", "2000000"])
def test_load_demo_rejects_a_meeting_count_it_cannot_make(bad: str) -> None:
    with pytest.raises(CommandError, match="meetings"):
        call_command("load_demo", "--meetings", bad, verbosity=0)
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_the_meeting_guide_records_import_through_the_real_importer() -> None:
    small = generate(120, seed=6, today=TODAY)
    report = import_text(json.dumps(meeting_guide_records(small)), source_name="demo.json", key="demo")
    assert report.skipped == 0
    assert Meeting.objects.count() == 120
    zones = {m.slug: m.town.region.zone for m in small.meetings}
    for slug, zone, attendance in Meeting.objects.values_list("source_slug", "timezone", "attendance"):
        assert zone == zones[slug]
        assert attendance in ATTENDANCE_MODES


# Steps other apps add ----------------------------------------------------------------------


@pytest.fixture
def only_our_steps(monkeypatch: pytest.MonkeyPatch) -> list[extras.Step]:
    steps: list[extras.Step] = []
    monkeypatch.setattr(extras, "_steps", steps)
    return steps


def _recording_step(seen: list[tuple[int, bool]]) -> extras.Step:
    def step(out: extras.Writer | None) -> None:
        seen.append((Meeting.objects.count(), out is not None))
        if out is not None:
            out.write("step ran\n")

    return step


@pytest.mark.django_db
def test_load_demo_runs_each_registered_step_once_the_meetings_are_written(only_our_steps) -> None:
    seen: list[tuple[int, bool]] = []
    step = _recording_step(seen)
    extras.register(step)
    extras.register(step)  # an app made ready twice still adds its step once
    out = io.StringIO()
    call_command("load_demo", meetings=12, seed=2, stdout=out)
    assert seen == [(12, True)] and out.getvalue().endswith("step ran\n")


@pytest.mark.django_db
def test_a_quiet_load_demo_gives_its_steps_nowhere_to_write(only_our_steps) -> None:
    seen: list[tuple[int, bool]] = []
    extras.register(_recording_step(seen))
    call_command("load_demo", meetings=5, seed=2, verbosity=0)
    assert seen == [(5, False)]


def test_the_rooms_app_registers_its_demo_rooms() -> None:
    assert setup_demo_rooms in extras.steps()
