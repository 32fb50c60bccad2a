"""`stayhere check --deploy` on the documented production configuration, and on each bad one.

Each run is a real `python -m stayhere.cli check --deploy` in a child process, configured only by the
environment, exactly as an operator would run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from stayhere.audio import config as janus_config
from stayhere.core import checks

REPO = Path(__file__).resolve().parents[2]

# The environment README.md documents under Configuration, Production (the key is an example, not a secret).
PRODUCTION = {
    "STAYHERE_SECRET_KEY": "q3V8dX1fZkP0sLw9TbYc2NhRu6JmGa5EiOo7-Kx4Wn_ByDtCeF",
    "STAYHERE_ALLOWED_HOSTS": "meetings.example.org",
    "STAYHERE_CSRF_TRUSTED_ORIGINS": "https://meetings.example.org",
    "STAYHERE_HTTPS": "1",
    "STAYHERE_SSL_REDIRECT": "1",
    "STAYHERE_HSTS_SECONDS": "31536000",
    "STAYHERE_LOG_LEVEL": "INFO",
}


def readme_production_environment() -> dict[str, str]:
    """The variables of the README's Production paragraph (its fenced block of NAME=value lines)."""
    text = (REPO / "README.md").read_text()
    block = text.split("### Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    pairs = [line.split("=", 1) for line in block.splitlines() if "=" in line and not line.startswith("#")]
    return {name.removeprefix("export ").strip(): value.strip() for name, value in pairs}


def check_deploy(tmp_path: Path, changes: dict[str, str | None], data_mode: int = 0o700) -> subprocess.CompletedProcess:
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    data_dir.chmod(data_mode)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("STAYHERE_", "DJANGO_"))}
    env |= PRODUCTION | {"STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_JANUS": "0"}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-m", "stayhere.cli", "check", "--deploy"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_readme_documents_the_production_environment_these_tests_use():
    assert readme_production_environment() == PRODUCTION | {"STAYHERE_SECRET_KEY": "<50 random characters>"}


def test_the_documented_production_configuration_passes_check_deploy(tmp_path):
    result = check_deploy(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert "stayhere." not in result.stdout + result.stderr
    assert "ERRORS" not in result.stderr


@pytest.mark.parametrize(
    ("check_id", "changes", "data_mode"),
    [
        pytest.param("stayhere.E002", {}, 0o755, id="data-dir-readable-by-others"),
        pytest.param("stayhere.E004", {"STAYHERE_SECRET_KEY": None}, 0o700, id="secret-key-generated-on-disk"),
        pytest.param("stayhere.E005", {"STAYHERE_SECRET_KEY": "ab" * 20}, 0o700, id="secret-key-not-random"),
        pytest.param("stayhere.E006", {"STAYHERE_DEBUG": "1"}, 0o700, id="debug-on"),
        pytest.param("stayhere.E007", {"STAYHERE_ALLOWED_HOSTS": "*"}, 0o700, id="hosts-wildcard"),
        pytest.param("stayhere.E007", {"STAYHERE_ALLOWED_HOSTS": "localhost,127.0.0.1"}, 0o700, id="hosts-local"),
        pytest.param("stayhere.E008", {"STAYHERE_HTTPS": "0"}, 0o700, id="https-off"),
        pytest.param("stayhere.E009", {"STAYHERE_HSTS_SECONDS": "0"}, 0o700, id="hsts-off"),
        pytest.param("stayhere.E010", {"STAYHERE_LOG_LEVEL": "DEBUG"}, 0o700, id="log-level-debug"),
    ],
)
def test_each_bad_setting_fails_check_deploy_naming_its_check(tmp_path, check_id, changes, data_mode):
    result = check_deploy(tmp_path, changes, data_mode)
    assert result.returncode != 0
    assert f"({check_id})" in result.stderr
    assert "ERRORS" in result.stderr


def test_an_uvicorn_access_log_fails_the_deploy_checks():
    logging_with_access = {"version": 1, "loggers": {"uvicorn.access": {"handlers": ["console"]}}}
    with override_settings(LOGGING=logging_with_access):
        assert [m.id for m in checks.check_access_logs_carry_no_addresses(None)] == ["stayhere.E003"]


def test_a_janus_admin_api_bound_beyond_loopback_fails_the_deploy_checks(monkeypatch):
    assert checks.check_janus_admin_is_loopback(None) == []
    monkeypatch.setattr(janus_config, "LOOPBACK", "0.0.0.0")  # noqa: S104
    assert [m.id for m in checks.check_janus_admin_is_loopback(None)] == ["stayhere.E011"]
    monkeypatch.setattr(janus_config, "LOOPBACK", "::1")
    assert checks.check_janus_admin_is_loopback(None) == []


def test_the_deploy_checks_are_only_run_by_check_deploy():
    from django.core.checks import registry

    deploy = {check.__name__ for check in registry.registry.get_checks(include_deployment_checks=True)}
    everyday = {check.__name__ for check in registry.registry.get_checks(include_deployment_checks=False)}
    assert {"check_secret_key_comes_from_the_environment", "check_hsts_is_on"} <= deploy - everyday
    assert "check_access_logs_carry_no_addresses" in everyday


def test_a_redis_that_writes_to_disk_fails_check_deploy_and_one_that_keeps_nothing_passes(tmp_path):
    from tests.rooms.redis_server import private_redis

    with private_redis(tmp_path / "writes", "--save", "60 1", "--appendonly", "yes") as writes:
        result = check_deploy(tmp_path / "a", {"STAYHERE_REDIS_URL": writes.url})
        assert result.returncode != 0
        assert "(stayhere.E012)" in result.stderr
        assert 'save ""' in result.stderr and "appendonly no" in result.stderr
        allowed = check_deploy(
            tmp_path / "b", {"STAYHERE_REDIS_URL": writes.url, "STAYHERE_REDIS_ALLOW_PERSISTENCE": "1"}
        )
        assert allowed.returncode == 0, allowed.stderr
    with private_redis(tmp_path / "keeps-nothing") as memory_only:
        result = check_deploy(tmp_path / "c", {"STAYHERE_REDIS_URL": memory_only.url})
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:6379/0", "must start with redis://"),
        ("redis://127.0.0.1:6379/rooms", "database number"),
        ("redis://127.0.0.1:notaport/0", "port"),
    ],
)
def test_a_bad_redis_url_stops_start_up_with_a_sentence_naming_it(tmp_path, url, says):
    result = check_deploy(tmp_path, {"STAYHERE_REDIS_URL": url})
    assert result.returncode != 0
    assert "STAYHERE_REDIS_URL" in result.stderr and says in result.stderr
    assert "Traceback" not in result.stderr
