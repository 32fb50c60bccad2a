"""The directory at world size: import, near-me-now search, feed export and first-page weight.

    python -m bench.directory --meetings 200000 --json PATH     (docs/BENCHMARKS.md)
    python -m bench.directory --smoke --json PATH               (a tiny run the tests use)
    python -m bench.directory --database-url postgresql://USER:PASSWORD@HOST:5432/postgres ...

Generates the demo world as a Meeting Guide JSON file, imports it into a fresh SQLite data
directory with ``stayhere import-feed``, starts ``stayhere serve`` (one uvicorn worker) as a
subprocess and measures it over keep-alive HTTP from this process. With ``--database-url`` the
same runs on PostgreSQL: a throwaway database is made on that server (the role must be allowed
to create databases) and dropped at the end.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import os
import platform
import random
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench import clock_at
from bench.http_client import Client, Timings, first_page_weight

REPO = Path(__file__).resolve().parent.parent
TARGETS = {
    "query_p95_ms": 10.0,
    "query_p95_over_floor": 3.0,
    "import_per_s": 5000.0,
    "export_s": 5.0,
    "export_cold_s": 5.0,
    "export_changed_s": 5.0,
    "first_page_bytes": 60 * 1024,
}
# Facet filters a person might tick, alone or with a language or fellowship.
FACETS: list[list[tuple[str, str]]] = [
    [("type", "O")],
    [("type", "C")],
    [("type", "D")],
    [("type", "SP")],
    [("type", "B")],
    [("type", "ST")],
    [("type", "W")],
    [("type", "M")],
    [("type", "Y")],
    [("type", "LGBTQ")],
    [("type", "X")],
    [("type", "O"), ("type", "D")],
    [("type", "O"), ("lang", "S")],
    [("type", "C"), ("fellowship", "NA")],
    [("type", "O"), ("mode", "in_person")],
    [("type", "MOUD")],
]

# A Monday, 01:28 UTC: the busiest hour of the generated world's week (evening in its American towns), where a
# near-me-now search lists the most meetings (docs/BENCHMARKS.md).
BUSY_HOUR = "2026-11-30T01:28:00+00:00"


@dataclass(frozen=True)
class Town:
    latitude: float
    longitude: float
    spread: float
    zone: str
    weight: float


def towns_of(world: Any) -> list[Town]:
    """The demo world's towns, weighted by population, where the benchmark's searches start."""
    return [Town(t.latitude, t.longitude, t.spread, t.region.zone, t.population * t.region.weight) for t in world.towns]


def near_me_now_queries(towns: list[Town], seed: int) -> Iterator[list[tuple[str, str]]]:
    """Endless near-me-now searches as query parameters: a position drawn population-weighted and scattered across
    its town, one of the facet mixes, and half of them with ``tz`` the town's zone."""
    rng = random.Random(seed)
    totals = list(itertools.accumulate(town.weight for town in towns))
    while True:
        town = towns[bisect.bisect(totals, rng.random() * totals[-1])]
        lat = town.latitude + rng.uniform(-town.spread, town.spread)
        lng = town.longitude + rng.uniform(-town.spread, town.spread)
        params = [("near", f"{lat:.4f},{lng:.4f}"), ("now", "1"), *rng.choice(FACETS)]
        if rng.random() < 0.5:
            params.append(("tz", town.zone))
        yield params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.directory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=3000, help="near-me-now queries measured (3000)")
    parser.add_argument("--floor", type=int, default=3000, help="GET /health requests measured (3000)")
    parser.add_argument("--exports", type=int, default=3, help="feed downloads after the first (3)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--smoke", action="store_true", help="a tiny quick run: 300 meetings, few requests")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="a folder for the imported database (SQLite only): made (generated and imported, figures kept) when "
        "it does not exist, else used as it is (import figures are the ones recorded when it was made); feed copies "
        "kept there are removed first, so the first download is still rendered",
    )
    parser.add_argument(
        "--at",
        default=BUSY_HOUR,
        help=f"the instant the server's clock is set to, as ISO 8601 with its offset, or 'now' for the real clock "
        f"(default {BUSY_HOUR}: a Monday's busiest hour in the generated world; near-me-now answers depend on it)",
    )
    parser.add_argument(
        "--database-url",
        help="measure PostgreSQL instead of SQLite: the URL of a role that may create databases, e.g. "
        "postgresql://stayhere_test:stayhere_test@127.0.0.1:5432/postgres (a throwaway database is made and dropped)",
    )
    args = parser.parse_args(argv)
    if args.database_url and urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        parser.error("--database-url must be a postgresql:// URL.")
    if args.smoke:
        args.meetings, args.queries, args.floor, args.exports = 300, 60, 60, 1
    if args.meetings < 10:
        parser.error("--meetings must be 10 or more.")
    if args.at != "now":
        try:
            clock_at.parse_instant(args.at)
        except SystemExit as problem:
            parser.error(f"--at: {problem}")
    if args.reuse is not None and args.database_url:
        parser.error("--reuse keeps a SQLite database: leave out --database-url.")

    return run_and_report("directory", args, argv, run, print_table)


