"""The servants' pages and the suggestion form carry the site's strict headers, with one difference: the referrer
goes to this origin only, because Chromium posts a form from a no-referrer page with "Origin: null", which the
CSRF check refuses (tests/browser/test_servants_browser.py posts every one of them)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.core.test_headers import OWN_SOURCES
from tests.service.factories import make_tree, signed_in

pytestmark = pytest.mark.django_db


def test_form_pages_send_the_referrer_to_this_origin_only_and_keep_the_strict_csp() -> None:
    tree = make_tree()
    secretary = signed_in(tree.secretary)
    for client, path in [
        (Client(), "/meetings/hope-tuesday/suggest"),
        (Client(), "/service/sign-in"),
        (secretary, "/service/groups/hope"),
        (secretary, "/service/meetings/hope-tuesday"),
        (Client(), "/meetings/hope-tuesday/report"),
        (secretary, "/service/groups/hope/statement"),
        (secretary, "/service/groups/hope/room"),
        (secretary, "/service/groups/hope/meetings/new"),
        (secretary, "/service/groups/hope/places/new"),
        (secretary, f"/service/places/{tree.meeting.location_id}"),
        (secretary, "/service/account"),
        (secretary, "/service/reports"),
    ]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Referrer-Policy"] == "same-origin", path
        assert '<meta name="referrer" content="same-origin">' in answer.content.decode(), path
        policy = answer.headers["Content-Security-Policy"]
        sources = [source for part in policy.split(";") for source in part.split()[1:]]
        assert set(sources) <= OWN_SOURCES, path
        assert "no-store" in answer.headers["Cache-Control"] or "max-age=0" in answer.headers["Cache-Control"], path


def test_the_meeting_page_itself_still_sends_no_referrer() -> None:
    make_tree()
    answer = Client().get("/meetings/hope-tuesday")
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in answer.content.decode()
