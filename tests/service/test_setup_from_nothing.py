"""An intergroup starting from nothing: `stayhere create-site-admin` on a fresh data directory prepares the database
and makes the first servant; a mistake is a sentence and makes nothing. (The real command line, in a child.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.core.test_database_commands import environment

PASSWORD = "correct horse battery staple"
CHECK = (
    "from django.contrib.auth import get_user_model; u = get_user_model().objects.get(username='webservant'); "
    "print('SUPERUSER', u.is_superuser, u.email == '', u.password.startswith('argon2'))"
)


def stayhere(env: dict[str, str], *args: str, given: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stayhere.cli", *args],
        env=env,
        cwd=REPO,
        input=given,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_site_admin_on_a_fresh_data_directory_makes_the_first_servant(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = environment(home, tmp_path / "data")
    made = stayhere(env, "create-site-admin", "webservant", "--password-stdin", given=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert "webservant is a site admin" in made.stdout
    checked = stayhere(env, "shell", "-c", CHECK)
    assert "SUPERUSER True True True" in checked.stdout, checked.stderr
    again = stayhere(env, "create-site-admin", "WebServant", "--password-stdin", given=PASSWORD + "\n")
    assert again.returncode != 0
    assert "The handle 'WebServant' is taken: choose another." in again.stderr
    weak = stayhere(env, "create-site-admin", "second", "--password-stdin", given="password\n")
    assert weak.returncode != 0 and "The password was refused" in weak.stderr
    assert "Traceback" not in again.stderr + weak.stderr
