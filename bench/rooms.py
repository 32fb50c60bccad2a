"""Live rooms under load: delivery latency to every seat, deliveries per second, server CPU and memory.

    python -m bench.rooms --participants 1000 --rate 10 --json PATH          (docs/BENCHMARKS.md, Rooms)
    python -m bench.rooms --participants 5000 --meetings 250 --rate 1 --json PATH
    python -m bench.rooms --participants 1000 --saturate --json PATH
    python -m bench.rooms --smoke --json PATH                                (a tiny quick run)
    python -m bench.rooms --redis redis://127.0.0.1:6391/0 --workers 2 [--database-url postgresql://...] ...

Migrates a fresh data directory, creates the meetings with their rooms (``bench.room_setup``), starts
``stayhere serve`` (embedded mode: one process, in-memory channel layer) and connects the participants
from client processes (``bench.room_clients``): in each room the chair first, with the chair key, then the
members. It then drives every room at ``--rate`` events a second (80 % chat, 15 % hands up and down, 5 %
chair calls; a called seat passes), measures, and does the same against a bare ``websockets.broadcast()``
server (``bench.broadcast_baseline``) under the same load. Server and clients share this machine's cores.

With ``--redis URL --workers N`` (``bench.scale_out``) stayhere runs as the scale-out deployment instead: N
``stayhere serve`` processes sharing the Redis and the database (a throwaway PostgreSQL database with
``--database-url``, else the SQLite data directory) behind Debian's nginx from ``deploy/nginx/stayhere.conf``;
the clients connect to nginx. Server CPU and memory are then summed over the workers, and Redis' and nginx's
CPU are reported apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench.directory import _free_port, machine, run_and_report
from bench.room_setup import SLUG
from bench.scale_out import Processes

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"p99_ms": 150.0, "rss_mib": 1536.0, "ratio": 0.5}
MIX = {"chat": 0.80, "hand": 0.15, "call": 0.05}
SATURATED_P99_MS = 500.0
SATURATED_LOST = 0.01  # more than 1 % of chat deliveries missing after the drain: the server fell behind
TICK = os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rooms", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000, help="seats in all, chairs included (1000)")
    parser.add_argument("--meetings", type=int, default=1, help="rooms the seats are spread over (1)")
    parser.add_argument("--rate", type=float, default=10.0, help="events a second in each room (10)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds driven before measuring (5)")
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for late frames (3)")
    parser.add_argument("--processes", type=int, help="client processes (4; 8 past 2,500 seats)")
    parser.add_argument("--saturate", action="store_true", help="step the rate up until a server cannot keep up")
    parser.add_argument("--start-rate", type=float, default=2.5, help="--saturate: the first rate (2.5)")
    parser.add_argument("--step-seconds", type=float, default=8.0, help="--saturate: measured seconds a step (8)")
    parser.add_argument(
        "--compression",
        choices=["deflate", "none"],
        default="deflate",
        help="offer permessage-deflate, as browsers do (deflate); the baseline then answers as stayhere did",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=300.0,
        help="before each step, wait up to this many seconds for the rest of the machine to go quiet (300)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="measured steps of each server, interleaved (2: stayhere, baseline, baseline, stayhere)",
    )
    parser.add_argument("--only", choices=["stayhere", "baseline"], help="measure one server only")
    parser.add_argument(
        "--baseline-pings",
        choices=["stayhere", "off"],
        default="stayhere",
        help="the bare server pings every socket as stayhere serve does (stayhere), or never (off: the figures "
        "before 2026-12-02 14:00, when only stayhere paid for keepalive)",
    )
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument(
        "--join-concurrency",
        type=int,
        help="joins in flight at once in each client process (16); all seats' joins are in one room's rush",
    )
    parser.add_argument(
        "--curve",
        metavar="N,N,...",
        help="the scaling curve: one run a size (seats in one room, 100,1000,3000 say), a table and --svg's chart",
    )
    parser.add_argument("--svg", type=Path, help="--curve: write the chart here (plain SVG, made by the bench)")
    parser.add_argument(
        "--redraw", type=Path, metavar="JSON", help="draw --svg again from a --curve run's --json (and --before files)"
    )
    parser.add_argument(
        "--before",
        type=Path,
        action="append",
        default=[],
        metavar="JSON",
        help="--curve: an earlier run's --json (one room), drawn as 'stayhere before' at its size (repeatable)",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny quick run: 20 seats, 5 s")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument(
        "--redis", metavar="URL", help="the scale-out deployment: rooms in this Redis (a database of the bench's own)"
    )
    parser.add_argument("--workers", type=int, default=1, help="--redis: stayhere serve processes behind nginx (1)")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="--redis: a PostgreSQL server whose role may create databases; the bench uses a throwaway one "
        "(default: the SQLite data directory, shared by the workers)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.participants, args.meetings, args.rate, args.seconds, args.warmup = 20, 1, 5.0, 5.0, 2.0
        args.processes, args.start_rate, args.step_seconds = args.processes or 2, 2.5, 3.0
        args.quiet_wait = 0.0
    if args.meetings < 1 or args.participants < 2 * args.meetings:
        parser.error("Give each meeting at least two seats: --participants must be at least 2 x --meetings.")
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more.")
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be above zero.")
    args.processes = args.processes or (8 if args.participants > 2500 else 4)
    if args.workers < 1:
        parser.error("--workers must be 1 or more.")
    if (args.workers > 1 or args.database_url) and not args.redis:
        parser.error("--workers and --database-url are for the scale-out deployment: give --redis URL as well.")

    if args.curve:
        try:
            args.sizes = [int(size) for size in args.curve.split(",")]
        except ValueError:
            parser.error("--curve takes seat counts separated by commas, as in --curve 100,1000,3000.")
        if any(size < 2 for size in args.sizes):
            parser.error("--curve: each size must be at least 2 seats.")
        args.earlier = read_before(args.before)
        return run_and_report("rooms", args, argv, run_curve, print_curve)
    if args.redraw:
        if not args.svg:
            parser.error("--redraw needs --svg PATH: where to write the chart.")
        try:
            curve = json.loads(args.redraw.read_text())
            curve["curve"]
        except (OSError, ValueError, KeyError, TypeError) as problem:
            parser.error(f"--redraw {args.redraw}: not a bench.rooms --curve --json file ({problem}).")
        curve["before"] = {str(size): old for size, old in read_before(args.before).items()}
        draw_curve(curve, args.svg)
        return 0
    if args.svg or args.before:
        parser.error("--svg and --before are for --curve (or --redraw).")
    return run_and_report("rooms", args, argv, run, print_table)


CURVE_KEYS = (
    "participants",
    "join_s",
    "baseline_join_s",
    "join_cpu_s",
    "baseline_join_cpu_s",
    "p99_ms",
    "baseline_p99_ms",
    "server_cpu_us_per_frame",
    "baseline_cpu_us_per_frame",
    "server_cpu_us_per_event",
    "baseline_cpu_us_per_event",
    "cpu_ratio",
    "rss_mib",
)


def run_curve(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """One run a size, each in its own data directory; the figures of each, a table, and the chart."""

    points = []
    for size in args.sizes:
        one = argparse.Namespace(**{**vars(args), "participants": size, "meetings": 1, "curve": None})
        one.processes = 8 if size > 2500 else 4
        place = work / f"seats-{size}"
        place.mkdir()
        results = run(one, place)
        points.append({key: results.get(key) for key in CURVE_KEYS} | {"missed": results.get("missed")})
    curve: dict[str, Any] = {
        "curve": points,
        "rate": args.rate,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    curve["before"] = {str(size): old for size, old in args.earlier.items()}
    if args.svg:
        draw_curve(curve, args.svg)
    return curve


def read_before(paths: list[Path]) -> dict[int, dict[str, Any]]:
    """Earlier single-room runs' figures (``--before``), by their size; a file that is not one stops the bench."""
    earlier: dict[int, dict[str, Any]] = {}
    for path in paths:
        try:
            old = json.loads(path.read_text())
            earlier[int(old["participants"])] = {key: old.get(key) for key in CURVE_KEYS}
        except (OSError, ValueError, KeyError, TypeError) as problem:
            raise SystemExit(f"--before {path}: not a bench.rooms --json file ({problem}).") from None
    return earlier


