"""``python -m bench.audio --smoke`` against a real Janus: the benchmark runs and its JSON says what it measured.

No figure here is a speed: the test checks that the benchmark joined everyone, that the floor was applied
(one participant unmuted, everyone else heard it and nothing else), and that each measure is present and
plausible. The speeds themselves are in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio.conftest import need_janus

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.janus
def test_the_audio_benchmark_smoke_run_measures_a_real_janus(tmp_path: Path) -> None:
    need_janus()
    out = tmp_path / "audio.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.audio", "--smoke", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())

    for key in ("participants", "janus_cpu_percent", "janus_rss_mib", "mix_delay_ms"):
        assert results[key] is not None, key
    assert results["participants"] == results["participants_asked"] == 5
    assert results["janus_version"], "the JSON names the Janus it measured"
    assert results["machine"]["commit"]
    assert len(results["load_before"]) == len(results["load_after"]) == 3

    # The floor as stayhere applies it: one participant unmuted, the other four muted.
    assert results["unmuted"] == 1 and results["floor_holder_unmuted"] is True
    # Every participant received the mix, every listener heard every burst of the floor holder's tone,
    # and no muted participant's tone reached anyone.
    assert results["receiving"] == 5
    assert results["heard_floor"] == results["listeners"] == 4
    assert results["bursts"] >= 3 and results["bursts_heard_share"] == 1.0
    assert results["mix_delay_samples"] == results["bursts"] * 4
    assert results["leaked_packets"] == 0
    # A mu-law participant gets a 20 ms packet every 20 ms: about 50 a second, whatever the machine's speed.
    assert 40 <= results["packets_per_participant_per_s"] <= 60

    # Measures that are there and plausible (not speeds): Janus worked, holds some memory, the delay is a
    # positive time under the half second the benchmark waits for a burst.
    assert results["janus_cpu_percent"] > 0
    assert 1 < results["janus_rss_mib"] < 1024
    assert 0 < results["mix_delay_p50_ms"] <= results["mix_delay_p95_ms"] <= results["mix_delay_max_ms"] < 500
    assert results["room_destroyed"] is True
    assert "Janus CPU" in done.stdout
    # Janus' CPU by kind of thread: one mixer for the room, one encoder thread and one RTP receiver a participant.
    threads = results["janus_threads"]
    assert threads["room mixer"]["threads"] == 1
    assert threads["participant encoders"]["threads"] == threads["rtp receivers"]["threads"] == 5
    assert sum(kind["cpu_percent"] for kind in threads.values()) == pytest.approx(results["janus_cpu_percent"], abs=2)
    assert results["room_sampling_rate"] == 16000 and results["opus_quality"] is None
    assert len(results["clients_cpu_percent_each"]) == results["processes"]


@pytest.mark.janus
def test_the_audio_benchmark_with_opus_participants_hears_only_the_floor_holder(tmp_path: Path) -> None:
    need_janus()
    out = tmp_path / "audio-opus.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.audio", "--smoke", "--codec", "opus", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())
    assert results["codec"] == "opus"
    assert results["participants"] == results["receiving"] == 5 and results["unmuted"] == 1
    # Each listener decoded its Opus mix: every burst heard, no muted participant's tone.
    assert results["heard_floor"] == results["listeners"] == 4
    assert results["bursts_heard_share"] == 1.0 and results["leaked_packets"] == 0
    assert 40 <= results["packets_per_participant_per_s"] <= 60


def test_the_audio_benchmark_refuses_an_unknown_codec_with_the_choices(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.audio", "--smoke", "--codec", "g722"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "pcmu" in done.stderr and "opus" in done.stderr
