from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from stayhere.audio.turn import turn_from_env
from stayhere.env import database_from_url, envbool, envint, envlist, envpath, envsecret


def test_it_reads_yes_and_no_words():
    assert envbool("X", False, {"X": "yes"}) is True
    assert envbool("X", True, {"X": "0"}) is False
    assert envbool("X", True, {}) is True


def test_it_names_the_variable_when_a_yes_no_value_is_neither():
    with pytest.raises(ImproperlyConfigured, match="X='perhaps' is not a yes/no value"):
        envbool("X", False, {"X": "perhaps"})


def test_it_rejects_a_number_that_is_not_one():
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        envint("PORT", 1, {"PORT": "eighty"})


def test_it_rejects_a_number_out_of_range():
    with pytest.raises(ImproperlyConfigured, match="use 1 or more"):
        envint("N", 5, {"N": "0"}, minimum=1)


def test_it_splits_lists_on_commas():
    assert envlist("H", ["a"], {"H": "x.org, y.org,"}) == ["x.org", "y.org"]
    assert envlist("H", ["a"], {}) == ["a"]


def test_it_refuses_a_data_dir_that_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("")
    with pytest.raises(ImproperlyConfigured, match="names a file"):
        envpath("D", tmp_path, {"D": str(target)})


def test_it_reads_a_postgresql_url():
    config = database_from_url("DB", "postgresql://me:s%40cret@db.example.org:5433/stayhere")
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "me",
        "s@cret",
        "db.example.org",
        "5433",
        "stayhere",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x/y", "must start with postgresql://"),
        ("postgresql://host", "names no database"),
        ("postgresql://host:port/db", "port that is not a number"),
    ],
)
def test_it_says_what_is_wrong_with_a_database_url(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url("DB", url)


def test_the_app_refuses_to_start_with_a_bad_setting_and_says_which(tmp_path):
    env = {**os.environ, "STAYHERE_DATA_DIR": str(tmp_path), "STAYHERE_DEBUG": "sometimes"}
    finished = subprocess.run(
        [sys.executable, "-m", "stayhere.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode != 0
    assert "STAYHERE_DEBUG='sometimes' is not a yes/no value" in finished.stderr


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path):
    env = {**os.environ, "STAYHERE_DATA_DIR": str(tmp_path)}
    env.pop("STAYHERE_SECRET_KEY", None)
    for _ in range(2):
        subprocess.run([sys.executable, "-m", "stayhere.cli", "check"], env=env, check=True, capture_output=True)
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


# -- secrets from files (STAYHERE_SECRET_KEY_FILE, STAYHERE_TURN_SECRET_FILE), as systemd and containers hand them --

KEY = "q3V8dX1fZkP0sLw9TbYc2NhRu6JmGa5EiOo7-Kx4Wn_ByDtCeF"


def secret_file(folder, text: str | bytes, name: str = "secret"):
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    path.chmod(0o400)
    return path


def test_a_secret_comes_from_its_variable_when_no_file_is_named():
    assert envsecret("S", {"S": KEY}) == (KEY, "S")
    assert envsecret("S", {}) == ("", "S")


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_a_secret_file_is_read_with_one_line_break_at_its_end_dropped(tmp_path, ending):
    path = secret_file(tmp_path, KEY + ending)
    assert envsecret("S", {"S_FILE": str(path)}) == (KEY, "S_FILE")


def test_an_empty_variable_beside_a_file_counts_as_unset(tmp_path):
    path = secret_file(tmp_path, KEY + "\n")
    assert envsecret("S", {"S": "", "S_FILE": str(path)}) == (KEY, "S_FILE")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        pytest.param(KEY + "\n\n", "begins or ends with spaces or blank lines", id="two-line-breaks"),
        pytest.param(" " + KEY, "begins or ends with spaces or blank lines", id="leading-space"),
        pytest.param("", "which is empty", id="empty"),
        pytest.param("\n", "which is empty", id="only-a-line-break"),
        pytest.param(b"\xff\xfe" + KEY.encode(), "is not text (UTF-8)", id="not-text"),
        pytest.param(KEY * 2000, "larger than 64 KiB", id="too-large"),
    ],
)
def test_a_secret_file_that_holds_no_usable_secret_is_refused_naming_the_variable_and_the_path(tmp_path, content, said):
    path = secret_file(tmp_path, content)
    with pytest.raises(ImproperlyConfigured, match=re.escape(said)) as refused:
        envsecret("S", {"S_FILE": str(path)})
    assert str(refused.value).startswith(f"S_FILE names {path}, ")
    assert KEY not in str(refused.value)


