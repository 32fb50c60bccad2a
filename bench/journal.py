"""The journal in Chromium: how long the key derivation takes, and opening a journal of 1,000 entries.

    python -m bench.journal --json PATH                 (docs/BENCHMARKS.md, The journal)
    python -m bench.journal --entries 50 --json PATH    (a quick run)

Migrates a fresh data directory and starts ``stayhere serve`` (embedded). A journal is made through the API with
a known passphrase, and ``--entries`` entries are sealed in Python (tests/journal/reference.py, the same format
as the browser's) and written through the API: most of a page or so, some of a few pages, a few long ones
(1, 4 and 16 KiB buckets, 70/25/5 %). Then, in Debian's Chromium:

- ``kdf_ms``: journal_crypto.js's ``keysFromPassphrase`` (Argon2id, 64 MiB, 3 passes, in WebAssembly) timed in
  the page, ``--repeat`` times;
- ``unlock_ms``: from the click on "Open" to the page saying the journal is open with every entry listed (the
  salt asked for, the key derived, the sign-in, the listing fetched, every entry opened and listed),
  ``--repeat`` times, each after a reload;
- ``fetch_ms`` and ``open_all_ms``: the same journal's listing fetched and every entry opened, timed in the
  page apart from the derivation.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.directory import REPO, _free_port, machine, run_and_report
from bench.rooms import _stop, start_server, wait_until_up

HANDLE = "bench-journal"
PASSPHRASE = "benchmark kettle harbour lantern"  # noqa: S105  (the benchmark's own journal)
CHROMIUM = "/usr/bin/chromium"


def _api(base: str, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Journal {HANDLE}:{key}"
    data = json.dumps(body).encode() if body is not None else None
    url = base + "/journal/api/" + path  # base is the local server's http:// address
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read())


def seed(base: str, entries: int) -> dict[str, Any]:
    from tests.journal import reference as ref

    salt = os.urandom(16)
    auth, unwrap = ref.keys_from_passphrase(PASSPHRASE, salt)
    recovery_auth, recovery_unwrap = ref.keys_from_recovery("7K2M-Q9XD-4RTV-H8PW-3NZC-6JYB-1FGE-5SA0")
    journal_key = os.urandom(32)
    _api(base, "POST", "accounts", {
        "handle": HANDLE, "salt": ref.b64(salt), "kdf": {"alg": "argon2id13", "opslimit": 3, "memlimit": ref.MEMLIMIT},
        "auth_key": ref.b64(auth), "recovery_auth_key": ref.b64(recovery_auth),
        "wrapped_key": ref.b64(ref.wrap_journal_key(unwrap, journal_key, "passphrase")),
        "wrapped_key_recovery": ref.b64(ref.wrap_journal_key(recovery_unwrap, journal_key, "recovery")),
    })  # fmt: skip
    rng = random.Random(7)
    buckets: dict[int, int] = {}
    started = time.perf_counter()
    for n in range(entries):
        size = rng.choices([600, 3000, 12000], weights=[70, 25, 5])[0]
        written = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T08:00:00.000Z"
        content = {"kind": "free", "step": None, "title": f"Entry {n}", "body": "words " * (size // 6),
                   "written": written, "edited": written}  # fmt: skip
        record = ref.seal_entry(journal_key, ref.b64(os.urandom(16)), content)
        buckets[record["bucket"]] = buckets.get(record["bucket"], 0) + 1
        _api(base, "PUT", f"entries/{record['id']}", {k: record[k] for k in ("version", "bucket", "key", "body")},
             key=ref.b64(auth))  # fmt: skip
    return {"entries": entries, "buckets": buckets, "seed_s": round(time.perf_counter() - started, 1),
            "auth_key": ref.b64(auth)}  # fmt: skip


IN_PAGE_KDF = """async (repeat) => {
  const jc = await import('/static/stayhere/journal_crypto.js');
  await jc.ready();
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    jc.keysFromPassphrase('benchmark kettle harbour lantern', jc.newSalt());
    times.push(performance.now() - t);
  }
  return times;
}"""

IN_PAGE_OPEN = """async ([handle, key]) => {
  const jc = await import('/static/stayhere/journal_crypto.js');
  await jc.ready();
  const headers = { Authorization: `Journal ${handle}:${key}` };
  const t0 = performance.now();
  const signIn = await (await fetch('/journal/api/sign-in', { method: 'POST', headers })).json();
  const listing = await (await fetch('/journal/api/journal', { headers })).json();
  const t1 = performance.now();
  const bytes = JSON.stringify(listing).length;
  return { fetch_ms: t1 - t0, count: listing.entries.length, bytes, wrapped: signIn.wrapped_key };
}"""

IN_PAGE_OPEN_ALL = """async ([unwrapKey, wrapped, handle, key]) => {
  const jc = await import('/static/stayhere/journal_crypto.js');
  await jc.ready();
  const headers = { Authorization: `Journal ${handle}:${key}` };
  const listing = await (await fetch('/journal/api/journal', { headers })).json();
  const t = performance.now();
  const journalKey = jc.unwrapJournalKey(jc.fromB64(unwrapKey), jc.fromB64(wrapped), 'passphrase');
  let opened = 0;
  for (const record of listing.entries) { jc.openEntry(journalKey, record); opened++; }
  return { open_all_ms: performance.now() - t, opened };
}"""


def measure(base: str, seeded: dict[str, Any], repeat: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.journal import reference as ref

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(base_url=base)
        page.goto("/journal/")
        page.locator("#journal-unlock").wait_for(state="visible", timeout=60_000)
        kdf = page.evaluate(IN_PAGE_KDF, repeat)
        unlock: list[float] = []
        for _ in range(repeat):
            page.goto("/journal/")
            page.locator("#journal-unlock").wait_for(state="visible", timeout=60_000)
            page.fill("#unlock-handle", HANDLE)
            page.fill("#unlock-passphrase", PASSPHRASE)
            started = time.perf_counter()
            page.click("#journal-unlock button[type=submit]")
            page.wait_for_function(
                "n => document.querySelectorAll('#entries-list li').length === n",
                arg=seeded["entries"],
                timeout=120_000,
            )
            unlock.append((time.perf_counter() - started) * 1000)
            assert "Your journal is open." in page.locator("#journal-status").inner_text()
        fetched = page.evaluate(IN_PAGE_OPEN, [HANDLE, seeded["auth_key"]])
        salt = _api(base, "POST", "begin", {"handle": HANDLE})["salt"]
        _auth, unwrap = ref.keys_from_passphrase(PASSPHRASE, ref.unb64(salt))
        opened = page.evaluate(IN_PAGE_OPEN_ALL, [ref.b64(unwrap), fetched["wrapped"], HANDLE, seeded["auth_key"]])
        version = browser.version
        browser.close()
    return {
        "chromium": version,
        "kdf_ms": [round(t, 1) for t in kdf],
        "unlock_ms": [round(t, 1) for t in unlock],
        "fetch_ms": round(fetched["fetch_ms"], 1),
        "listing_bytes": fetched["bytes"],
        "open_all_ms": round(opened["open_all_ms"], 1),
        "opened": opened["opened"],
    }


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = work / "data"
    data.mkdir(mode=0o700)
    env = {**os.environ, "STAYHERE_DATA_DIR": str(data), "STAYHERE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}
    env.pop("STAYHERE_DATABASE_URL", None)
    log_path = work / "server.log"
    subprocess.run([sys.executable, "-m", "stayhere.cli", "migrate", "--verbosity", "0"], env=env, cwd=REPO,
                   check=True)  # fmt: skip
    port = _free_port()
    with log_path.open("w") as log:
        server = start_server("stayhere", port, env, log, "none")
    try:
        wait_until_up("stayhere", port, server, log_path)
        base = f"http://127.0.0.1:{port}"
        seeded = seed(base, args.entries)
        figures = measure(base, seeded, args.repeat)
    finally:
        _stop(server)
    seeded.pop("auth_key")
    return {"machine": machine(), **seeded,
            **figures, "kdf": {"alg": "argon2id13", "opslimit": 3, "memlimit_mib": 64}}  # fmt: skip


def print_table(results: dict[str, Any]) -> None:
    kdf, unlock = results["kdf_ms"], results["unlock_ms"]
    print(
        f"Chromium {results['chromium']}; Argon2id 64 MiB, 3 passes; {results['entries']} entries {results['buckets']}"
    )
    print(f"KDF in the page: median {statistics.median(kdf):.0f} ms (min {min(kdf):.0f}, max {max(kdf):.0f})")
    print(f"unlock to every entry listed: median {statistics.median(unlock):.0f} ms (min {min(unlock):.0f}, "
          f"max {max(unlock):.0f})")  # fmt: skip
    print(f"listing fetched: {results['fetch_ms']:.0f} ms, {results['listing_bytes'] / 1e6:.1f} MB; "
          f"every entry opened: {results['open_all_ms']:.0f} ms")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    return run_and_report("journal", args, argv, run, print_table)


if __name__ == "__main__":
    sys.exit(main())
