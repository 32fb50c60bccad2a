"""The client side of the directory benchmark: keep-alive HTTP timings and page weight over the wire.

Runs in the benchmark's own process, apart from the server it measures.
"""

from __future__ import annotations

import http.client
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit


@dataclass
class Timings:
    """Latencies in milliseconds of one kind of request, and the statuses seen."""

    samples: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0  # answers that were not 200

    def percentile(self, share: float) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return round(ordered[index], 3)

    def summary(self, prefix: str) -> dict[str, object]:
        return {
            f"{prefix}_p50_ms": self.percentile(0.50),
            f"{prefix}_p95_ms": self.percentile(0.95),
            f"{prefix}_p99_ms": self.percentile(0.99),
            f"{prefix}_mean_ms": round(statistics.fmean(self.samples), 3) if self.samples else None,
            f"{prefix}_count": len(self.samples),
            f"{prefix}_errors": self.errors,
            f"{prefix}_statuses": {str(code): count for code, count in sorted(self.statuses.items())},
        }


class Client:
    """One keep-alive connection; reconnects if the server closes it."""

    def __init__(self, port: int, timeout: float = 120.0) -> None:
        self.port = port
        self.timeout = timeout
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path, headers=headers or {})
                response = self.connection.getresponse()
                body = response.read()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def timed(self, path: str, into: Timings) -> bytes:
        started = time.perf_counter()
        status, _headers, body = self.get(path)
        into.samples.append((time.perf_counter() - started) * 1000)
        into.statuses[status] += 1
        if status != 200:
            into.errors += 1
        return body

    def stream_seconds(self, path: str) -> tuple[int, float, int]:
        """(status, seconds to the last byte, bytes) for one large answer, read in 64 KB chunks."""
        started = time.perf_counter()
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        return response.status, time.perf_counter() - started, size

    def close(self) -> None:
        self.connection.close()


_ASSET = re.compile(
    r"""<(?:link[^>]*\brel=["']?(?:stylesheet|modulepreload|icon)["']?[^>]*\bhref|script[^>]*\bsrc)=["']([^"']+)["']""",
    re.IGNORECASE,
)
_LINK_FIRST = re.compile(
    r"""<link[^>]*\bhref=["']([^"']+)["'][^>]*\brel=["']?(?:stylesheet|modulepreload|icon)""", re.IGNORECASE
)
_JS_IMPORT = re.compile(r"""(?:\bimport\s*(?:[^"'()]*?\bfrom\s*)?|\bimport\s*\(\s*)["']([^"']+\.m?js)["']""")
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']""")


@dataclass
class PageWeight:
    total_bytes: int = 0
    parts: list[dict[str, object]] = field(default_factory=list)


def first_page_weight(client: Client, path: str = "/") -> PageWeight:
    """Bytes over the wire (bodies as sent, gzip where the server compresses) for a page and what it loads.

    Follows stylesheets, scripts, module imports and CSS url()s on our own origin, each once.
    """
    weight = PageWeight()
    seen: set[str] = set()
    queue = [path]
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        status, headers, body = client.get(current, {"Accept-Encoding": "gzip"})
        weight.total_bytes += len(body)
        weight.parts.append(
            {"path": current, "status": status, "bytes": len(body), "encoding": headers.get("content-encoding", "")}
        )
        if status != 200:
            continue
        text = _decoded(body, headers)
        kind = headers.get("content-type", "")
        found: list[str] = []
        if "html" in kind:
            found = _ASSET.findall(text) + _LINK_FIRST.findall(text)
        elif "javascript" in kind:
            found = _JS_IMPORT.findall(text)
        elif "css" in kind:
            found = [a or b for a, b in _CSS_URL.findall(text)]
        for reference in found:
            target = urljoin(current, reference)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or reference.startswith("data:"):
                continue  # another origin would be a bug the canary tests catch; not ours to weigh
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return weight


def _decoded(body: bytes, headers: dict[str, str]) -> str:
    if headers.get("content-encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")
