"""The finder's markup rules: no inline script or style, labels, headings, language, skip link."""

from __future__ import annotations

import gzip
import itertools
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.directory import finder_data
from tests.directory.finder_data import Directory, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory() -> Directory:
    return finder_data.build()


class Markup(HTMLParser):
    """Collects what the accessibility and CSP checks look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.label_depth = 0
        self.unlabelled: list[str] = []
        self.label_for: set[str] = set()
        self.field_ids: list[tuple[str, str]] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
        if tag in {"input", "select", "textarea"} and attributes.get("type") != "hidden":
            if self.label_depth == 0:
                self.field_ids.append((tag, str(attributes.get("id") or "")))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


def parse(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    return markup


# Markup rules ------------------------------------------------------------------------------

PAGES = ["/", "/?day=9", "/meetings/serenity-seekers", "/meetings/night-owls", "/meetings/nowhere"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_no_inline_script_or_style(client: Client, directory: Directory, url: str) -> None:
    markup = parse(client.get(url).content.decode())
    for tag, attributes in markup.tags:
        assert "style" not in attributes, tag
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert tag != "style"
        if tag == "script":
            assert (attributes.get("src") or "").startswith("/static/"), attributes
            assert attributes.get("type") == "module"


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_in_a_language_with_a_skip_link_main_and_the_feed(
    client: Client, directory: Directory, url: str
) -> None:
    html = client.get(url).content.decode()
    assert re.search(r'<html lang="en">', html)
    assert '<a class="skip" href="#main">' in html
    assert '<main id="main"' in html
    assert (
        '<link rel="alternate" type="application/json" title="Meetings Feed" href="/feeds/meeting-guide.json">' in html
    )


@pytest.mark.parametrize("url", PAGES)
def test_headings_never_skip_a_level(client: Client, directory: Directory, url: str) -> None:
    headings = parse(client.get(url).content.decode()).headings
    assert headings[0] == 1
    for before, after in itertools.pairwise(headings):
        assert after <= before + 1, headings


def test_every_field_of_the_finder_has_a_label(client: Client, directory: Directory) -> None:
    markup = parse(page(client, "/"))
    for tag, ident in markup.field_ids:
        assert ident and ident in markup.label_for, (tag, ident)
    boxes = [attrs for tag, attrs in markup.tags if tag == "input" and attrs.get("type") == "checkbox"]
    assert len(boxes) > 150  # days, times, modes, both sides of every facet, fellowships


def test_facet_groups_each_have_a_fieldset_and_legend(client: Client, directory: Directory) -> None:
    html = page(client, "/")
    for legend in ("Open or closed", "Format", "Features and accessibility", "Community", "Language", "The group says"):
        assert f"<legend>{legend}</legend>" in html


def test_the_finder_page_is_sent_compressed_when_the_browser_accepts_it(client: Client, directory: Directory) -> None:
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Find a meeting" in gzip.decompress(response.content).decode()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/static/stayhere/site.css", "text/css"),
        ("/static/stayhere/finder.js", "text/javascript"),
        ("/static/stayhere/meeting.js", "text/javascript"),
        ("/static/stayhere/times.js", "text/javascript"),
        ("/static/stayhere/favourites.js", "text/javascript"),
    ],
)
def test_the_pages_own_css_and_modules_are_served(client: Client, path: str, kind: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(kind)


def test_the_server_error_page_renders_without_a_request_context(rf) -> None:
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "<title>Something went wrong · stayhere</title>" in html


def test_after_a_search_the_form_folds_under_a_summary_of_the_choices(client: Client, directory: Directory) -> None:
    html = page(client, "/?q=serenity&day=1&time=evening&mode=in_person&fellowship=AA")
    assert '<details class="filters" id="f-filters">' in html  # closed: the results come first
    assert "<summary>Change the search</summary>" in html
    summary = re.search(r'<p class="searched" id="f-summary">(.*?)</p>', html)
    assert summary is not None
    assert "serenity" in summary.group(1)
    for said in ("Monday", "Evening", "In person", "Alcoholics Anonymous"):
        assert said in summary.group(1), said
    assert html.index('id="f-summary"') < html.index('id="f-q"') < html.index('class="results"')


def test_before_a_search_and_after_a_mistake_the_form_is_open(client: Client, directory: Directory) -> None:
    assert 'id="f-summary"' not in page(client, "/")
    assert '<details class="filters"' not in page(client, "/")
    mistaken = page(client, "/?day=9", status=400)
    assert '<details class="filters"' not in mistaken and 'id="f-q"' in mistaken
