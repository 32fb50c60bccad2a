"""The meeting room on a slow phone line: a member joins and takes part over Chromium's Slow 3G emulation.

    python -m bench.slow3g --json PATH              (docs/BENCHMARKS.md, "The room on Slow 3G")
    python -m bench.slow3g --runs 1 --json PATH     (one member: a quick look)

Starts ``stayhere serve`` (embedded mode) on a fresh data directory with one online meeting (``bench.room_setup``:
no waiting room, chat open to everyone). A chair opens the room from an unthrottled page. Then, ``--runs`` times,
a member's page in Debian's Chromium, throttled through the DevTools protocol (``Network.emulateNetworkConditions``
with DevTools' Slow 3G: 2,000 ms of latency, 50,000 bytes a second each way, i.e. 400 kbit/s; Chromium throttles
the WebSocket's opening handshake but not its frames), opens the room's page from an empty cache, types a name
and joins. Measured, from the navigation's start:

- **page usable**: the HTML, the stylesheets and every ES module fetched and run (``DOMContentLoaded``, which
  waits for module scripts): the join form works;
- **joined**: the room is shown (the server's ``welcome`` and its snapshot drawn: the part, the floor);
- **first event**: the chair sends a chat message once the member is in; the time from the navigation's start
  until the member's page shows it, and from the send (one event's delivery: the server and the page, as the
  emulation leaves the socket's frames unthrottled).

Also the bytes the member's page took over the wire (the resource timing API's ``transferSize``), as served by the
embedded server. Medians over the runs are reported, and every run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.directory import _free_port, _wait_for, machine, run_and_report
from bench.room_setup import SLUG

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# DevTools' "Slow 3G" preset (Chromium's front end: 400 kbit/s each way, 2,000 ms of latency).
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
WAIT_MS = 120_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slow3g", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="members who join one after another (5)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 50:
        parser.error("--runs must be between 1 and 50.")
    if not Path(CHROMIUM).exists():
        parser.error(f"Debian's Chromium is not at {CHROMIUM}: apt-get install chromium")
    return run_and_report("slow3g", args, argv, run, print_table)


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = {**os.environ, "STAYHERE_DATA_DIR": str(work / "data"), "STAYHERE_DEBUG": "0", "PYTHONPATH": str(REPO)}
    env.pop("STAYHERE_DATABASE_URL", None)
    chair_key = secrets.token_urlsafe(24)
    _child(env, "-m", "stayhere.cli", "migrate", "-v0")
    slug = json.loads(_child(env, "-m", "bench.room_setup", "--meetings", "1", f"--chair-key={chair_key}"))[0]
    assert slug == SLUG.format(number=1)
    port = _free_port()
    log_path = work / "server.log"
    results: dict[str, Any] = {"network": SLOW_3G, "runs": args.runs, "load_before": _load()}
    with log_path.open("w") as log:
        command = ["-m", "stayhere.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
        server = subprocess.Popen([sys.executable, *command], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(port, server, log_path)
            results["each"] = measure(f"http://127.0.0.1:{port}", slug, chair_key, args.runs)
        finally:
            server.terminate()
            server.wait(timeout=30)
    results["load_after"] = _load()
    for name in ("usable_s", "joined_s", "first_event_s", "event_delivery_s", "transfer_bytes"):
        values = [run[name] for run in results["each"]]
        middle = statistics.median(values)
        results[name] = int(middle) if name == "transfer_bytes" else round(middle, 3)
        results[name.removesuffix("_s") + "_range"] = [min(values), max(values)]
    results["machine"] = machine()
    return results


def measure(origin: str, slug: str, chair_key: str, runs: int) -> list[dict[str, Any]]:
    from playwright.sync_api import expect, sync_playwright

    each = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            chair_context = browser.new_context(base_url=origin, locale="en-US")
            chair = chair_context.new_page()
            chair.goto(f"/meetings/{slug}/room/chair/{chair_key}")
            chair.locator("#j-name").fill("Chair")
            chair.locator("#join-button").click()
            expect(chair.locator("#room-meeting")).to_be_visible(timeout=WAIT_MS)
            for number in range(1, runs + 1):
                context = browser.new_context(base_url=origin, locale="en-US", viewport={"width": 412, "height": 800})
                try:
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                    name = f"Member {number}"
                    start = time.monotonic()
                    # DOMContentLoaded comes after every module script (deferred by nature) has been fetched and run.
                    page.goto(f"/meetings/{slug}/room", wait_until="domcontentloaded", timeout=WAIT_MS)
                    usable = time.monotonic() - start
                    page.locator("#j-name").fill(name)
                    page.locator("#join-button").click()
                    expect(page.locator("#room-meeting")).to_be_visible(timeout=WAIT_MS)
                    expect(page.locator("#floor-now")).not_to_have_text("", timeout=WAIT_MS)
                    joined = time.monotonic() - start
                    words = f"Hello {number} from the chair"
                    chair.locator("#chat-text").fill(words)
                    sent = time.monotonic()
                    chair.locator("#chat-form button[type=submit]").click()
                    expect(page.locator("#chat-list")).to_contain_text(words, timeout=WAIT_MS)
                    seen = time.monotonic()
                    transfer = page.evaluate(
                        "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                        ".reduce((sum, entry) => sum + (entry.transferSize || 0), 0)"
                    )
                    each.append(
                        {
                            "usable_s": round(usable, 3),
                            "joined_s": round(joined, 3),
                            "first_event_s": round(seen - start, 3),
                            "event_delivery_s": round(seen - sent, 3),
                            "transfer_bytes": int(transfer),
                        }
                    )
                    print(f"run {number}: {each[-1]}", file=sys.stderr)
                finally:
                    context.close()
            chair_context.close()
        finally:
            browser.close()
    return each


def print_table(results: dict[str, Any]) -> None:
    print(f"The room on Slow 3G ({results['runs']} members, medians; min-max)")
    rows = [
        ("page usable (join form working)", "usable"),
        ("joined (welcome and snapshot drawn)", "joined"),
        ("first event after joining, from the navigation", "first_event"),
        ("one event's delivery (chair's chat to the member)", "event_delivery"),
    ]
    for label, key in rows:
        low, high = results[key + "_range"]
        print(f"  {label:<52} {results[key + '_s']:>7.2f} s   ({low:.2f}-{high:.2f})")
    low, high = results["transfer_bytes_range"]
    print(f"  {'bytes over the wire':<52} {results['transfer_bytes']:>9,}   ({low:,}-{high:,})")
    print(f"  load average before {results['load_before']}, after {results['load_after']}")


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def _child(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


if __name__ == "__main__":
    raise SystemExit(main())