def test_a_secret_in_both_the_variable_and_a_file_is_refused(tmp_path):
    path = secret_file(tmp_path, "another-" + KEY)
    with pytest.raises(ImproperlyConfigured, match="Both S and S_FILE are set: keep one") as refused:
        envsecret("S", {"S": KEY, "S_FILE": str(path)})
    assert KEY not in str(refused.value)


def test_a_secret_file_that_is_not_there_or_is_a_folder_is_refused_with_what_to_give(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=f"S_FILE names {tmp_path / 'nothing'}, which does not exist"):
        envsecret("S", {"S_FILE": str(tmp_path / "nothing")})
    with pytest.raises(ImproperlyConfigured, match=f"S_FILE names {tmp_path}, which is a directory"):
        envsecret("S", {"S_FILE": str(tmp_path)})


def test_a_secret_file_this_user_may_not_read_is_refused_with_how_to_hand_it_over(tmp_path, monkeypatch):
    path = secret_file(tmp_path, KEY)
    if os.geteuid() != 0:
        path.chmod(0o000)
    else:  # root reads any file: have the operating system's refusal come from open() itself
        real_open = type(path).open

        def refusing_open(self, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(type(path), "open", refusing_open)
    with pytest.raises(ImproperlyConfigured, match="which this user may not read: make it readable") as refused:
        envsecret("S", {"S_FILE": str(path)})
    assert "LoadCredential=" in str(refused.value)


def test_the_turn_secret_can_come_from_a_file_and_is_checked_as_the_variable_is(tmp_path):
    urls = {"STAYHERE_TURN_URLS": "turn:turn.example.org:3478"}
    good = secret_file(tmp_path, "0123456789abcdef0123456789abcdef\n", "good")
    turn = turn_from_env(urls | {"STAYHERE_TURN_SECRET_FILE": str(good)})
    assert turn is not None and turn.secret == "0123456789abcdef0123456789abcdef"
    short = secret_file(tmp_path, "s3cr3t\n", "short")
    with pytest.raises(ImproperlyConfigured, match="The secret in STAYHERE_TURN_SECRET_FILE is too short") as refused:
        turn_from_env(urls | {"STAYHERE_TURN_SECRET_FILE": str(short)})
    assert "s3cr3t" not in str(refused.value)
    spaced = secret_file(tmp_path, "0123456789abcdef 0123456789abcdef\n", "spaced")
    with pytest.raises(ImproperlyConfigured, match="STAYHERE_TURN_SECRET_FILE contains a space, quote or backslash"):
        turn_from_env(urls | {"STAYHERE_TURN_SECRET_FILE": str(spaced)})
    with pytest.raises(ImproperlyConfigured, match="STAYHERE_TURN_SECRET_FILE is set but STAYHERE_TURN_URLS is not"):
        turn_from_env({"STAYHERE_TURN_SECRET_FILE": str(good)})
    with pytest.raises(ImproperlyConfigured, match="Both STAYHERE_TURN_SECRET and STAYHERE_TURN_SECRET_FILE"):
        turn_from_env(urls | {"STAYHERE_TURN_SECRET": "f" * 32, "STAYHERE_TURN_SECRET_FILE": str(good)})


def settings_probe(tmp_path, **env_changes: str) -> subprocess.CompletedProcess[str]:
    """`stayhere shell` in a fresh data directory, saying whether SECRET_KEY is the test's key (never the key)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STAYHERE_SECRET_KEY")}
    env |= {"STAYHERE_DATA_DIR": str(tmp_path / "data"), **env_changes}
    probe = f"from django.conf import settings; print('same' if settings.SECRET_KEY == {KEY!r} else 'other')"
    return subprocess.run(
        [sys.executable, "-m", "stayhere.cli", "shell", "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_secret_key_comes_from_the_file_stayhere_secret_key_file_names_and_none_is_generated(tmp_path):
    path = secret_file(tmp_path, KEY + "\n")
    done = settings_probe(tmp_path, STAYHERE_SECRET_KEY_FILE=str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "same"  # after the shell's own line about what it imported
    assert not (tmp_path / "data" / "secret_key").exists()


@pytest.mark.parametrize("source", ["STAYHERE_SECRET_KEY", "STAYHERE_SECRET_KEY_FILE"])
def test_a_short_secret_key_stops_start_up_naming_where_it_came_from(tmp_path, source):
    short = "too-short-to-sign-anything"
    value = str(secret_file(tmp_path, short + "\n")) if source.endswith("_FILE") else short
    done = settings_probe(tmp_path, **{source: value})
    assert done.returncode == 2
    assert f"The secret key in {source} is shorter than 32 characters" in done.stderr
    assert short not in done.stderr + done.stdout and "Traceback" not in done.stderr
