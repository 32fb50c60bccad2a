"""Email notices of a new suggestion: to the reviewers and admins above the meeting who gave an address, never to
the outsider, never carrying the visitor's note or email; a mail server that is away costs the suggestion nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from stayhere.service.models import ChangeRequest
from tests.service.factories import make_tree
from tests.service.test_meeting_edit import form_data

pytestmark = pytest.mark.django_db


def with_addresses(*users) -> None:
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


def test_a_suggestion_tells_the_reviewers_above_the_meeting_who_gave_an_address() -> None:
    tree = make_tree()
    with_addresses(tree.reviewer, tree.north_admin, tree.outsider, tree.lapsed, tree.secretary)
    answer = Client().post(
        "/meetings/hope-tuesday/suggest",
        form_data(tree.meeting, start_time="19:30", note="VisitorNote", contact="visitor@example.org"),
    )
    assert answer.status_code == 200
    request = ChangeRequest.objects.get()
    sent = sorted(address for message in mail.outbox for address in message.to)
    assert sent == ["north-chair@example.org", "north-review@example.org"]
    message = mail.outbox[0]
    assert "Hope Tuesday" in message.subject
    assert f"http://testserver/service/requests/{request.pk}" in message.body
    assert "VisitorNote" not in message.body and "visitor@example.org" not in message.body


def test_no_address_no_notice() -> None:
    tree = make_tree()
    Client().post("/meetings/hope-tuesday/suggest", form_data(tree.meeting, start_time="19:30"))
    assert ChangeRequest.objects.count() == 1
    assert mail.outbox == []


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_TIMEOUT=2
)
def test_a_mail_server_that_refuses_costs_the_suggestion_nothing(caplog: pytest.LogCaptureFixture) -> None:
    tree = make_tree()
    with_addresses(tree.reviewer)
    answer = Client().post("/meetings/hope-tuesday/suggest", form_data(tree.meeting, start_time="19:30"))
    assert answer.status_code == 200
    assert ChangeRequest.objects.count() == 1
    assert "could not be sent" in caplog.text
    assert "north-review@example.org" not in caplog.text
