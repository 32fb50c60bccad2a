"""Report a problem (anyone, no account): a wrong listing joins the suggestions' queue, a meeting that no longer
exists is a reviewed request to remove it, harmful conduct reaches only the group's secretary and the body's
admins. The outsider is refused at every step; bad input stores nothing; floods are limited."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, override_settings

from stayhere.directory.models import Meeting
from stayhere.service import permissions, reports
from stayhere.service.models import ChangeRequest, ListingChange, NoticeChoice, ProblemReport
from tests.service.factories import make_tree, signed_in

pytestmark = pytest.mark.django_db

CONDUCT = "Someone kept following a newcomer out to the car park."


def report(slug: str = "hope-tuesday", **fields: str):
    data = {"kind": "conduct", "text": CONDUCT, "contact": "", **fields}
    return Client().post(f"/meetings/{slug}/report", data)


def test_every_meeting_page_and_the_finder_s_results_link_to_report_a_problem() -> None:
    make_tree()
    page = Client().get("/meetings/hope-tuesday").content.decode()
    assert 'href="/meetings/hope-tuesday/report"' in page and ">Report a problem</a>" in page
    found = Client().get("/", {"q": "Hope"}).content.decode()
    assert 'href="/meetings/hope-tuesday/report"' in found and 'href="/meetings/hope-tuesday/suggest"' in found
    assert '<span id="result-hope-tuesday" hidden>Hope Tuesday</span>' in found  # what the links' descriptions say
    assert 'aria-describedby="result-hope-tuesday"' in found


def test_the_form_answers_without_an_account_and_keeps_no_session() -> None:
    make_tree()
    answer = Client().get("/meetings/hope-tuesday/report")
    assert answer.status_code == 200
    assert "Harmful conduct at this meeting" in answer.content.decode()
    assert Session.objects.count() == 0
    assert Client().get("/meetings/no-such-meeting/report").status_code == 404


def test_a_conduct_report_is_private_to_the_secretary_and_the_admins_above() -> None:
    tree = make_tree()
    answer = report(contact="visitor@example.org")
    assert answer.status_code == 200 and "your report was sent" in answer.content.decode()
    made = ProblemReport.objects.get()
    assert (made.kind, made.text, made.contact) == ("conduct", CONDUCT, "visitor@example.org")
    for reader in (tree.secretary, tree.north_admin, tree.site_admin):
        client = signed_in(reader)
        assert CONDUCT in client.get(f"/service/reports/{made.pk}").content.decode()
        assert f"Report #{made.pk}: Hope Tuesday" in client.get("/service/reports").content.decode()
    for stranger in (tree.reviewer, tree.outsider, tree.lapsed):
        client = signed_in(stranger)
        assert client.get(f"/service/reports/{made.pk}").status_code == 403
        assert client.post(f"/service/reports/{made.pk}", {"action": "close"}).status_code == 403
        assert CONDUCT not in client.get("/service/reports").content.decode()
    assert Client().get(f"/service/reports/{made.pk}").status_code == 302  # to the sign-in page
    assert CONDUCT not in Client().get("/meetings/hope-tuesday").content.decode()
    assert ListingChange.objects.count() == 0 and ChangeRequest.objects.count() == 0
    assert ProblemReport.objects.get().status == "open"


def test_closing_a_conduct_report_deletes_its_words_and_contact() -> None:
    tree = make_tree()
    report(contact="visitor@example.org")
    made = ProblemReport.objects.get()
    closed = signed_in(tree.secretary).post(f"/service/reports/{made.pk}", {"action": "close"})
    assert closed.status_code == 200 and "The report is closed" in closed.content.decode()
    made.refresh_from_db()
    assert (made.status, made.text, made.contact, made.closed_by) == ("closed", "", "", "hope-sec")
    again = signed_in(tree.north_admin).post(f"/service/reports/{made.pk}", {"action": "close"})
    assert again.status_code == 409 and "already been closed" in again.content.decode()
    assert Meeting.objects.filter(pk=tree.meeting.pk).exists()


def test_a_report_that_the_meeting_is_gone_is_reviewed_then_removes_it() -> None:
    tree = make_tree()
    assert report(kind="gone", text="The church says nobody has met here since March.").status_code == 200
    made = ProblemReport.objects.get()
    assert signed_in(tree.outsider).post(f"/service/reports/{made.pk}", {"action": "remove"}).status_code == 403
    assert signed_in(tree.secretary).get(f"/service/reports/{made.pk}").status_code == 403
    assert Meeting.objects.filter(pk=tree.meeting.pk).exists()
    removed = signed_in(tree.reviewer).post(f"/service/reports/{made.pk}", {"action": "remove"})
    assert removed.status_code == 200 and "Hope Tuesday is removed" in removed.content.decode()
    assert not Meeting.objects.filter(pk=tree.meeting.pk).exists()
    assert Client().get("/meetings/hope-tuesday").status_code == 404


def test_keeping_a_meeting_reported_gone_closes_the_report_and_keeps_the_meeting() -> None:
    tree = make_tree()
    report(kind="gone", text="Closed?")
    made = ProblemReport.objects.get()
    assert signed_in(tree.reviewer).post(f"/service/reports/{made.pk}", {"action": "close"}).status_code == 200
    assert Meeting.objects.filter(pk=tree.meeting.pk).exists()
    assert ProblemReport.objects.get().text == ""


def test_a_conduct_report_cannot_remove_the_meeting() -> None:
    tree = make_tree()
    report()
    made = ProblemReport.objects.get()
    refused = signed_in(tree.north_admin).post(f"/service/reports/{made.pk}", {"action": "remove"})
    assert refused.status_code == 409 and "Only a report that the meeting no longer exists" in refused.content.decode()
    assert Meeting.objects.filter(pk=tree.meeting.pk).exists()
    assert ProblemReport.objects.get().text == CONDUCT
    unknown = signed_in(tree.north_admin).post(f"/service/reports/{made.pk}", {"action": "explode"})
    assert unknown.status_code == 400 and "Choose one of the buttons" in unknown.content.decode()


def test_a_wrong_listing_becomes_a_suggestion_in_the_ordinary_queue() -> None:
    tree = make_tree()
    assert report(kind="wrong", text="It starts at 19:30 now.", contact="me@example.org").status_code == 200
    request = ChangeRequest.objects.get()
    assert (request.note, request.contact, request.proposed) == ("It starts at 19:30 now.", "me@example.org", {})
    assert ProblemReport.objects.count() == 0
    queue = signed_in(tree.reviewer).get("/service/bodies/north/requests").content.decode()
    assert f"Suggestion #{request.pk} for Hope Tuesday" in queue


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"kind": ""}, "Choose what the problem is."),
        ({"kind": "spam"}, "Choose one of the problems listed."),
        ({"text": ""}, "Say what the problem is, in a few words."),
        ({"text": "x" * 4001}, "under 4,000 characters"),
        ({"contact": "not an address"}, "Give an email address such as name@example.org"),
    ],
)
def test_bad_input_gets_a_sentence_and_stores_nothing(fields: dict[str, str], sentence: str) -> None:
    make_tree()
    answer = report(**fields)
    assert answer.status_code == 400
    assert sentence in answer.content.decode()
    assert ProblemReport.objects.count() == 0 and ChangeRequest.objects.count() == 0


def test_blank_words_are_refused_by_the_reports_module_too() -> None:
    tree = make_tree()
    with pytest.raises(reports.ReportRefused, match="Say what the problem is"):
        reports.report(tree.meeting, "conduct", "   ")
    with pytest.raises(reports.ReportRefused, match="Choose one of the problems"):
        reports.report(tree.meeting, "nonsense", "words")
    assert ProblemReport.objects.count() == 0


@override_settings(SUGGESTIONS_PER_MEETING=2, SUGGESTIONS_OVERALL=3)
def test_reports_are_limited_per_meeting_and_overall_apart_from_suggestions() -> None:
    make_tree()
    assert report(text="one").status_code == 200
    assert report(text="two").status_code == 200
    limited = report(text="three")
    assert limited.status_code == 429 and "Many problems have been reported here" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    assert report("other-friday", text="elsewhere").status_code == 200
    assert report("other-friday", text="over the server's limit").status_code == 429
    assert ProblemReport.objects.count() == 3
    form = {"name": "Hope Tuesday", "days": "2", "start_time": "19:00", "timezone": "America/Chicago"}
    suggestion = Client().post("/meetings/hope-tuesday/suggest", {**form, "attendance": "in_person", "note": "n"})
    assert suggestion.status_code == 200  # the suggestions' own count is apart


def with_addresses(*users) -> None:
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


def test_a_conduct_report_tells_the_secretary_and_the_admins_and_never_carries_the_words() -> None:
    tree = make_tree()
    with_addresses(tree.secretary, tree.north_admin, tree.reviewer, tree.outsider, tree.lapsed)
    report(contact="visitor@example.org")
    sent = sorted(address for message in mail.outbox for address in message.to)
    assert sent == ["hope-sec@example.org", "north-chair@example.org"]
    for message in mail.outbox:
        assert "harmful conduct" in message.subject and "/service/reports/" in message.body
        assert CONDUCT not in message.body and "visitor@example.org" not in message.body


def test_a_servant_who_turned_report_notices_off_gets_none() -> None:
    tree = make_tree()
    with_addresses(tree.secretary, tree.north_admin)
    NoticeChoice.objects.create(user=tree.secretary, reports=False)
    report()
    assert [message.to for message in mail.outbox] == [["north-chair@example.org"]]


def test_a_report_that_the_meeting_is_gone_tells_the_reviewers() -> None:
    tree = make_tree()
    with_addresses(tree.secretary, tree.reviewer, tree.outsider)
    report(kind="gone", text="gone")
    assert [message.to for message in mail.outbox] == [["north-review@example.org"]]


def test_the_permissions_module_decides_who_acts_on_each_kind_of_report() -> None:
    tree = make_tree()
    conduct = [permissions.may_act_on_report(u, "conduct", tree.meeting) for u in (tree.secretary, tree.reviewer)]
    assert conduct == [True, False]
    gone = [permissions.may_act_on_report(u, "gone", tree.meeting) for u in (tree.secretary, tree.reviewer)]
    assert gone == [False, True]
    for kind in ("conduct", "gone"):
        assert not permissions.may_act_on_report(tree.outsider, kind, tree.meeting)
        assert not permissions.may_act_on_report(tree.lapsed, kind, tree.meeting)
        assert permissions.may_act_on_report(tree.outsider, kind, tree.other_meeting)


def test_the_report_form_its_refusals_and_the_servants_new_pages_speak_spanish() -> None:
    tree = make_tree()
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    page = Client().get("/meetings/hope-tuesday/report", **spanish).content.decode()
    assert "Informar de un problema: Hope Tuesday" in page and "Conducta dañina en esta reunión" in page
    meeting_page = Client().get("/meetings/hope-tuesday", **spanish).content.decode()
    assert ">Informar de un problema</a>" in meeting_page
    refused = Client().post("/meetings/hope-tuesday/report", {"kind": "conduct", "text": ""}, **spanish)
    assert refused.status_code == 400 and "Di cuál es el problema, en pocas palabras." in refused.content.decode()
    secretary = signed_in(tree.secretary)
    assert "Tu cuenta" in secretary.get("/service/account", **spanish).content.decode()
    assert "La declaración del grupo" in secretary.get("/service/groups/hope", **spanish).content.decode()
    assert "No te espera ningún informe abierto." in secretary.get("/service/reports", **spanish).content.decode()
