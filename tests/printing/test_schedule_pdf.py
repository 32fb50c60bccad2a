"""GET /print/schedule.pdf, read back: every meeting once under its day with its time, how to join the ones
online or by phone, a legend of exactly the codes used, the paper sizes, the booklet's page count, Spanish."""

from __future__ import annotations

import io
import re
import sys

import pytest
from django.test import Client

from stayhere.directory import freshness
from stayhere.directory.models import Attendance, Meeting, ServiceBody
from stayhere.directory.types import CATALOG
from stayhere.printing import document, printer
from tests.directory.factories import make_location, make_meeting
from tests.printing.conftest import Fixture
from tests.printing.pdfs import pdf_of, read_pdf

DAYS_EN = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
DAYS_ES = ["Domingo", "Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado"]
A4, LETTER = (595.3, 841.9), (612.0, 792.0)
A5, HALF_LETTER = (419.5, 595.3), (396.0, 612.0)


def _flat(text: str) -> str:
    """The text with every run of spaces and line breaks as one space: where a line wraps is the layout's."""
    return re.sub(r"\s+", " ", text)


def _squeezed(text: str) -> str:
    """The text without any space or line break, for links a line may wrap anywhere."""
    return re.sub(r"\s+", "", text)


def _entries(text: str, name: str, codes: tuple[str, ...]) -> list[int]:
    """Where a meeting's entry (its name, then its codes) is in the flattened text."""
    wanted = re.escape(" ".join((name, *codes)))
    return [match.start() for match in re.finditer(rf"(?<!\S){wanted}(?= |$)", text)]


def _heading_above(text: str, position: int, headings: list[str]) -> str:
    pattern = "|".join(re.escape(heading) for heading in headings)
    found = re.findall(rf"(?<!\S)(?:{pattern})(?= )", text[:position])
    return found[-1] if found else ""


def test_every_meeting_of_the_body_and_its_districts_is_printed_once_under_its_day_with_its_time(
    client: Client, harbor: Fixture
) -> None:
    text = _flat(pdf_of(client.get("/print/schedule.pdf?body=harbor")).text)
    for meeting in harbor.listed:
        found = _entries(text, meeting.name, meeting.codes)
        assert len(found) == 1, (meeting.name, found)
        assert re.search(rf"(?<!\S){meeting.start}\u2013\d\d:\d\d $", text[: found[0]]), meeting.name
        assert _heading_above(text, found[0], DAYS_EN) == DAYS_EN[meeting.day]
    assert "Inland Meditation" not in text  # another body's
    assert "Closed For Repairs" not in text  # temporarily inactive: a printed list outlives the pause
    assert "North Shore Steps" in text  # the district's, under the intergroup


def test_the_cover_names_the_body_the_day_it_was_printed_and_where_the_current_list_is(
    client: Client, harbor: Fixture
) -> None:
    cover = pdf_of(client.get("/print/schedule.pdf?body=harbor")).pages[0]
    assert "Harbor Intergroup" in cover
    assert "Printed on " in cover and "6 meetings." in cover
    assert "http://testserver/" in cover
    assert "http://testserver/print/schedule.pdf?body=harbor" in cover
    assert "https://harbor.example.org" in cover and "555-0100" in cover
    assert "Every time is local time in Chicago." in cover


def test_online_and_phone_meetings_say_how_to_join(client: Client, harbor: Fixture) -> None:
    text = pdf_of(client.get("/print/schedule.pdf?body=harbor")).text
    assert "Join:https://meet.example.org/spanish-harbor" in _squeezed(text)
    assert "Passcode 4321" in text
    assert "Call: +1 555 0199" in _flat(text) and "Code 777" in text
    assert "Join:https://meet.example.org/pier" in _squeezed(text)  # hybrid: the address and the link
    assert "Grace Hall, 12 Elm Street, Springfield" in _flat(text)


