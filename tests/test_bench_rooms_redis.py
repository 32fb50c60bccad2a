"""``bench.rooms --smoke --redis URL --workers 2`` for real: two workers behind nginx, a private Redis.

Asserts only that the benchmark works (every seat joins, every chat reaches every other seat, its Redis keys
are gone afterwards); its speed figures belong in docs/BENCHMARKS.md, never in a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.rooms.redis_server import private_redis

REPO = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
NO_NGINX = "Debian's nginx is not installed (/usr/sbin/nginx): apt-get install nginx"


@pytest.mark.nginx  # bench.rooms starts it, in front of the two workers
@pytest.mark.skipif(not NGINX.exists(), reason=NO_NGINX)
def test_rooms_bench_smoke_with_two_workers_behind_nginx(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    with private_redis(tmp_path / "redis") as server:
        command = [sys.executable, "-m", "bench.rooms", "--smoke", "--only", "stayhere"]
        command += ["--redis", server.url, "--workers", "2", "--json", str(out)]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        client = redis.Redis.from_url(server.url)
        try:
            left = list(client.scan_iter(match="stayhere:*"))
        finally:
            client.close()

    results = json.loads(out.read_text())
    assert results["deployment"]["workers"] == 2
    assert results["deployment"]["proxy"].startswith("nginx")
    stayhere = results["stayhere"]
    assert stayhere["joined"] == 20 and stayhere["join_failed"] == 0, stayhere["join_failures"]
    step = stayhere["steps"][0]
    assert step["chats_sent"] > 0 and step["expected_chat_deliveries"] > 0
    assert step["lost"] == 0, f"{step['lost']} of {step['expected_chat_deliveries']} chat deliveries never arrived"
    assert step["closed"] == 0
    assert len(step["workers_cpu_percent"]) == 2
    assert step["frames"] > 0 and step["event_deliveries"] > 0
    assert results["server_cpu_us_per_frame"] is not None and results["join_s"] is not None
    assert left == [], f"the benchmark left {len(left)} stayhere key(s) in its Redis"
