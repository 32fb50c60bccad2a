"""Near-me-now search by hour of the week: how much the server's clock moves the query's cost.

    python -m bench.directory --meetings 200000 --keep --json PATH     (prints the kept folder)
    python -m bench.search_hours KEPT_FOLDER [--queries 400] [--step 2] [--json PATH]

Calls ``search()`` in this process on a kept ``bench.directory`` database (SQLite), with the benchmark's own
near-me-now queries (``bench.directory.near_me_now_queries``, same seed), at one time every ``--step`` hours of
a Monday, and prints p50/p95/p99 and the mean number of results at each. No HTTP: this is the query and the
page's loading only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.directory import near_me_now_queries, towns_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_hours", description=__doc__.split("\n\n")[0])
    parser.add_argument("kept", type=Path, help="a folder `bench.directory --keep` left (it holds data/)")
    parser.add_argument("--meetings", type=int, default=200_000, help="the size that folder was made with")
    parser.add_argument("--seed", type=int, default=1, help="the seed that folder was made with")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--step", type=int, default=2, help="hours between measured times (1 to 24)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    database = args.kept / "data" / "stayhere.sqlite3"
    if not database.is_file():
        parser.error(f"{database} does not exist: give a folder that `bench.directory --keep` printed.")
    if not 1 <= args.step <= 24 or args.queries < 1:
        parser.error("--step must be 1 to 24 and --queries at least 1.")

    os.environ["STAYHERE_DATA_DIR"] = str(args.kept / "data")
    os.environ.pop("STAYHERE_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
    import django

    django.setup()
    from django.http import QueryDict

    from stayhere.demo.world import generate
    from stayhere.directory.query import parse_query
    from stayhere.directory.search import search

    world = generate(args.meetings, args.seed)
    towns = towns_of(world)
    del world
    searches = near_me_now_queries(towns, args.seed)
    queries = [parse_query(QueryDict(urlencode(next(searches)))) for _ in range(args.queries)]

    monday = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = []
    for hour in range(0, 24, args.step):
        now = monday + dt.timedelta(hours=hour, minutes=28)
        for query in queries[:30]:  # warm the caches
            search(query, now)
        times, results = [], 0
        for query in queries:
            started = time.perf_counter()
            results += len(search(query, now).results)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        row = {
            "utc": now.strftime("%a %H:%M"),
            "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[int(len(times) * 0.95)], 2),
            "p99_ms": round(times[int(len(times) * 0.99)], 2),
            "results_mean": round(results / len(queries), 1),
        }
        rows.append(row)
        print(
            f"{row['utc']} UTC  p50 {row['p50_ms']:.2f}  p95 {row['p95_ms']:.2f}  p99 {row['p99_ms']:.2f} ms  "
            f"{row['results_mean']} results",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps({"meetings": args.meetings, "queries": args.queries, "hours": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
