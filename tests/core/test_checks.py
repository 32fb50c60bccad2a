from __future__ import annotations

from django.test import override_settings

from stayhere.core import checks


def ids(messages):
    return [message.id for message in messages]


def test_debug_with_public_hosts_is_an_error():
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["meetings.example.org"]):
        assert ids(checks.check_debug_is_local(None)) == ["stayhere.E001"]
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["localhost"]):
        assert checks.check_debug_is_local(None) == []


def test_public_hosts_without_https_and_wildcards_are_warned_about():
    with override_settings(ALLOWED_HOSTS=["*"], HTTPS=False):
        assert ids(checks.check_https_for_public_hosts(None)) == ["stayhere.W001", "stayhere.W002"]
    with override_settings(ALLOWED_HOSTS=["meetings.example.org"], HTTPS=True):
        assert checks.check_https_for_public_hosts(None) == []


def test_a_data_dir_others_can_read_is_an_error(tmp_path):
    tmp_path.chmod(0o755)
    with override_settings(DATA_DIR=tmp_path):
        assert ids(checks.check_data_dir_is_private(None)) == ["stayhere.E002"]
    tmp_path.chmod(0o700)
    with override_settings(DATA_DIR=tmp_path):
        assert checks.check_data_dir_is_private(None) == []


def test_an_enabled_uvicorn_access_log_is_an_error():
    assert checks.check_access_logs_carry_no_addresses(None) == []
    with override_settings(LOGGING={"version": 1, "loggers": {"uvicorn.access": {"handlers": ["console"]}}}):
        assert ids(checks.check_access_logs_carry_no_addresses(None)) == ["stayhere.E003"]