def test_a_listed_room_is_printed_as_its_link_and_an_unlisted_room_never(client: Client, harbor: Fixture) -> None:
    from tests.rooms.factories import make_room

    listed = make_meeting("Room Here", days=[0], start="09:00", attendance=Attendance.ONLINE, has_room=True,
                          service_body=harbor.body)  # fmt: skip
    unlisted = make_meeting("Private Room", days=[0], start="11:00", attendance=Attendance.ONLINE, has_room=True,
                            service_body=harbor.body)  # fmt: skip
    Meeting.objects.filter(pk__in=[listed.pk, unlisted.pk]).update(conference_url="")
    make_room(Meeting.objects.get(pk=listed.pk))
    make_room(Meeting.objects.get(pk=unlisted.pk), unlisted=True)
    text = _flat(pdf_of(client.get("/print/schedule.pdf?body=harbor")).text)
    assert f"Join:http://testserver/meetings/{listed.slug}/room" in _squeezed(text)
    assert f"/meetings/{unlisted.slug}/room" not in _squeezed(text)
    position = _entries(text, "Private Room", ())[0]
    assert "Online Ask the group how to join." in text[position : position + 80]


def test_the_legend_holds_every_code_used_and_only_those(client: Client, harbor: Fixture) -> None:
    pdf = pdf_of(client.get("/print/schedule.pdf?body=harbor"))
    legend = pdf.pages[-1]
    assert legend.startswith("What the codes mean")
    rows = {line.strip() for line in legend.splitlines()}
    used = {code for meeting in harbor.listed for code in meeting.codes}
    for code, entry in CATALOG.items():
        assert (f"{code} {entry.name}" in rows) == (code in used), code
    assert "MED" in CATALOG and "GR" in CATALOG  # the other body's and the inactive meeting's: left out above


def test_a_code_no_catalogue_knows_is_in_the_legend_as_written(client: Client, harbor: Fixture) -> None:
    make_meeting("Own Codes", days=[0], start="08:00", types=["ZZQ"], service_body=harbor.body,
                 location=make_location())  # fmt: skip
    legend = pdf_of(client.get("/print/schedule.pdf?body=harbor")).pages[-1]
    assert "ZZQ a type this list uses, not named here" in legend


@pytest.mark.parametrize("paper,size", [("a4", A4), ("letter", LETTER)])
def test_the_paper_size_is_the_one_chosen(
    client: Client, harbor: Fixture, paper: str, size: tuple[float, float]
) -> None:
    pdf = pdf_of(client.get(f"/print/schedule.pdf?body=harbor&paper={paper}"))
    assert set(pdf.sizes) == {size}


@pytest.mark.parametrize("extra,paper,size", [(0, "a4", A5), (3, "letter", HALF_LETTER), (60, "a4", A5)])
def test_a_booklet_has_a_multiple_of_four_half_size_pages(
    client: Client, harbor: Fixture, extra: int, paper: str, size: tuple[float, float]
) -> None:
    place = make_location("Capital City")
    for number in range(extra):
        make_meeting(f"Extra Meeting {number}", days=[number % 7], start="17:00", location=place, types=["O"],
                     service_body=harbor.body)  # fmt: skip
    pdf = pdf_of(client.get(f"/print/schedule.pdf?body=harbor&layout=booklet&paper={paper}"))
    assert len(pdf.pages) % 4 == 0
    assert set(pdf.sizes) == {size}
    assert pdf.pages[0].startswith("Harbor Intergroup")
    blank = [page for page in pdf.pages if page.strip() == "Notes"]
    assert len(blank) < 4  # padding, never a whole sheet of it
    text = _flat(pdf.text)
    for number in range(extra):
        assert len(_entries(text, f"Extra Meeting {number}", ("O",))) == 1


def test_the_folding_order_puts_each_sheets_pages_where_a_fold_reads_them() -> None:
    assert document.folding_order(4) == [(3, 0), (1, 2)]
    assert document.folding_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    for count in (4, 8, 12, 40):
        sides = document.folding_order(count)
        assert sorted(page for side in sides for page in side) == list(range(count))