def draw_curve(curve: dict[str, Any], svg: Path) -> None:
    """The curve's chart: stayhere and the bare server (and stayhere before, when given) against the seats."""
    from bench import svg_chart

    points = curve["curve"]
    sizes = [int(point["participants"]) for point in points]
    earlier = {int(size): old for size, old in curve.get("before", {}).items()}
    seats = [float(size) for size in sizes]
    panels = []
    for title, unit, ours, bare in (
        ("Joining everyone", "s", "join_s", "baseline_join_s"),
        ("Server CPU an event delivered", "µs", "server_cpu_us_per_event", "baseline_cpu_us_per_event"),
        ("p99 delivery", "ms", "p99_ms", "baseline_p99_ms"),
    ):
        series = {"stayhere": _column(points, ours), "bare": _column(points, bare)}
        if earlier:
            series["stayhere before"] = [earlier.get(size, {}).get(ours) for size in sizes]
        panels.append(svg_chart.Panel(title, unit, series))
    note = f"bench.rooms --curve {','.join(map(str, sizes))}, {curve['rate']:g} events/s a room, {curve['date']}"
    svg.write_text(svg_chart.render("One room, stayhere and a bare websockets server", "seats", seats, panels, note))


def _column(points: list[dict[str, Any]], key: str) -> list[float | None]:
    return [point.get(key) for point in points]