def run_and_report(
    name: str,
    args: argparse.Namespace,
    argv: list[str] | None,
    run: Callable[[argparse.Namespace, Path], dict[str, Any]],
    print_table: Callable[[dict[str, Any]], None],
) -> int:
    """Runs a benchmark in a fresh work directory (kept with --keep), prints its table and writes its JSON."""
    work = Path(tempfile.mkdtemp(prefix=f"stayhere-bench-{name}-"))
    try:
        results = run(args, work)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["command"] = " ".join([f"python -m bench.{name}", *(argv if argv is not None else sys.argv[1:])])
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if not args.database_url:
        return _run(args, work, None)
    with throwaway_database(args.database_url) as url:
        return _run(args, work, url)


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of ``server_url``, as a URL; dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"stayhere_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(server_url)
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _run(args: argparse.Namespace, work: Path, database_url: str | None) -> dict[str, Any]:
    if args.reuse is not None:
        work = args.reuse
        work.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir = work / "data"
    reused = (work / "made.json").exists()
    if reused:
        made = json.loads((work / "made.json").read_text())
        if made.get("meetings") != args.meetings or made.get("seed") != args.seed:
            raise SystemExit(
                f"{work} holds {made.get('meetings')} meetings (seed {made.get('seed')}), not {args.meetings} "
                f"(seed {args.seed}): give another --reuse folder."
            )
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(mode=0o700)
    env = {**os.environ, "STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_LOG_LEVEL": "WARNING"}
    env.pop("STAYHERE_DATABASE_URL", None)  # the embedded default, SQLite, unless --database-url
    if database_url:
        env["STAYHERE_DATABASE_URL"] = database_url
    count = partial(_count, database_url or data_dir / "stayhere.sqlite3")
    results: dict[str, Any] = {
        "meetings": args.meetings,
        "seed": args.seed,
        "database": "postgresql" if database_url else "sqlite",
    }

    if reused:
        towns = [Town(**town) for town in json.loads((work / "towns.json").read_text())]
        results.update(made["import"], import_reused=made["made"])
        _stayhere(env, "migrate", "-v0")
        shutil.rmtree(data_dir / "feeds", ignore_errors=True)  # the first download is rendered, as after an import
    else:
        results.update(_make(env, work, data_dir, args, count))
        towns = results.pop("towns")
        if args.reuse is not None:
            (work / "towns.json").write_text(json.dumps([town.__dict__ for town in towns]))
            made = {"meetings": args.meetings, "seed": args.seed, "made": _now(), "import": results}
            (work / "made.json").write_text(json.dumps(made, indent=2) + "\n")
            (work / "feed.json").unlink(missing_ok=True)

    port = _free_port()
    log = (work / "server.log").open("w")
    server = subprocess.Popen(
        [*_stayhere_at(args.at), "serve", "--port", str(port), "--no-migrate"],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, server, work / "server.log")
        # This machine may be shared: the load around the measurement says how much to trust it.
        results["load_before"] = [round(value, 2) for value in os.getloadavg()]
        results["clock_at"] = args.at
        edit = partial(_edit_one_meeting, database_url or data_dir / "stayhere.sqlite3")
        results.update(measure(args, port, towns, server.pid, edit))
        results["load_after"] = [round(value, 2) for value in os.getloadavg()]
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    results["machine"] = machine(database_url)
    results["date"] = _now()
    results["targets"] = TARGETS
    results["missed"] = missed(results)
    return results


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _make(
    env: dict[str, str], work: Path, data_dir: Path, args: argparse.Namespace, count: Callable[[str], int]
) -> dict[str, Any]:
    """Generates the world, writes it as a feed and imports it: the import's figures (and the towns)."""
    started = time.perf_counter()
    feed, towns = write_feed(args.meetings, args.seed, work / "feed.json", data_dir)
    figures: dict[str, Any] = {"generate_s": round(time.perf_counter() - started, 2)}
    figures["feed_file_bytes"] = feed.stat().st_size
    # A world-sized feed is bigger than the default cap on feed files; we trust this one.
    env["STAYHERE_FEED_MAX_BYTES"] = str(feed.stat().st_size + 1_000_000)
    _stayhere(env, "migrate", "-v0")
    started = time.perf_counter()
    output = _stayhere(env, "import-feed", str(feed))
    import_s = time.perf_counter() - started
    imported = count("directory_meeting")
    figures.update(
        importer="stayhere import-feed",
        import_s=round(import_s, 2),
        imported_meetings=imported,
        import_per_s=round(imported / import_s, 1),
        import_summary=output.strip().splitlines()[-1] if output.strip() else "",
        slots=count("directory_meetingslot"),
        towns=towns,
    )
    return figures