@pytest.mark.parametrize("paper,sheet", [("a4", (841.9, 595.3)), ("letter", (792.0, 612.0))])
def test_a_folded_booklet_is_imposed_two_pages_to_a_landscape_side(
    client: Client, harbor: Fixture, paper: str, sheet: tuple[float, float]
) -> None:
    booklet = pdf_of(client.get(f"/print/schedule.pdf?body=harbor&layout=booklet&paper={paper}"))
    folded = pdf_of(client.get(f"/print/schedule.pdf?body=harbor&layout=folded&paper={paper}"))
    assert len(folded.pages) * 2 == len(booklet.pages)
    assert folded.size < 2 * booklet.size  # the imposed sides share the booklet's fonts, compressed
    assert set(folded.sizes) == {sheet}
    # The first side holds the back page on its left and the cover on its right.
    assert booklet.pages[-1].strip() in folded.pages[0]
    assert "Harbor Intergroup" in folded.pages[0] and "Meeting schedule" in folded.pages[0]


def test_by_town_each_meeting_is_under_its_town_once_with_its_days(client: Client, harbor: Fixture) -> None:
    make_meeting("Twice Weekly", days=[1, 3], start="12:15", location=make_location("Springfield"), types=["D"],
                 service_body=harbor.body)  # fmt: skip
    text = _flat(pdf_of(client.get("/print/schedule.pdf?body=harbor&group=town")).text)
    towns = ["Shelbyville", "Springfield", "Online and by phone"]
    expected = {"Lighthouse Discussion": "Springfield", "Dawn Patrol": "Shelbyville", "Spanish Harbor":
                "Online and by phone", "Night Line": "Online and by phone", "Pier Hybrid": "Springfield"}  # fmt: skip
    for meeting in harbor.listed:
        found = _entries(text, meeting.name, meeting.codes)
        assert len(found) == 1
        if meeting.name in expected:
            assert _heading_above(text, found[0], towns) == expected[meeting.name]
    twice = _entries(text, "Twice Weekly", ("D",))
    assert len(twice) == 1
    assert text[: twice[0]].endswith("Mondays, Wednesdays 12:15\u201320:00 ")


def test_the_schedule_is_in_spanish_for_accept_language_es(client: Client, harbor: Fixture) -> None:
    make_meeting("Sunday Serenity", days=[0], start="09:00", service_body=harbor.body, location=make_location())
    pdf = pdf_of(client.get("/print/schedule.pdf?body=harbor", HTTP_ACCEPT_LANGUAGE="es"))
    assert "Programa de reuniones" in pdf.pages[0]
    assert "Impreso el " in pdf.pages[0]
    text = _flat(pdf.text)
    first = _entries(text, "Lighthouse Discussion", ("O", "D"))[0]
    assert _heading_above(text, first, DAYS_ES) == "Lunes"
    sunday = _entries(text, "Sunday Serenity", ())[0]
    assert first < sunday  # the week starts on Monday in Spanish: Sunday's meetings come last
    assert _heading_above(text, sunday, DAYS_ES) == "Domingo"
    assert pdf.pages[-1].startswith("Qué significan los códigos")
    assert "O Abierta" in pdf.pages[-1] and "C Cerrada" in pdf.pages[-1]
    assert "Meeting schedule" not in pdf.text and "What the codes mean" not in pdf.text
    english = pdf_of(client.get("/print/schedule.pdf?body=harbor"))
    assert "Meeting schedule" in english.pages[0]