def print_curve(curve: dict[str, Any]) -> None:
    print(f"scaling curve, one room, {curve['rate']:g} events/s")
    header = ("seats", "join s", "bare s", "p99 ms", "bare p99", "us/frame", "bare", "us/event", "bare", "cpu_ratio")
    print(" ".join(f"{cell:>9}" for cell in header))
    for point in curve["curve"]:
        row = (
            point["participants"],
            point["join_s"],
            point["baseline_join_s"],
            point["p99_ms"],
            point["baseline_p99_ms"],
            point["server_cpu_us_per_frame"],
            point["baseline_cpu_us_per_frame"],
            point["server_cpu_us_per_event"],
            point["baseline_cpu_us_per_event"],
            point["cpu_ratio"],
        )
        print(" ".join(f"{cell!s:>9}" for cell in row))


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data_dir = work / "data"
    data_dir.mkdir(mode=0o700)
    env = {**os.environ, "STAYHERE_DATA_DIR": str(data_dir), "STAYHERE_LOG_LEVEL": "WARNING"}
    env.pop("STAYHERE_DATABASE_URL", None)  # the embedded default: SQLite, in-memory channel layer
    env.pop("STAYHERE_REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "stayhere.settings"
    # Every client here comes from this one machine's address, and joins faster than any crowd: the door's
    # limits (stayhere.rooms.live.gate) are off, as the per-address ones are behind nginx. bench.siege measures them.
    for door in ("JOINS_PER_SOURCE", "SOCKETS_PER_SOURCE", "JOINS_PER_ROOM", "UNSEATED_MAX"):
        env[f"STAYHERE_ROOM_{door}"] = "0"
    if not args.redis:
        return run_in(args, work, env)
    from bench import scale_out

    scale_out.check_redis_is_ours(args.redis)
    with ExitStack() as stack:
        if args.database_url:
            env["STAYHERE_DATABASE_URL"] = stack.enter_context(scale_out.throwaway_database(args.database_url))
        env["STAYHERE_REDIS_URL"] = args.redis
        env["STAYHERE_SECRET_KEY"] = secrets.token_urlsafe(48)  # one key for every worker
        stack.callback(lambda: scale_out.log(f"deleted {scale_out.flush_redis(args.redis)} Redis key(s) left over"))
        return run_in(args, work, env)


def run_in(args: argparse.Namespace, work: Path, env: dict[str, str]) -> dict[str, Any]:
    chair_key = secrets.token_urlsafe(24)
    slugs = [SLUG.format(number=number) for number in range(1, args.meetings + 1)]
    if args.only != "baseline":
        _child(env, "-m", "stayhere.cli", "migrate", "-v0")
        setup = ["-m", "bench.room_setup", "--meetings", str(args.meetings), f"--chair-key={chair_key}"]
        slugs = json.loads(_child(env, *setup))
    seats = plan_seats(slugs, args.participants)
    results: dict[str, Any] = {
        "participants": args.participants,
        "meetings": args.meetings,
        "rate": args.rate,
        "rate_total": round(args.rate * args.meetings, 2),
        "seconds": args.step_seconds if args.saturate else args.seconds,
        "saturate": args.saturate,
        "processes": args.processes,
        "compression": args.compression,
        "mix": MIX,
        "join_concurrency": args.join_concurrency or 16,
        "baseline_pings": args.baseline_pings,
        "load_before": [round(value, 2) for value in os.getloadavg()],
    }
    if args.redis:
        results["deployment"] = {
            "redis": args.redis,
            "workers": args.workers,
            "database": "postgresql" if args.database_url else "sqlite",
            "proxy": "nginx (deploy/nginx/stayhere.conf)",
        }
    rates = saturation_rates(args.start_rate) if args.saturate else [args.rate]
    targets = [target for target in ("stayhere", "baseline") if not args.only or args.only == target]
    with ExitStack() as servers:
        # Both servers up at once, each with its own clients, and their steps interleaved (stayhere, baseline, then
        # baseline, stayhere, ...): a neighbour's burst on the shared machine then falls on both alike.
        running: dict[str, Running] = {}
        compression = args.compression  # the baseline answers as stayhere did, once stayhere has been asked
        for target in targets:
            if target == "stayhere" and args.redis:
                port, processes, logs = start_scale_out(servers, args, env, work, len(seats))
            else:
                port = _free_port()
                log_path = work / f"{target}.log"
                log = servers.enter_context(log_path.open("w"))
                server = start_server(target, port, env, log, compression, args.baseline_pings == "stayhere")
                servers.callback(_stop, server)
                wait_until_up(target, port, server, log_path)
                processes, logs = Processes([server.pid]), [log_path]
            clients = Clients(args.processes, port, seats, chair_key, args.compression, args.join_concurrency)
            servers.callback(clients.close)
            running[target] = Running(target, clients, processes, join(target, clients, processes, seats, args))
            if target == "stayhere":
                negotiated = running[target].out.get("negotiated", {})
                compression = "deflate" if negotiated.get("permessage-deflate") else "none"
                results["stayhere_compression"] = compression
            if running[target].out.get("join_failed"):
                for log_path in logs:
                    print(f"{target}: log tail\n{log_path.read_text(errors='replace')[-2000:]}", file=sys.stderr)
        rounds = 1 if args.saturate else args.rounds
        stopped: set[str] = set()
        for rate in rates:
            for number in range(rounds):
                order = targets if number % 2 == 0 else targets[::-1]
                for target in order:
                    if target in stopped:
                        continue
                    step = run_step(args, running[target], seats, rate)
                    if args.saturate and not keeps_up(step):
                        stopped.add(target)
                    time.sleep(args.drain)
            if len(stopped) == len(targets):
                break
    measured = {target: state.out for target, state in running.items()}
    results["load_after"] = [round(value, 2) for value in os.getloadavg()]
    summarise(results, measured, args.saturate)
    results["machine"] = machine()
    results["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["targets"] = TARGETS
    results["missed"] = missed(results)
    return results


def start_scale_out(
    stack: ExitStack, args: argparse.Namespace, env: dict[str, str], work: Path, seats: int
) -> tuple[int, Processes, list[Path]]:
    """N workers on their own ports, then nginx in front of them; stopped when ``stack`` closes (nginx first)."""
    from bench import scale_out

    ports = [_free_port() for _ in range(args.workers)]
    logs = [work / f"stayhere-{number}.log" for number in range(1, args.workers + 1)]
    workers = []
    for port, log_path in zip(ports, logs, strict=True):
        log = stack.enter_context(log_path.open("w"))
        workers.append(start_server("stayhere", port, env, log, "none"))
        stack.callback(_stop, workers[-1])
    for port, worker, log_path in zip(ports, workers, logs, strict=True):
        wait_until_up("stayhere", port, worker, log_path)
    proxy_port = _free_port()
    prefix = work / "nginx"
    proxy = scale_out.start_nginx(prefix, ports, proxy_port, seats)
    stack.callback(lambda: scale_out.log(scale_out.nginx_errors(prefix)))
    stack.callback(_stop, proxy)
    processes = Processes([worker.pid for worker in workers], scale_out.redis_pid(args.redis), proxy.pid)
    processes.redis_url = args.redis
    processes.refresh()
    if processes.redis is None:
        scale_out.log("Redis' process is not on this machine (or not visible): its CPU is not measured.")
    return proxy_port, processes, logs


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def plan_seats(slugs: list[str], participants: int) -> list[dict[str, Any]]:
    """Seats spread evenly over the rooms; each room's first seat is its chair."""
    seats: list[dict[str, Any]] = []
    per_room, extra = divmod(participants, len(slugs))
    for number, slug in enumerate(slugs):
        for place in range(per_room + (1 if number < extra else 0)):
            seats.append({"room": slug, "index": len(seats), "chair": place == 0})
    return seats


def saturation_rates(start: float) -> list[float]:
    """Steps of the square root of two: 2.5, 3.5, 5, 7.1, 10, 14, 20, ... up to 64 x the start."""
    return [round(start * math.sqrt(2) ** step, 2) for step in range(13)]


def start_server(
    target: str, port: int, env: dict[str, str], log: IO[str], compression: str, pings: bool = True
) -> subprocess.Popen[bytes]:
    """``pings``: the bare server pings as ``stayhere serve`` does (its own default); else it never pings."""
    if target == "stayhere":
        command = ["-m", "stayhere.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    else:
        command = ["-m", "bench.broadcast_baseline", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--compression", compression]
        if not pings:
            command += ["--ping-interval", "0"]
    return subprocess.Popen([sys.executable, *command], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(target: str, port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/health"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{target} stopped ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if target == "stayhere":
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            elif "listening" in log.read_text():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{target} did not answer on port {port} within 60 s:\n{log.read_text()[-3000:]}")


class Clients:
    """The client processes, each holding its share of the seats, spoken to in JSON lines."""

    def __init__(
        self,
        count: int,
        port: int,
        seats: list[dict[str, Any]],
        chair_key: str,
        compression: str,
        join_concurrency: int | None = None,
    ) -> None:
        self.shares = [seats[number::count] for number in range(count)]
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.room_clients"],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]
        config = {
            "url": f"ws://127.0.0.1:{port}/ws/rooms/",
            "origin": f"http://127.0.0.1:{port}",
            "chair_key": chair_key,
            "compression": None if compression == "none" else compression,
            "join_concurrency": join_concurrency,
        }
        for process, share in zip(self.processes, self.shares, strict=True):
            self._write(process, {**config, "seats": share})

    def ask(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for process, command in zip(self.processes, commands, strict=True):
            self._write(process, command)
        answers = []
        for process in self.processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise SystemExit(f"a client process stopped ({process.poll()}); see its output above.")
            answers.append(json.loads(line))
        return answers

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def close(self) -> None:
        """Asks each process to close its connections; one that does not answer in time is stopped."""
        for process in self.processes:
            try:
                self._write(process, {"cmd": "quit"})
            except (BrokenPipeError, ValueError):
                pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    @staticmethod
    def _write(process: subprocess.Popen[str], message: dict[str, Any]) -> None:
        assert process.stdin is not None
        process.stdin.write(json.dumps(message) + "\n")
        process.stdin.flush()


@dataclass
class Running:
    """One server under test: its clients, its processes, and what was measured of it so far."""

    target: str
    clients: Clients
    processes: Processes
    out: dict[str, Any]


def join(
    target: str, clients: Clients, processes: Processes, seats: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    """Every seat joins (the chairs first), then the server is left to settle; the figures of joining."""
    out: dict[str, Any] = {"server": target, "steps": []}
    started = time.perf_counter()
    cpu_before = sum(map(_cpu, processes.servers))
    failures: Counter[str] = Counter()
    extensions: Counter[str] = Counter()
    joined = 0
    for chairs in (True, False):
        for answer in clients.ask([{"cmd": "join", "chairs": chairs}] * args.processes):
            joined += answer["joined"]
            failures.update(answer["failures"])
            extensions.update(answer["extensions"])
    out["join_s"] = round(time.perf_counter() - started, 1)
    out["joined"] = joined
    out["join_failed"] = sum(failures.values())
    out["join_failures"] = dict(failures)
    out["negotiated"] = dict(extensions)
    out["rss_joined_mib"] = _memory_sum(processes.servers)[0]
    print(f"{target}: {joined} of {len(seats)} seats joined in {out['join_s']} s", file=sys.stderr)
    if joined < len(seats):
        print(f"{target}: joins refused: {dict(failures)}", file=sys.stderr)
    out["settle_s"] = settle(processes.servers)
    # The server's CPU for every join and what it sent because of them, settling included.
    out["join_cpu_s"] = round(sum(map(_cpu, processes.servers)) - cpu_before, 2)
    return out


def run_step(args: argparse.Namespace, state: Running, seats: list[dict[str, Any]], rate: float) -> dict[str, Any]:
    seconds = args.step_seconds if args.saturate else args.seconds
    warmup = min(args.warmup, 3.0) if args.saturate else args.warmup
    step = measure_step(state.clients, seats, state.processes, rate, warmup, seconds, args.drain, args.quiet_wait)
    state.out["steps"].append(step)
    print(
        f"{state.target}: {rate:g} events/s a room: {step['deliveries_per_s']:,.0f} deliveries/s, "
        f"p99 {step['p99_ms']} ms, lost {step['lost']}, server CPU {step['cpu_percent']} %, "
        f"{step['server_cpu_us_per_frame']} us a frame, {step['server_cpu_us_per_event']} us an event"
        + (
            f" (workers {step['workers_cpu_percent']}), Redis {step['redis_cpu_percent']} %, "
            f"nginx {step['nginx_cpu_percent']} %"
            if "redis_cpu_percent" in step
            else ""
        ),
        file=sys.stderr,
    )
    return step


def measure_step(
    clients: Clients,
    seats: list[dict[str, Any]],
    processes: Processes,
    rate: float,
    warmup: float,
    seconds: float,
    drain: float,
    quiet_limit: float,
) -> dict[str, Any]:
    count = len(clients.processes)
    room_members = Counter(seat["room"] for seat in seats if not seat["chair"])
    room_sizes = Counter(seat["room"] for seat in seats)
    processes.refresh()
    quiet_s = wait_for_quiet([*processes.everything(), *clients.pids()], quiet_limit)
    t_start = time.time() + 1.0
    t_measure = t_start + warmup
    t_end = t_measure + seconds
    commands = []
    for number, share in enumerate(clients.shares):
        # This process's part of each room's rate: its members' share of the room's members.
        part = sum(1 / room_members[seat["room"]] for seat in share if not seat["chair"])
        chairs = sum(1 for seat in share if seat["chair"])
        commands.append(
            {
                "cmd": "run",
                "chat_rate": rate * MIX["chat"] * part,
                "hand_rate": rate * MIX["hand"] * part,
                "call_rate": rate * MIX["call"] * chairs,
                "offset": number / count,
                "t_start": t_start,
                "t_measure": t_measure,
                "t_end": t_end,
                "drain": drain,
            }
        )
    sampler = Sampler(processes, clients.pids(), t_measure, t_end)
    sampler.start()
    answers = clients.ask(commands)
    sampler.join()

    latency: Counter[int] = Counter()
    received: Counter[str] = Counter()
    sent: Counter[str] = Counter()
    sent_all: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    types: Counter[str] = Counter()
    events: Counter[str] = Counter()
    worst: dict[int, float] = {}
    for answer in answers:
        events.update(answer["events"])
        for second, ms in answer["worst"].items():
            worst[int(second)] = max(worst.get(int(second), 0.0), ms)
        latency.update({int(key): value for key, value in answer["latency"].items()})
        received.update(answer["received"])
        sent.update(answer["sent"])
        sent_all.update(answer["sent_all"])
        errors.update(answer["errors"])
        types.update(answer["types"])
    expected = sum(sent[room] * (room_sizes[room] - 1) for room in sent)
    lost = max(0, expected - sum(received.values()))
    frames = sum(answer["frames"] for answer in answers)
    figures = sampler.figures(seconds)
    # Server CPU time per delivered frame: the least disturbed figure when the machine is shared.
    cost = round(figures["cpu_percent"] * 10_000 / frames * seconds, 1) if frames else None
    # An event delivered: a message a seat sent, counted once for every seat of its room. Both servers get the same
    # messages; what each sends for one (stayhere: the room's answers, the bare server: an echo) is its own affair.
    delivered_events = sum(count * room_sizes[room] for room, count in events.items())
    server_s = sampler.cpu["server"]
    return {
        "rate": rate,
        "p50_ms": _percentile(latency, 0.50),
        "p95_ms": _percentile(latency, 0.95),
        "p99_ms": _percentile(latency, 0.99),
        "max_ms": round(max(latency) / 10, 1) if latency else None,
        "chat_deliveries": sum(latency.values()),
        "deliveries_per_s": round(frames / seconds, 1),
        "chats_sent": sum(sent.values()),
        "sent": dict(sent_all),
        "expected_chat_deliveries": expected,
        "lost": lost,
        "lost_share": round(lost / expected, 4) if expected else None,
        "errors": dict(errors),
        "frame_types_sampled": dict(types),
        "closed": sum(answer["closed"] for answer in answers),
        "client_late_ms": max(answer["late_ms"] for answer in answers),
        "waited_for_quiet_s": quiet_s,
        # The slowest delivery of the chats sent in each second of the window: stalls show as spikes.
        "worst_ms_by_second": [worst[second] for second in sorted(worst)],
        **figures,
        "server_us_per_delivery": cost,
        "frames": frames,
        "events": sum(events.values()),
        "event_deliveries": delivered_events,
        "server_cpu_s": round(server_s, 3),
        "server_cpu_us_per_frame": round(server_s * 1e6 / frames, 2) if frames else None,
        "server_cpu_us_per_event": round(server_s * 1e6 / delivered_events, 2) if delivered_events else None,
    }


def wait_for_quiet(ours: list[int], limit_s: float, busy_percent: float = 25.0) -> float | None:
    """Waits (up to ``limit_s``) until the rest of the machine uses under 25 % of a core for 3 s running.

    The machine may be shared: another program's burst in the window would be measured as our latency.
    Returns the seconds waited, or None if it never went quiet (the step is then measured anyway).
    """
    started = time.monotonic()
    quiet_for = 0.0
    while time.monotonic() - started < limit_s:
        ours_before, machine_before = sum(map(_cpu, ours)), _machine_cpu()
        time.sleep(1.0)
        ours_after, machine_after = sum(map(_cpu, ours)), _machine_cpu()
        busy, total = machine_after[0] - machine_before[0], machine_after[1] - machine_before[1]
        others = 100 * busy / total * (os.cpu_count() or 1) - 100 * (ours_after - ours_before) if total else 0.0
        quiet_for = quiet_for + 1.0 if others < busy_percent else 0.0
        if quiet_for >= 3.0:
            return round(time.monotonic() - started, 1)
    return None if limit_s > 0 else 0.0


def settle(pids: list[int], idle_percent: float = 15.0, limit_s: float = 120.0) -> float:
    """Waits until the server has worked through the joins (under 15 % of a core for a second); the seconds."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        before = sum(map(_cpu, pids))
        time.sleep(1.0)
        if 100 * (sum(map(_cpu, pids)) - before) < idle_percent:
            break
    return round(time.monotonic() - started, 1)


def keeps_up(step: dict[str, Any]) -> bool:
    p99 = step["p99_ms"]
    share = step["lost_share"]
    return p99 is not None and p99 <= SATURATED_P99_MS and (share or 0.0) <= SATURATED_LOST and not step["closed"]


class Sampler(threading.Thread):
    """CPU time of the server and the clients over the measured window; the server's memory every 0.5 s.

    The server is every stayhere process (one, or the scale-out deployment's workers, summed); Redis and nginx,
    when there are any, are counted apart, and with the server's commands to Redis over the window.
    """

    def __init__(self, processes: Processes, clients: list[int], start: float, end: float) -> None:
        super().__init__(daemon=True)
        self.processes, self.clients, self.start_at, self.end_at = processes, clients, start, end
        self.server = processes.servers
        self.scale_out = processes.redis_url is not None
        self.cpu: dict[str, float] = {}
        self.workers: list[float] = []
        self.redis_stats: dict[str, float] = {}
        self.machine: tuple[float, float] = (0.0, 0.0)
        self.rss_max = 0.0
        self.rss_end = 0.0
        self.peak = 0.0
        self.others: list[float] = []  # the rest of the machine's CPU, % of one core, second by second

    def _ours(self) -> float:
        return sum(map(_cpu, [*self.processes.everything(), *self.clients]))

    def _apart(self) -> dict[str, float]:
        return {
            "server": sum(map(_cpu, self.server)),
            "clients": sum(map(_cpu, self.clients)),
            "redis": _cpu(self.processes.redis) if self.processes.redis else 0.0,
            "nginx": sum(map(_cpu, self.processes.nginx)),
        }

    def _redis_info(self) -> dict[str, float]:
        if not self.processes.redis_url:
            return {}
        import redis

        client = redis.Redis.from_url(self.processes.redis_url)
        try:
            stats = client.info("stats")
            memory = client.info("memory")
        finally:
            client.close()
        return {
            "commands": float(stats["total_commands_processed"]),
            "net_in": float(stats["total_net_input_bytes"]),
            "net_out": float(stats["total_net_output_bytes"]),
            "used_memory": float(memory["used_memory"]),
        }

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.time()))
        apart0, workers0, machine0 = self._apart(), [_cpu(pid) for pid in self.server], _machine_cpu()
        redis0 = self._redis_info()
        ours_then, machine_then, second_ends = self._ours(), machine0, time.time() + 1.0
        while time.time() < self.end_at:
            self.rss_max = max(self.rss_max, _memory_sum(self.server)[0])
            time.sleep(min(0.5, max(0.0, self.end_at - time.time())))
            if time.time() >= second_ends:
                ours_now, machine_now = self._ours(), _machine_cpu()
                self.others.append(_others(ours_now - ours_then, machine_then, machine_now))
                ours_then, machine_then, second_ends = ours_now, machine_now, second_ends + 1.0
        apart1, workers1, machine1 = self._apart(), [_cpu(pid) for pid in self.server], _machine_cpu()
        redis1 = self._redis_info()
        self.cpu = {key: apart1[key] - apart0[key] for key in apart0}
        self.workers = [after - before for before, after in zip(workers0, workers1, strict=True)]
        self.redis_stats = {key: redis1[key] - redis0[key] for key in redis0}
        if redis1:
            self.redis_stats["used_memory"] = redis1["used_memory"]
        busy, total = machine1[0] - machine0[0], machine1[1] - machine0[1]
        self.machine = (busy, total)
        rss, peak = _memory_sum(self.server)
        self.rss_end, self.peak = rss, peak

    def figures(self, seconds: float) -> dict[str, Any]:
        busy, total = self.machine
        figures: dict[str, Any] = {
            "cpu_percent": round(100 * self.cpu["server"] / seconds, 1),
            "client_cpu_percent": round(100 * self.cpu["clients"] / seconds, 1),
            "machine_busy_percent": round(100 * busy / total, 1) if total else None,
            # The rest of the machine's busy time (other programs, and kernel work charged to no process of
            # ours), in % of one core: a shared machine's neighbours show here.
            "others_cpu_percent": round(
                max(0.0, 100 * busy / total * (os.cpu_count() or 1) - 100 * sum(self.cpu.values()) / seconds), 1
            )
            if total
            else None,
            "others_cpu_by_second": self.others,
            "rss_mib": self.rss_end,
            "rss_max_mib": max(self.rss_max, self.rss_end),
            "peak_rss_mib": self.peak,
        }
        if self.scale_out:
            stats = self.redis_stats
            figures.update(
                {
                    "workers_cpu_percent": [round(100 * value / seconds, 1) for value in self.workers],
                    "redis_cpu_percent": round(100 * self.cpu["redis"] / seconds, 1) if self.processes.redis else None,
                    "nginx_cpu_percent": round(100 * self.cpu["nginx"] / seconds, 1),
                    "redis_rss_mib": _memory(self.processes.redis)[0] if self.processes.redis else None,
                    "redis_used_memory_mib": round(stats.get("used_memory", 0.0) / 2**20, 1),
                    "redis_commands_per_s": round(stats.get("commands", 0.0) / seconds, 1),
                    "redis_in_kib_per_s": round(stats.get("net_in", 0.0) / 1024 / seconds, 1),
                    "redis_out_kib_per_s": round(stats.get("net_out", 0.0) / 1024 / seconds, 1),
                }
            )
        return figures


def _others(ours_s: float, machine_before: tuple[float, float], machine_after: tuple[float, float]) -> float:
    """What the rest of the machine used between two /proc/stat readings, in % of one core."""
    busy, total = machine_after[0] - machine_before[0], machine_after[1] - machine_before[1]
    if not total:
        return 0.0
    cores = os.cpu_count() or 1
    return round(max(0.0, 100 * (busy / total * cores) - 100 * ours_s / (total / TICK / cores)), 1)


def _cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name = line.split(":", 1)[0]
            if name in values:
                values[name] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


def _memory_sum(pids: list[int]) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB, added up over processes (the peaks' sum: an upper bound of the joint peak)."""
    both = [_memory(pid) for pid in pids]
    return round(sum(rss for rss, _ in both), 1), round(sum(peak for _, peak in both), 1)


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of every core, from /proc/stat."""
    numbers = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = numbers[3] + numbers[4]
    return float(sum(numbers) - idle), float(sum(numbers))


def _percentile(histogram: Counter[int], share: float) -> float | None:
    """From latencies counted in tenths of a millisecond."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for key in sorted(histogram):
        seen += histogram[key]
        if seen >= rank:
            return round(key / 10, 1)
    return None


def summarise(results: dict[str, Any], measured: dict[str, dict[str, Any]], saturate: bool) -> None:
    """The headline figures: the given rate's step, or with --saturate the fastest step each server kept up."""
    for target, out in measured.items():
        results[target] = out
    ours = measured.get("stayhere")
    base = measured.get("baseline")
    pick = _best if saturate else _only
    chosen = pick(ours) if ours else None
    base_step = pick(base) if base else None
    headline = ("p50_ms", "p95_ms", "p99_ms", "deliveries_per_s", "lost", "cpu_percent", "rss_mib", "peak_rss_mib")
    for key in (*headline, "server_us_per_delivery", "others_cpu_percent"):
        results[key] = chosen.get(key) if chosen else None
    if chosen and "redis_cpu_percent" in chosen:
        for key in ("workers_cpu_percent", "redis_cpu_percent", "nginx_cpu_percent", "redis_commands_per_s"):
            results[key] = chosen.get(key)
    results["rate_kept_up"] = chosen["rate"] if chosen and saturate else None
    results["baseline_deliveries_per_s"] = base_step.get("deliveries_per_s") if base_step else None
    results["baseline_p99_ms"] = base_step.get("p99_ms") if base_step else None
    results["baseline_us_per_delivery"] = base_step.get("server_us_per_delivery") if base_step else None
    results["baseline_rate_kept_up"] = base_step["rate"] if base_step and saturate else None
    # Server CPU (its own processes' utime + stime, from /proc, clients never counted) per frame it delivered and per
    # event delivered to a seat: over every interleaved step at the given rate, or the chosen step at saturation.
    for prefix, out, step in (("server", ours, chosen), ("baseline", base, base_step)):
        steps = [step] if saturate or not out else out.get("steps", [])
        steps = [each for each in steps if each and each.get("frames")]
        cpu = sum(each["server_cpu_s"] for each in steps)
        frames = sum(each["frames"] for each in steps)
        deliveries = sum(each["event_deliveries"] for each in steps)
        results[f"{prefix}_cpu_us_per_frame"] = round(cpu * 1e6 / frames, 2) if frames else None
        results[f"{prefix}_cpu_us_per_event"] = round(cpu * 1e6 / deliveries, 2) if deliveries else None
    ours_event, base_event = results["server_cpu_us_per_event"], results["baseline_cpu_us_per_event"]
    results["cpu_ratio"] = round(base_event / ours_event, 3) if ours_event and base_event else None
    results["join_s"] = ours.get("join_s") if ours else None
    results["baseline_join_s"] = base.get("join_s") if base else None
    results["join_cpu_s"] = ours.get("join_cpu_s") if ours else None
    results["baseline_join_cpu_s"] = base.get("join_cpu_s") if base else None
    ours_rate, base_rate = results["deliveries_per_s"], results["baseline_deliveries_per_s"]
    results["ratio"] = round(ours_rate / base_rate, 3) if ours_rate is not None and base_rate else None
    results["ratio_of"] = (
        "the highest deliveries/s each server kept up with (p99 <= 500 ms, <= 1 % lost)"
        if saturate
        else "deliveries/s measured at the same offered rate (not at saturation)"
    )


def _only(out: dict[str, Any]) -> dict[str, Any] | None:
    return out["steps"][0] if out.get("steps") else None


def _best(out: dict[str, Any]) -> dict[str, Any] | None:
    kept = [step for step in out.get("steps", []) if keeps_up(step)]
    return max(kept, key=lambda step: step["deliveries_per_s"]) if kept else {"rate": 0.0, "deliveries_per_s": 0.0}


def missed(results: dict[str, Any]) -> list[str]:
    out = []
    if not results["saturate"] and results["participants"] >= 1000 and results["meetings"] == 1:
        if results["p99_ms"] is None or results["p99_ms"] > TARGETS["p99_ms"]:
            out.append(f"p99_ms: {results['p99_ms']} > {TARGETS['p99_ms']}")
    if results["participants"] >= 5000 and (results["peak_rss_mib"] or 0) > TARGETS["rss_mib"]:
        out.append(f"peak_rss_mib: {results['peak_rss_mib']} > {TARGETS['rss_mib']}")
    if results["saturate"] and (results["ratio"] is None or results["ratio"] < TARGETS["ratio"]):
        out.append(f"ratio: {results['ratio']} < {TARGETS['ratio']}")
    return out


def print_table(results: dict[str, Any]) -> None:
    load = "saturation steps" if results["saturate"] else f"{results['rate']:g} events/s a room"
    print(
        f"{results['participants']} seats in {results['meetings']} room(s), {load}, "
        f"{results['processes']} client processes, compression {results['compression']}"
    )
    header = (
        "server",
        "rate",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "deliv/s",
        "lost",
        "srv CPU%",
        "cli CPU%",
        "oth CPU%",
        "RSS MiB",
    )
    print(" ".join(f"{cell:>10}" for cell in header))
    for target in ("stayhere", "baseline"):
        for step in results.get(target, {}).get("steps", []):
            row = (
                target,
                step["rate"],
                step["p50_ms"],
                step["p95_ms"],
                step["p99_ms"],
                step["deliveries_per_s"],
                step["lost"],
                step["cpu_percent"],
                step["client_cpu_percent"],
                step.get("others_cpu_percent"),
                step["rss_mib"],
            )
            print(" ".join(f"{cell!s:>10}" for cell in row))
    print(f"ratio {results['ratio']} ({results['ratio_of']})")
    print(
        f"server CPU: stayhere {results['server_cpu_us_per_frame']} us a frame, "
        f"{results['server_cpu_us_per_event']} us an event delivered; bare server "
        f"{results['baseline_cpu_us_per_frame']} us a frame, {results['baseline_cpu_us_per_event']} us an event; "
        f"cpu_ratio {results['cpu_ratio']} (the bare server's CPU an event over stayhere's)"
    )
    if "deployment" in results:
        deployment = results["deployment"]
        print(
            f"scale-out: {deployment['workers']} worker(s) behind nginx, Redis {deployment['redis']}, "
            f"{deployment['database']}; server CPU and RSS above are the workers' sum"
        )
        for step in results.get("stayhere", {}).get("steps", []):
            print(
                f"  rate {step['rate']}: workers CPU {step['workers_cpu_percent']} %, Redis CPU "
                f"{step['redis_cpu_percent']} %, nginx CPU {step['nginx_cpu_percent']} %, Redis "
                f"{step['redis_commands_per_s']} commands/s, {step['redis_out_kib_per_s']} KiB/s out, "
                f"Redis RSS {step['redis_rss_mib']} MiB"
            )
    for target in ("stayhere", "baseline"):
        if target in results:
            out = results[target]
            print(
                f"{target}: joined {out['joined']} in {out['join_s']} s, idle {out['settle_s']} s later, "
                f"RSS after joins {out['rss_joined_mib']} MiB"
            )
    for line in results.get("missed", []):
        print(f"MISSED {line}")


def _child(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


if __name__ == "__main__":
    sys.exit(main())
