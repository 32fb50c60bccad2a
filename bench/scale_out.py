"""The scale-out deployment for ``bench.rooms --redis URL --workers N``: workers, nginx, Redis, PostgreSQL.

N ``stayhere serve`` processes (one uvicorn worker each, their own loopback ports, one secret key, one
database, one Redis) behind Debian's nginx run from ``deploy/nginx/stayhere.conf`` with everything in a temp
directory, as ``tests/deploy/test_nginx.py`` runs it. The clients talk to nginx only.

Redis: the benchmark refuses a Redis database that already holds stayhere's keys (it deletes its own keys
afterwards, and must not delete anyone else's). A database number does not separate Redis' pub/sub channels,
so every stayhere worker on the same Redis server (a test suite's, say) hears the benchmark's room changes on
``stayhere:rooms`` and the other way round: give the benchmark a redis-server of its own for figures of record.

PostgreSQL (``--database-url``): a throwaway database is created on that server (the URL's database is only
where ``CREATE DATABASE`` is issued) and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "deploy" / "nginx" / "stayhere.conf"
NGINX = Path("/usr/sbin/nginx")
PATTERNS = ("stayhere:*", "asgi*")  # the rooms' keys, and any the Channels layer leaves


@dataclass
class Processes:
    """What the sampler adds up: the stayhere workers, and (scale-out only) Redis and nginx, apart."""

    servers: list[int]
    redis: int | None = None
    nginx_master: int | None = None
    nginx: list[int] = field(default_factory=list)
    redis_url: str | None = None

    def refresh(self) -> None:
        """nginx's worker processes are the master's children; they are found again before each step."""
        if self.nginx_master is not None:
            self.nginx = [self.nginx_master, *children(self.nginx_master)]

    def everything(self) -> list[int]:
        return [*self.servers, *([self.redis] if self.redis else []), *self.nginx]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


# Redis -------------------------------------------------------------------------------------------------


def redis_pid(url: str) -> int | None:
    """Redis' process id, when that process is on this machine (INFO server's process_id, checked in /proc)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        pid = int(client.info("server")["process_id"])
    finally:
        client.close()
    try:
        if Path(f"/proc/{pid}/comm").read_text().startswith("redis"):
            return pid
    except OSError:
        pass
    return None


def redis_keys(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return sum(1 for pattern in PATTERNS for _ in client.scan_iter(match=pattern, count=1000))
    finally:
        client.close()


def check_redis_is_ours(url: str) -> None:
    found = redis_keys(url)
    if found:
        raise SystemExit(
            f"The Redis database {url} already holds {found} stayhere or Channels key(s): another stayhere (or a test "
            "run) uses it, and the benchmark deletes its keys when it ends. Give the benchmark a database of its own "
            "(e.g. redis://127.0.0.1:6379/14), or better a redis-server of its own (pub/sub channels are shared by "
            "all databases of one server): redis-server --port 6391 --save '' --appendonly no"
        )


def flush_redis(url: str) -> int:
    """Deletes the benchmark's keys (stayhere's and the Channels layer's) from its Redis database."""
    import redis

    client = redis.Redis.from_url(url)
    deleted = 0
    try:
        for pattern in PATTERNS:
            batch = []
            for key in client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 500:
                    deleted += client.delete(*batch)
                    batch = []
            if batch:
                deleted += client.delete(*batch)
    finally:
        client.close()
    return deleted


def redis_rss_mib(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


# PostgreSQL --------------------------------------------------------------------------------------------


@contextmanager
def throwaway_database(url: str) -> Iterator[str]:
    """A new database on the server of ``url`` (whose role may create databases); dropped afterwards."""
    import psycopg

    name = "stayhere_bench_" + secrets.token_hex(4)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')  # a name made here, never given from outside
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# nginx -------------------------------------------------------------------------------------------------


def site_config(workers: list[int], port: int, error_log: Path) -> str:
    servers = "\n    ".join(f"server 127.0.0.1:{worker} max_fails=0;" for worker in workers)
    text = TEMPLATE.read_text()
    for placeholder, value in {
        "@WORKERS@": servers,
        "@LISTEN@": f"127.0.0.1:{port}",
        "@SERVER_NAME@": "127.0.0.1 localhost",
        "@ERROR_LOG@": str(error_log),
    }.items():
        if placeholder not in text:
            raise SystemExit(f"{placeholder} is no longer in {TEMPLATE}; bench/scale_out.py needs updating.")
        text = text.replace(placeholder, value)
    # Every seat of the bench comes from this one address, faster than any crowd: the per-address limits on the
    # rooms' handshakes and sockets are lifted, as bench.rooms lifts stayhere's own (bench.siege measures them).
    limits = ("limit_req zone=stayhere_room_handshakes", "limit_conn stayhere_room_sockets")
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not line.strip().startswith(limits)]
    if len(lines) - len(kept) != len(limits):
        raise SystemExit(f"the room limits are no longer as expected in {TEMPLATE}; bench/scale_out.py needs updating.")
    return "".join(kept)


def main_config(prefix: Path, site: Path, connections: int) -> str:
    """Debian's nginx.conf around the site (worker_processes auto), every path in ``prefix``.

    Each proxied WebSocket holds two of a worker's connections (the client's and the upstream's), so
    ``worker_connections`` is sized from the seats; Debian's default of 768 would hold about 380 seats a worker.
    """
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes auto;\n"
        f"worker_rlimit_nofile {connections + 100};\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        f"events {{ worker_connections {connections}; }}\n"
        "http {\n"
        f"  client_body_temp_path {temp['body']};\n"
        f"  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n"
        f"  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n"
        f"  include {site};\n"
        "}\n"
    )


def start_nginx(prefix: Path, workers: list[int], port: int, seats: int) -> subprocess.Popen[bytes]:
    if not NGINX.exists():
        raise SystemExit("--redis runs the workers behind Debian's nginx, which is not here: apt-get install nginx")
    prefix.mkdir(exist_ok=True)
    site = prefix / "stayhere.conf"
    site.write_text(site_config(workers, port, prefix / "stayhere.error.log"))
    config = prefix / "nginx.conf"
    connections = max(1024, min(19_000, 2 * seats + 512))
    config.write_text(main_config(prefix, site, connections))
    base = [str(NGINX), "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    check = subprocess.run([*base, "-t"], capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"nginx -t refused the benchmark's configuration:\n{check.stderr}")
    output = (prefix / "nginx.out").open("wb")
    process = subprocess.Popen([*base, "-g", "daemon off;"], stdout=output, stderr=output)
    output.close()
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit(f"nginx did not start:\n{(prefix / 'error.log').read_text()[-2000:]}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def nginx_errors(prefix: Path) -> str:
    """nginx's own complaints (e.g. too few worker_connections), for the run's report."""
    path = prefix / "error.log"
    if not path.exists():
        return ""
    lines = [line for line in path.read_text(errors="replace").splitlines() if "[notice]" not in line]
    return "\n".join(lines[-20:])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
