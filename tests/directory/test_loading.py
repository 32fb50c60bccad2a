from __future__ import annotations

import datetime as dt

import pytest

from stayhere.directory.loading import meetings_by_id
from stayhere.directory.models import Attendance, Group, Meeting, ServiceBody
from tests.directory.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db


def test_it_loads_the_same_meetings_select_related_would():
    body = ServiceBody.objects.create(name="Area 99", slug="area-99")
    group = Group.objects.create(name="Serenity", slug="serenity", contacts=[{"name": "Sam"}], moud_welcome=True)
    located = make_meeting("Located", location=make_location(), group=group, service_body=body, types=["O", "D"])
    online = make_meeting("Online", attendance=Attendance.ONLINE, regions=["Illinois", "Chicago"])
    loaded = meetings_by_id([located.pk, online.pk])
    expected = Meeting.objects.select_related("location", "group", "service_body").in_bulk([located.pk, online.pk])
    for pk, meeting in expected.items():
        got = loaded[pk]
        for field in Meeting._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(meeting, field.attname), field.name
    first = loaded[located.pk]
    assert first.start_time == dt.time(19, 0) and first.types == ["O", "D"]
    assert first.location is not None and first.location.city == "Springfield"
    assert first.group is not None and first.group.contacts == [{"name": "Sam"}] and first.group.moud_welcome is True
    assert first.service_body is not None and first.service_body.name == "Area 99"
    assert loaded[online.pk].location is None and loaded[online.pk].regions == ["Illinois", "Chicago"]


def test_related_rows_come_without_another_query(django_assert_num_queries):
    meeting = make_meeting("One", location=make_location(), group=Group.objects.create(name="G", slug="g"))
    with django_assert_num_queries(1):
        loaded = meetings_by_id([meeting.pk])[meeting.pk]
        assert loaded.location is not None and loaded.group is not None and loaded.service_body is None


def test_no_ids_ask_the_database_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert meetings_by_id([]) == {}