@pytest.mark.parametrize(
    "query,sentence",
    [
        ("body=nowhere", "No service body here is called “nowhere”"),
        ("paper=a3", "The paper size must be “a4” or “letter”."),
        ("group=week", "Group the meetings by “day” or by “town”."),
        ("layout=scroll", "The layout must be “pages”, “booklet” or “folded”."),
        ("body=harbor&region=Harbor", "Choose a service body or a region, not both."),
        ("region=Atlantis", "No meeting lists the region “Atlantis”"),
    ],
)
def test_a_bad_choice_answers_400_with_a_sentence(client: Client, harbor: Fixture, query: str, sentence: str) -> None:
    response = client.get(f"/print/schedule.pdf?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert sentence in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_the_form_shown_again_keeps_the_choices_that_were_right(client: Client, harbor: Fixture) -> None:
    page = client.get("/print/schedule.pdf?body=harbor&paper=a3&layout=folded").content.decode()
    assert '<option value="harbor" selected>' in page
    assert 'id="p-layout-folded" name="layout" value="folded" checked' in page
    assert 'id="p-paper-a4" name="paper" value="a4" checked' in page  # the wrong size back to the default


def test_a_bad_choice_is_said_in_spanish(client: Client, harbor: Fixture) -> None:
    response = client.get("/print/schedule.pdf?paper=a3", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "El tamaño del papel debe ser «a4» o «letter»." in response.content.decode()


def test_a_body_with_no_meeting_answers_404_with_a_sentence(client: Client, harbor: Fixture) -> None:
    ServiceBody.objects.create(name="Quiet District", slug="quiet")
    response = client.get("/print/schedule.pdf?body=quiet")
    assert response.status_code == 404
    assert "No meeting is listed for Quiet District at the moment." in response.content.decode()


def test_a_region_prints_the_meetings_that_list_it(client: Client, harbor: Fixture) -> None:
    pdf = pdf_of(client.get("/print/schedule.pdf?region=Springfield"))
    text = _flat(pdf.text)
    assert pdf.pages[0].startswith("Springfield")
    assert _entries(text, "Lighthouse Discussion", ("O", "D"))
    assert not _entries(text, "Dawn Patrol", ("C", "BE"))


def test_a_selection_larger_than_a_printed_list_holds_answers_400(
    client: Client, harbor: Fixture, settings: object
) -> None:
    settings.PRINT_MAX_MEETINGS = 3  # type: ignore[attr-defined]
    response = client.get("/print/schedule.pdf?body=harbor")
    assert response.status_code == 400
    assert "That selection holds 6 meetings, more than one printed list can hold (3)" in response.content.decode()


def test_when_every_render_slot_is_taken_it_answers_503_with_retry_after(client: Client, harbor: Fixture) -> None:
    slots = printer._render_slots()
    assert slots.acquire(blocking=False)
    try:
        response = client.get("/print/schedule.pdf?body=harbor")
    finally:
        slots.release()
    assert response.status_code == 503
    assert response["Retry-After"] == str(printer.RETRY_AFTER_SECONDS)
    assert "Other schedules are being printed right now: try again in a few seconds." in response.content.decode()
    assert client.get("/print/schedule.pdf?body=harbor").status_code == 200  # the slot given back


def test_the_same_choices_are_served_from_the_kept_file_until_a_listing_changes(
    client: Client, harbor: Fixture
) -> None:
    first = client.get("/print/schedule.pdf?body=harbor&paper=letter")
    etag = first["ETag"]
    pdf_of(first)
    # While the directory is the same, even with every render slot taken, the kept PDF is served.
    slots = printer._render_slots()
    assert slots.acquire(blocking=False)
    try:
        again = client.get("/print/schedule.pdf?body=harbor&paper=letter")
        assert again["ETag"] == etag
        pdf_of(again)
        assert client.get("/print/schedule.pdf?body=harbor&paper=letter", HTTP_IF_NONE_MATCH=etag).status_code == 304
    finally:
        slots.release()
    assert client.get("/print/schedule.pdf?body=harbor&paper=letter", HTTP_ACCEPT_LANGUAGE="es")["ETag"] != etag
    make_meeting("Brand New", days=[0], start="16:00", service_body=harbor.body, location=make_location())
    freshness.changed()
    changed = client.get("/print/schedule.pdf?body=harbor&paper=letter")
    assert changed["ETag"] != etag
    assert _entries(_flat(pdf_of(changed).text), "Brand New", ())


def test_nothing_a_listing_says_makes_the_pdf_fetch_an_address(client: Client, harbor: Fixture) -> None:
    tag, link = (
        '<img src="http://198.51.100.7/tracker.png">',
        '<link rel="stylesheet" href="http://198.51.100.7/x.css">',
    )
    make_meeting(tag, days=[0], start="06:30", service_body=harbor.body, location=make_location(), notes=link)
    text = pdf_of(client.get("/print/schedule.pdf?body=harbor")).text
    assert '<imgsrc="http://198.51.100.7/tracker.png">' in _squeezed(text)  # printed as text, not fetched
    assert '<linkrel="stylesheet"href="http://198.51.100.7/x.css">' in _squeezed(text)


def test_the_pdf_fetcher_refuses_every_address() -> None:
    fetcher = document.NoFetching()
    html = (
        '<link rel="stylesheet" href="http://198.51.100.7/x.css"><p style="background: url(file:///etc/hostname)">'
        'x</p><img src="https://198.51.100.7/y.png"><img src="data:image/png;base64,iVBORw0KGgo=">'
    )
    pdf = document.render(html, lambda count: "", "a4", "pages", fetcher)
    assert read_pdf(pdf).pages
    assert set(fetcher.asked) >= {"http://198.51.100.7/x.css", "https://198.51.100.7/y.png", "file:///etc/hostname"}


def test_the_form_offers_every_choice_and_the_finder_links_to_it(client: Client, harbor: Fixture) -> None:
    page = client.get("/print/?body=harbor&paper=letter").content.decode()
    assert '<option value="harbor" selected>Harbor Intergroup</option>' in page
    assert '<option value="Springfield">' in page
    for name, value in [("group", "day"), ("group", "town"), ("paper", "a4"), ("layout", "pages"),
                        ("layout", "booklet"), ("layout", "folded")]:  # fmt: skip
        assert re.search(rf'<input type="radio" id="p-{name}-{value}" name="{name}" value="{value}"', page)
    assert 'id="p-paper-letter" name="paper" value="letter" checked' in page
    assert 'action="/print/schedule.pdf"' in page
    assert '<label for="p-body">' in page and '<label for="p-region">' in page
    assert 'href="/print/"' in client.get("/").content.decode()


def test_without_weasyprint_the_site_runs_and_printing_answers_503_with_a_sentence(
    client: Client, harbor: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as where WeasyPrint or Debian's Pango is missing
    response = client.get("/print/schedule.pdf?body=harbor&layout=booklet")
    assert response.status_code == 503
    assert "Printing is not set up on this server yet. Ask its administrator." in response.content.decode()
    assert client.get("/print/").status_code == 200
    assert client.get("/").status_code == 200


def test_meetings_in_several_zones_each_give_their_own_zone_beside_their_local_time(
    client: Client, harbor: Fixture
) -> None:
    make_meeting("Eastern Dawn", days=[1], start="06:15", tz="America/New_York", service_body=harbor.body,
                 location=make_location("Albany"), types=["O"])  # fmt: skip
    pdf = pdf_of(client.get("/print/schedule.pdf?body=harbor"))
    assert "Every time is the meeting's own local time; the time zone is given beside it." in _flat(pdf.pages[0])
    text = _flat(pdf.text)
    assert "06:15\u201320:00 (New York) Eastern Dawn O" in text  # its own wall clock, not converted
    assert "19:00\u201320:00 (Chicago) Lighthouse Discussion O D" in text


def test_the_pdf_says_its_title_and_language(client: Client, harbor: Fixture) -> None:
    from pypdf import PdfReader

    for language, title in (
        ("en", "Harbor Intergroup: meeting schedule"),
        ("es", "Harbor Intergroup: lista de reuniones"),
    ):
        response = client.get("/print/schedule.pdf?body=harbor", HTTP_ACCEPT_LANGUAGE=language)
        reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
        assert reader.metadata is not None and reader.metadata.title == title
        assert reader.trailer["/Root"].get("/Lang") == language
