"""A meeting's secretary rotates its phone code from the servants' pages; the operator from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from stayhere.phone import codes
from tests.service.factories import make_tree, signed_in

pytestmark = pytest.mark.django_db


def test_the_secretary_sees_the_code_and_draws_a_new_one_and_an_outsider_cannot() -> None:
    tree = make_tree()
    tree.meeting.has_room = True
    tree.meeting.save(update_fields=["has_room"])
    old = codes.code_for(tree.meeting)
    client = signed_in(tree.secretary)
    page = client.get("/service/meetings/hope-tuesday").content.decode()
    assert f"<strong>{old}</strong>" in page and 'value="phone_code"' in page
    answer = client.post("/service/meetings/hope-tuesday", {"action": "phone_code"})
    assert answer.status_code == 302 and answer["Location"].endswith("?done=phone_code")
    new = codes.code_for(tree.meeting)
    assert new != old and codes.line_for(old) is None
    assert "new phone code" in client.get(answer["Location"]).content.decode()

    refused = signed_in(tree.outsider).post("/service/meetings/hope-tuesday", {"action": "phone_code"})
    assert refused.status_code == 403 and codes.code_for(tree.meeting) == new


def test_a_meeting_without_a_room_has_no_code_to_rotate() -> None:
    tree = make_tree()
    client = signed_in(tree.secretary)
    assert 'value="phone_code"' not in client.get("/service/meetings/hope-tuesday").content.decode()
    answer = client.post("/service/meetings/hope-tuesday", {"action": "phone_code"})
    assert answer.status_code == 400 and "no phone code" in answer.content.decode()


def test_the_phone_code_command_prints_and_rotates_and_says_what_is_wrong() -> None:
    tree = make_tree()
    tree.meeting.has_room = True
    tree.meeting.save(update_fields=["has_room"])
    out = io.StringIO()
    call_command("phone_code", "hope-tuesday", stdout=out)
    first = codes.code_for(tree.meeting)
    assert f"phone code {first}" in out.getvalue()
    call_command("phone_code", "hope-tuesday", "--rotate", stdout=out)
    assert codes.code_for(tree.meeting) != first
    with pytest.raises(CommandError, match="No meeting has the slug"):
        call_command("phone_code", "nowhere")
    with pytest.raises(CommandError, match="no room here"):
        call_command("phone_code", tree.other_meeting.slug)
