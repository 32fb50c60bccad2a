"""A serving process tunes Python's cyclic collector once its start-up is done (stayhere.core.gc_tuning): what was
loaded is frozen, never scanned again, and the young lists stay small, so no collection pauses the rooms for long."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stayhere import cli
from stayhere.core import gc_tuning
from tests.rooms.roomkit import run_async

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()  # the frozen objects go back to the oldest generation: collected as before, only scanned again
    gc.set_threshold(*thresholds)


def test_tuning_freezes_what_is_alive_and_sets_the_thresholds(collector_restored: None) -> None:
    gc.set_threshold(700, 10, 10)
    alive = [[number] for number in range(1_000)]  # containers the collector tracks, alive at the call
    frozen_before = gc.get_freeze_count()
    gc_tuning.tune_for_serving()
    assert gc.get_threshold() == gc_tuning.THRESHOLDS
    assert gc.get_freeze_count() >= frozen_before + len(alive)
    assert gc.get_count()[0] < 100  # it collected just before freezing: the young list starts empty


def test_tuning_leaves_garbage_collected_not_frozen(collector_restored: None) -> None:
    class Cycle:
        pass

    cycle = Cycle()
    cycle.me = cycle  # type: ignore[attr-defined]
    del cycle
    gc_tuning.tune_for_serving()
    assert not [item for item in gc.get_objects() if isinstance(item, Cycle)]


SERVING_SCRIPT = """
import gc, json
import stayhere.asgi  # what uvicorn imports in `stayhere serve` (and in each of its --workers)
print(json.dumps({"thresholds": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_a_serving_process_is_tuned_once_the_application_is_loaded(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("STAYHERE_", "DJANGO_"))}
    env |= {"STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_JANUS": "0", "DJANGO_SETTINGS_MODULE": "stayhere.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SERVING_SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    tuned = json.loads(result.stdout.strip().splitlines()[-1])
    assert tuple(tuned["thresholds"]) == gc_tuning.THRESHOLDS
    # Django, the app and its modules: tens of thousands of objects no collection scans again.
    assert tuned["frozen"] > 10_000


def test_a_serving_loop_collects_its_young_generations_itself(collector_restored: None) -> None:
    gc.set_threshold(1_000_000, 1_000, 1_000)  # no collection of its own would come in this test

    async def serve_a_while() -> int:
        before = gc.get_stats()[1]["collections"]
        gc_tuning.collect_young_regularly(asyncio.get_running_loop(), every_s=0.01)
        await asyncio.sleep(0.2)
        return gc.get_stats()[1]["collections"] - before

    assert run_async(serve_a_while()) >= 3


def test_serve_starts_the_regular_collections_once_it_listens(
    collector_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from stayhere.rooms.adapters import phone_edge

    done: list[str] = []

    async def listening(self: Any, sockets: Any = None) -> None:
        done.append("listening")

    async def no_line(live: Any) -> None:
        done.append("phone line")

    monkeypatch.setattr(uvicorn.Server, "startup", listening)
    monkeypatch.setattr(phone_edge, "open_line", no_line)
    monkeypatch.setattr(gc_tuning, "tune_for_serving", lambda: done.append("tuned"))
    monkeypatch.setattr(gc_tuning, "collect_young_regularly", lambda loop: done.append("regular collections"))
    server = cli._draining_server(uvicorn.Config("stayhere.asgi:application"))
    run_async(server.startup())
    # (Loading stayhere.asgi, if this test process had not yet, tunes it as well, before the phone line.)
    assert done[0] == "listening"
    assert done[-3:] == ["phone line", "tuned", "regular collections"]


def test_asking_twice_for_one_loop_starts_one_round_of_collections(
    collector_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_s = 0.05
    when: list[float] = []

    async def asked_twice() -> None:
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(gc_tuning.gc, "collect", lambda generation=2: when.append(loop.time()))
        gc_tuning.collect_young_regularly(loop, every_s=every_s)
        gc_tuning.collect_young_regularly(loop, every_s=every_s)  # serve's start-up and the first request both ask
        await asyncio.sleep(every_s * 6)

    run_async(asked_twice())
    assert len(when) >= 2
    # One round: each collection schedules the next one every_s later, so no two ever come together.
    assert min(later - earlier for earlier, later in itertools.pairwise(when)) >= every_s * 0.9


WORKER_SCRIPT = """
import asyncio, json
from stayhere.core import gc_tuning
import stayhere.asgi  # what each `stayhere serve --workers N` process imports, with no start-up hook of ours

async def first_request():
    loop = asyncio.get_running_loop()
    before = loop in gc_tuning._COLLECTING
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/health", "raw_path": b"/health", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"localhost")], "server": ("localhost", 8000), "client": None}
    await stayhere.asgi.application(scope, receive, send)
    return {"before": before, "after": loop in gc_tuning._COLLECTING, "status": sent[0]["status"]}

print(json.dumps(asyncio.run(first_request())))
"""


def test_a_worker_process_collects_its_young_generations_once_it_serves(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("STAYHERE_", "DJANGO_"))}
    env |= {"STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_JANUS": "0", "DJANGO_SETTINGS_MODULE": "stayhere.settings"}
    result = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served == {"before": False, "after": True, "status": 200}
