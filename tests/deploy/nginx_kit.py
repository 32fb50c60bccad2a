"""nginx from deploy/nginx/stayhere.conf, run as a child process with everything in a temp directory."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.needs import need

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "nginx" / "stayhere.conf"
NGINX = Path("/usr/sbin/nginx")


def site_config(workers: Sequence[int], listen: str, server_name: str, error_log: Path) -> str:
    """The template filled in: one ``server`` line per worker port."""
    servers = "\n    ".join(f"server 127.0.0.1:{port} max_fails=0;" for port in workers)
    text = TEMPLATE.read_text()
    for placeholder, value in {
        "@WORKERS@": servers,
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@ERROR_LOG@": str(error_log),
    }.items():
        assert placeholder in text, f"{placeholder} is no longer in {TEMPLATE}"
        text = text.replace(placeholder, value)
    return text


def main_config(prefix: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, with every path inside ``prefix``."""
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would otherwise be nobody
    return (
        f"{user}worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  access_log {prefix / 'access.log'};\n"  # as Debian's nginx.conf has one; the site turns it off
        f"  client_body_temp_path {temp['body']};\n"
        f"  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n"
        f"  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n"
        f"  include {site};\n"
        "}\n"
    )


@dataclass
class Nginx:
    url: str
    prefix: Path

    def written_files(self) -> list[Path]:
        """Every file nginx wrote (its logs, its output), not the configuration the test gave it."""
        return sorted(p for p in self.prefix.rglob("*") if p.is_file() and p.suffix != ".conf")


@contextmanager
def nginx_in_front(prefix: Path, workers: Sequence[int], port: int) -> Iterator[Nginx]:
    """nginx (not a daemon) on 127.0.0.1:port in front of the workers; stopped afterwards."""
    need("nginx")
    site = prefix / "stayhere.conf"
    site.write_text(site_config(workers, f"127.0.0.1:{port}", "127.0.0.1 localhost", prefix / "stayhere.error.log"))
    config = prefix / "nginx.conf"
    config.write_text(main_config(prefix, site))
    base = [str(NGINX), "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    check = subprocess.run([*base, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
    output = (prefix / "nginx.out").open("wb")
    process = subprocess.Popen([*base, "-g", "daemon off;"], stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {(prefix / 'error.log').read_text()}") from None
                time.sleep(0.1)
        yield Nginx(url=url, prefix=prefix)
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
