"""The systemd units that run `stayhere sync-feeds`: they parse, the timer starts the service, and the service runs
the command that exists, as the workers' unit runs stayhere (same user, state directory and environment file)."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest

from stayhere.cli import SUBCOMMAND_ALIASES
from tests.conftest import REPO

UNITS = REPO / "deploy" / "systemd"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys are case-sensitive
    parser.read_string((UNITS / name).read_text())
    return parser


def test_the_timer_starts_the_sync_service_every_15_minutes_and_catches_up_after_downtime():
    timer = _unit("stayhere-sync.timer")
    assert timer["Timer"]["OnCalendar"] == "*:0/15"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer.get("Timer", "Unit", fallback="stayhere-sync.service") == "stayhere-sync.service"
    assert (UNITS / "stayhere-sync.service").exists()
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_sync_service_runs_sync_feeds_as_the_workers_run_stayhere():
    sync = _unit("stayhere-sync.service")["Service"]
    worker = _unit("stayhere@.service")["Service"]
    command = sync["ExecStart"].split()
    assert command[0] == worker["ExecStart"].split()[0]
    assert command[1:] == ["sync-feeds"] and SUBCOMMAND_ALIASES["sync-feeds"] == "sync_feeds"
    assert sync["Type"] == "oneshot"
    for same in ("EnvironmentFile", "Environment", "DynamicUser", "User", "StateDirectory", "UMask"):
        assert sync[same] == worker[same], same
    for hardening in ("ProtectSystem", "NoNewPrivileges", "SystemCallFilter", "RestrictAddressFamilies"):
        assert sync[hardening] == worker[hardening], hardening


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_sync_units():
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "stayhere-sync.timer", "stayhere-sync.service"],
        cwd=UNITS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The one complaint a machine without stayhere installed in /opt can have.
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "/opt/stayhere/venv/bin/stayhere is not executable" not in line
    ]
    assert complaints == []