def write_feed(meetings: int, seed: int, path: Path, data_dir: Path) -> tuple[Path, list[Town]]:
    """The demo world as a Meeting Guide file, and its towns (where people will search from)."""
    os.environ["STAYHERE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stayhere.settings")
    import django

    django.setup()
    from stayhere.demo.output import meeting_guide_records
    from stayhere.demo.world import generate

    world = generate(meetings, seed)
    towns = towns_of(world)
    records = meeting_guide_records(world)
    del world
    with path.open("w") as handle:
        json.dump(records, handle, ensure_ascii=False, separators=(",", ":"))
    return path, towns


def server_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user and system) the server process has used so far, from /proc; None where there is none.

    On a shared machine a request's wall time includes waiting for a core; its CPU does not."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_between(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def measure(
    args: argparse.Namespace,
    port: int,
    towns: list[Town],
    pid: int | None = None,
    edit: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The figures of a running server. ``edit`` changes one listing as a servant's edit would (then the feed is
    downloaded once more: ``export_changed_s``)."""
    client = Client(port)

    searches = near_me_now_queries(towns, args.seed)

    def query_path() -> str:
        return "/api/meetings?" + urlencode(next(searches))

    warm = Timings()
    for _ in range(max(20, args.queries // 10)):
        client.timed("/health", warm)
        client.timed(query_path(), warm)
    floor, queries = Timings(), Timings()
    started = server_cpu_s(pid)
    for _ in range(args.floor):
        client.timed("/health", floor)
    floor_cpu = _cpu_between(started, started := server_cpu_s(pid))
    sizes: list[int] = []
    for _ in range(args.queries):
        body = client.timed(query_path(), queries)
        sizes.append(len(body))
    query_cpu = _cpu_between(started, server_cpu_s(pid))
    results: dict[str, Any] = {**floor.summary("floor"), **queries.summary("query")}
    # The server's CPU per request, which a busy neighbour does not inflate as it does the wall times.
    results["floor_server_cpu_ms"] = round(floor_cpu / args.floor * 1000, 3) if floor_cpu and args.floor else None
    results["query_server_cpu_ms"] = round(query_cpu / args.queries * 1000, 3) if query_cpu and args.queries else None
    results["query_mean_bytes"] = round(statistics.fmean(sizes)) if sizes else None
    results["query_results_mean"] = _mean_results(client, query_path, 50)
    p95, floor95 = results["query_p95_ms"], results["floor_p95_ms"]
    results["query_p95_over_floor"] = round(p95 / floor95, 2) if p95 and floor95 else None

    # BMLT's semantic API as yap asks it for a caller: the day's 50 nearest meetings, nearest first.
    bmlt = Timings()
    for _ in range(args.queries):
        client.timed(bmlt_near_path(next(searches)), bmlt)
    results.update(bmlt.summary("bmlt_near"))
    bmlt95 = results["bmlt_near_p95_ms"]
    results["bmlt_near_p95_over_floor"] = round(bmlt95 / floor95, 2) if bmlt95 and floor95 else None

    # The first download after the import renders the feed (and keeps a copy); the later ones
    # are served from that copy until the directory changes. Both figures are reported.
    runs: list[float] = []
    export_bytes = 0
    export_status = 0
    cpu: list[float | None] = []
    for _ in range(1 + args.exports):
        started = server_cpu_s(pid)
        export_status, seconds, export_bytes = client.stream_seconds("/feeds/meeting-guide.json")
        runs.append(seconds)
        cpu.append(_cpu_between(started, server_cpu_s(pid)))
    results.update(
        export_cold_s=round(runs[0], 3) if export_status == 200 else None,
        export_cold_server_cpu_s=round(cpu[0], 2) if cpu[0] is not None else None,
        export_s=round(statistics.median(runs[1:]), 3) if export_status == 200 and len(runs) > 1 else None,
        export_runs_s=[round(value, 3) for value in runs],
        export_bytes=export_bytes,
        export_status=export_status,
    )
    if edit is not None and export_status == 200:
        # What a poller meets after a servant's edit: a kept whole copy is stale (PostgreSQL); on SQLite the kept
        # pieces of every block but the edited one are not (feeds/pieces.py).
        edit()
        started = server_cpu_s(pid)
        status, seconds, _size = client.stream_seconds("/feeds/meeting-guide.json")
        changed_cpu = _cpu_between(started, server_cpu_s(pid))
        results.update(
            export_changed_s=round(seconds, 3) if status == 200 else None,
            export_changed_server_cpu_s=round(changed_cpu, 2) if changed_cpu is not None else None,
        )
    weight = first_page_weight(client, "/")
    results["first_page_bytes"] = weight.total_bytes
    results["first_page_parts"] = weight.parts
    client.close()
    return results


def bmlt_near_path(search: list[tuple[str, str]]) -> str:
    """yap's meeting search (its default custom query) from a near-me-now search's position, on a weekday."""
    lat, lng = dict(search)["near"].split(",")
    weekday = 1 + sum(map(ord, lat + lng)) % 7
    fields = "id_bigint,meeting_name,weekday_tinyint,start_time,location_text,location_municipality,longitude,latitude"
    return "/client_interface/json/?" + urlencode(
        [
            ("switcher", "GetSearchResults"),
            ("get_used_formats", ""),
            ("data_field_key", fields + ",distance_in_miles,distance_in_km,formats,virtual_meeting_link"),
            ("sort_results_by_distance", "1"),
            ("long_val", lng),
            ("lat_val", lat),
            ("geo_width", "-50"),
            ("weekdays", str(weekday)),
        ]
    )


def _mean_results(client: Client, query_path: Any, count: int) -> float | None:
    """How many meetings a near-me-now answer lists on average (so a fast empty answer shows)."""
    counts: list[int] = []
    for _ in range(count):
        status, _headers, body = client.get(query_path())
        if status != 200:
            continue
        data = json.loads(body)
        listed = data.get("results", data.get("meetings")) if isinstance(data, dict) else data
        if isinstance(listed, list):
            counts.append(len(listed))
    return round(statistics.fmean(counts), 1) if counts else None


def missed(results: dict[str, Any]) -> list[str]:
    out = []
    for key, target in TARGETS.items():
        value = results.get(key)
        if value is None:
            out.append(f"{key}: not measured")
        elif key == "import_per_s" and value < target:
            out.append(f"{key}: {value} < {target}")
        elif key != "import_per_s" and value > target:
            out.append(f"{key}: {value} > {target}")
    return out


def machine(database_url: str | None = None) -> dict[str, Any]:
    cpu = ""
    memory_kb = 0
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, StopIteration, ValueError, IndexError):
        pass
    import django

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    postgresql = {}
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            postgresql = {"postgresql": row[0] if row else ""}
    return {
        **postgresql,
        "cpu": cpu or platform.processor(),
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": django.get_version(),
        "commit": commit.stdout.strip(),
    }


def print_table(results: dict[str, Any]) -> None:
    rows = [
        ("database", results.get("database"), ""),
        ("meetings", results.get("meetings"), ""),
        ("import", results.get("import_per_s"), "meetings/s (target >= 5000)"),
        ("floor GET /health p50/p95/p99", _three(results, "floor"), "ms"),
        ("near-me-now p50/p95/p99", _three(results, "query"), "ms (target p95 <= 10 and <= 3x floor)"),
        ("near-me-now p95 / floor p95", results.get("query_p95_over_floor"), "x"),
        ("near-me-now errors", results.get("query_errors"), f"of {results.get('query_count')}"),
        ("BMLT nearest 50 p50/p95/p99", _three(results, "bmlt_near"), "ms (yap's meeting search)"),
        ("BMLT p95 / floor p95", results.get("bmlt_near_p95_over_floor"), "x"),
        ("feed rendered, to last byte", results.get("export_cold_s"), f"s, {results.get('export_bytes')} bytes (<= 5)"),
        ("feed unchanged (kept copy or pieces)", results.get("export_s"), "s (<= 5)"),
        ("server CPU: query / floor", _pair(results, "query_server_cpu_ms", "floor_server_cpu_ms"), "ms a request"),
        ("server CPU, cold feed", results.get("export_cold_server_cpu_s"), "s"),
        ("feed after one meeting changed", results.get("export_changed_s"), "s (<= 5)"),
        ("server CPU, feed after one change", results.get("export_changed_server_cpu_s"), "s"),
        ("first page over the wire", results.get("first_page_bytes"), "bytes (target <= 61440)"),
    ]
    for label, value, unit in rows:
        print(f"{label:<32} {value!s:>24}  {unit}")
    for line in results.get("missed", []):
        print(f"MISSED {line}")


def _pair(results: dict[str, Any], first: str, second: str) -> str:
    return f"{results.get(first)} / {results.get(second)}"


def _three(results: dict[str, Any], prefix: str) -> str:
    return " / ".join(str(results.get(f"{prefix}_{p}_ms")) for p in ("p50", "p95", "p99"))


def _stayhere(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "stayhere.cli", *args], env=env, cwd=REPO, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"stayhere {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _count(database: Path | str, table: str) -> int:
    """Rows in a table of the SQLite file or the PostgreSQL database (a URL)."""
    query = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 (our names)
    if isinstance(database, str):
        import psycopg

        with psycopg.connect(database) as pg:
            row = pg.execute(query.encode()).fetchone()
            return int(row[0]) if row else 0
    with sqlite3.connect(database) as connection:
        return int(connection.execute(query).fetchone()[0])


def _edit_one_meeting(database: Path | str) -> None:
    """One meeting's notes changed in the middle of the directory, and the directory's version moved, as an edit
    in the admin does (freshness.changed); straight to the database, like _count."""
    statements = [
        "UPDATE directory_meeting SET notes = notes || ' (edited)' WHERE id = "
        "(SELECT id FROM directory_meeting ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM directory_meeting))",
        "UPDATE directory_directorystate SET version = version + 1",
    ]
    if isinstance(database, str):
        import psycopg

        with psycopg.connect(database) as pg:
            for statement in statements:
                pg.execute(statement.encode())
        return
    with sqlite3.connect(database) as connection:
        for statement in statements:
            connection.execute(statement)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stayhere_at(at: str) -> list[str]:
    """The command that runs ``stayhere``, its clock set to ``at`` (or the real one for 'now')."""
    if at == "now":
        return [sys.executable, "-m", "stayhere.cli"]
    return [sys.executable, "-m", "bench.clock_at", at]


def _wait_for(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"stayhere serve stopped ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"stayhere serve did not answer on port {port} within 60 s:\n{log.read_text()[-3000:]}")


if __name__ == "__main__":
    sys.exit(main())
