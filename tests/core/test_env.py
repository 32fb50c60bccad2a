from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from stayhere.env import database_from_url, envbool, envint, envlist, envpath


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
