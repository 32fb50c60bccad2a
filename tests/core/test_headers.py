"""The headers every page carries: a strict CSP, no referrer (same-origin on the admin's pages), the microphone only
in the room, careful cookies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room

REPO = Path(__file__).resolve().parents[2]
OWN_SOURCES = {"'self'", "'none'", "data:"}
# The journal runs libsodium's WebAssembly: its page alone may compile WebAssembly (never evaluate JavaScript).
WASM_PAGES = {"/journal/"}


def pages(client: Client) -> dict[str, int]:
    """Every kind of page a person can open, with the status it answers."""
    listing = make_meeting("Headers Listing")
    room = make_room()
    slug = room.meeting.slug
    return {
        "/": 200,
        "/?q=anything&near=40.7,-74.0": 200,
        f"/meetings/{listing.slug}": 200,
        f"/meetings/{slug}/room": 200,
        f"/meetings/{slug}/room/chair/{room.chair_key}": 200,
        f"/rooms/settings/{room.settings_key}": 200,
        "/verify": 200,
        "/slips/keys": 200,
        "/admin/login/": 200,
        "/no/such/page": 404,
        "/api/meetings": 200,
        "/health": 200,
        "/journal/": 200,
    }


@pytest.mark.django_db
def test_every_page_has_a_csp_with_no_unsafe_inline_and_no_other_origin(client: Client) -> None:
    for path, status in pages(client).items():
        response = client.get(path)
        assert response.status_code == status, path
        policy = response.headers["Content-Security-Policy"]
        assert ("'wasm-unsafe-eval'" in policy) == (path in WASM_PAGES), path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy.replace("'wasm-unsafe-eval'", ""), path
        directives = [part.split() for part in policy.split(";")]
        assert ["default-src", "'self'"] in directives, path
        own = OWN_SOURCES | ({"'wasm-unsafe-eval'"} if path in WASM_PAGES else set())
        others = [source for _, *sources in directives for source in sources if source not in own]
        assert others == [], f"{path} allows {others}"


@pytest.mark.django_db
def test_every_page_but_the_admins_sends_no_referrer(client: Client) -> None:
    for path in pages(client):
        if not path.startswith("/admin/"):
            assert client.get(path).headers["Referrer-Policy"] == "no-referrer", path


@pytest.mark.django_db
def test_the_admins_pages_send_the_referrer_to_this_origin_only(admin_client: Client) -> None:
    """Chromium posts a form from a no-referrer page with "Origin: null", which the CSRF check refuses: the admin's
    pages send same-origin (tests/browser/test_admin_login_browser.py signs in through them)."""
    make_meeting("Admin Listing")
    for path in ["/admin/login/", "/admin/", "/admin/directory/meeting/", "/admin/directory/meeting/add/"]:
        client = Client() if path == "/admin/login/" else admin_client
        assert client.get(path).headers["Referrer-Policy"] == "same-origin", path


@pytest.mark.django_db
def test_only_the_room_page_may_use_the_microphone(client: Client) -> None:
    everything = pages(client)
    rooms = {path for path in everything if path.startswith("/meetings/") and "/room" in path}
    assert len(rooms) == 2
    for path in everything:
        policy = [item.strip() for item in client.get(path).headers["Permissions-Policy"].split(",")]
        expected = "microphone=(self)" if path in rooms else "microphone=()"
        assert expected in policy, path
        assert "camera=()" in policy, path


# Run in a child process configured like production (README: Configuration, Production): the cookie flags are
# derived from STAYHERE_HTTPS when settings load, so only a process started with it shows what production sets.
COOKIE_SCRIPT = r"""
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from django.contrib.auth.models import User
from django.test import Client
from tests.directory.factories import make_meeting
from tests.rooms.factories import make_room

room = make_room()
listing = make_meeting("Cookie Listing")
User.objects.create_superuser("operator", password="a long operator password")
client = Client(HTTP_HOST="meetings.example.org")
paths = ["/", f"/meetings/{listing.slug}", f"/meetings/{room.meeting.slug}/room",
         f"/meetings/{room.meeting.slug}/room/chair/{room.chair_key}", f"/rooms/settings/{room.settings_key}",
         "/verify", "/slips/keys", "/admin/login/"]
cookies = {}
for path in paths:
    response = client.get(path, secure=True)
    assert response.status_code == 200, (path, response.status_code)
    for name, morsel in response.cookies.items():
        cookies[name] = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                         "samesite": morsel["samesite"]}
token = client.cookies["csrftoken"].value
response = client.post("/admin/login/?next=/admin/", {"username": "operator", "password": "a long operator password",
                       "csrfmiddlewaretoken": token}, secure=True, HTTP_REFERER="https://meetings.example.org/admin/")
assert response.status_code == 302, response.status_code
for name, morsel in response.cookies.items():
    cookies[name] = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                     "samesite": morsel["samesite"]}
response = client.post("/i18n/language", {"language": "es", "next": "/"}, secure=True)
assert response.status_code == 302, response.status_code
for name, morsel in response.cookies.items():
    cookies[name] = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                     "samesite": morsel["samesite"]}
print(json.dumps(cookies))
"""


def test_in_production_every_cookie_is_secure_http_only_and_same_site(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("STAYHERE_", "DJANGO_"))}
    env |= {
        "STAYHERE_DATA_DIR": str(data_dir),
        "STAYHERE_SECRET_KEY": "q3V8dX1fZkP0sLw9TbYc2NhRu6JmGa5EiOo7-Kx4Wn_ByDtCeF",
        "STAYHERE_ALLOWED_HOSTS": "meetings.example.org",
        "STAYHERE_CSRF_TRUSTED_ORIGINS": "https://meetings.example.org",
        "STAYHERE_HTTPS": "1",
        "STAYHERE_SSL_REDIRECT": "1",
        "STAYHERE_HSTS_SECONDS": "31536000",
        "STAYHERE_JANUS": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", COOKIE_SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    cookies = json.loads(result.stdout.strip().splitlines()[-1])
    # The seat cookie of the room, the CSRF cookie of the forms, the session of a signed-in operator, the language
    # a visitor chose with the switch: no others.
    assert set(cookies) == {"stayhere_seat", "csrftoken", "sessionid", "django_language"}
    for name, flags in cookies.items():
        assert flags["secure"] and flags["httponly"], name
        assert flags["samesite"] in {"Strict", "Lax"}, name
