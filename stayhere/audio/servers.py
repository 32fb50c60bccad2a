"""Janus servers stayhere did not start: the scale-out deployment's shared audio, on one or several servers.

With several workers, a meeting's people land on different workers, so its audio must be mixed by one Janus
that every worker reaches. ``STAYHERE_JANUS_SERVERS`` names one or more such servers; each meeting's audio
room lives on the one rendezvous hashing picks for its room id, so every worker picks the same server without
asking anyone, and adding a server moves only about 1/N of the meetings.

Each server is written as a URL holding what stayhere needs to talk to it (``stayhere janus-config`` writes a
server's configuration and prints its entry)::

    janus://API_SECRET:ADMIN_SECRET@HOST:HTTP_PORT/?admin_port=ADMIN_PORT&admin_key=AUDIOBRIDGE_ADMIN_KEY

Entries are separated by spaces or commas. The secrets never appear in a log or an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from stayhere.audio.config import bracketed
from stayhere.audio.janus import AudioRoom, JanusAdmin, JanusSession

SETTING = "STAYHERE_JANUS_SERVERS"
_SECRET = re.compile(r"^[A-Za-z0-9_.~-]{8,200}$")


@dataclass(frozen=True)
class ExternalJanus:
    """A Janus another part of the deployment runs; stayhere only talks to it."""

    host: str
    http_port: int
    admin_port: int
    api_secret: str = field(repr=False)
    admin_secret: str = field(repr=False)
    admin_key: str = field(repr=False)

    @property
    def name(self) -> str:
        """How rendezvous hashing (and an operator reading the docs) knows the server: its host and port."""
        return f"{self.host}:{self.http_port}"

    @property
    def http_url(self) -> str:
        return f"http://{bracketed(self.host)}:{self.http_port}/janus"

    @property
    def admin_url(self) -> str:
        return f"http://{bracketed(self.host)}:{self.admin_port}/admin"

    def admin(self) -> JanusAdmin:
        return JanusAdmin(self.admin_url, self.admin_secret, self.admin_key)

    async def new_session(self) -> JanusSession:
        return await JanusSession.create(self.http_url, self.api_secret)

    def entry(self) -> str:
        """This server as a STAYHERE_JANUS_SERVERS entry (it holds the secrets: give it only to stayhere)."""
        host = bracketed(self.host)
        return (
            f"janus://{self.api_secret}:{self.admin_secret}@{host}:{self.http_port}/"
            f"?admin_port={self.admin_port}&admin_key={self.admin_key}"
        )


@dataclass(frozen=True)
class JanusPool:
    """The external servers, and which one holds each meeting's audio room."""

    servers: tuple[ExternalJanus, ...]

    def for_room(self, room_id: str) -> ExternalJanus:
        """Rendezvous (highest random weight) hashing: stable for a room, spread evenly over the servers."""
        return max(self.servers, key=lambda server: hashlib.sha256(f"{server.name}\n{room_id}".encode()).digest())

    def admin_for(self, room_id: str) -> JanusAdmin:
        return self.for_room(room_id).admin()

    async def new_session(self, room_id: str) -> JanusSession:
        return await self.for_room(room_id).new_session()


def shared_room(room_id: str, key: bytes) -> AudioRoom:
    """The audio room of a meeting on a shared Janus: the same number, secret and pin on every worker.

    Derived from the site's secret key, so workers agree without talking, and nobody without the key can work
    them out from the meeting's public address.
    """
    digest = hmac.new(key, f"stayhere audio room\n{room_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:6], "big") % (2**52 - 1) + 1  # a JSON-safe positive integer
    secret = hmac.new(key, digest + b"secret", hashlib.sha256).hexdigest()[:32]
    pin = hmac.new(key, digest + b"pin", hashlib.sha256).hexdigest()[:32]
    return AudioRoom(number, secret, pin)


def parse_servers(value: str, name: str = SETTING) -> tuple[ExternalJanus, ...]:
    """STAYHERE_JANUS_SERVERS as servers; a bad entry raises ImproperlyConfigured saying which and why."""
    servers: list[ExternalJanus] = []
    for number, raw in enumerate((part for part in re.split(r"[\s,]+", value.strip()) if part), start=1):
        servers.append(_parse_one(raw, f"{name} entry {number}"))
    names = [server.name for server in servers]
    if len(set(names)) != len(names):
        raise ImproperlyConfigured(f"{name} names the same server twice: give each Janus server once.")
    return tuple(servers)


def _parse_one(raw: str, where: str) -> ExternalJanus:
    example = "janus://API_SECRET:ADMIN_SECRET@HOST:HTTP_PORT/?admin_port=PORT&admin_key=KEY"
    parts = urlsplit(raw)
    if parts.scheme != "janus":
        raise ImproperlyConfigured(f"{where} must start with janus:// (write it as {example}).")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{where} has a port that is not a number from 1 to 65535.") from None
    query = parse_qs(parts.query)
    admin_ports = query.get("admin_port", [])
    keys = query.get("admin_key", [])
    api_secret, admin_secret = unquote(parts.username or ""), unquote(parts.password or "")
    if not parts.hostname or port is None:
        raise ImproperlyConfigured(f"{where} names no host and HTTP port (write it as {example}).")
    if not (admin_ports and admin_ports[0].isdigit() and 0 < int(admin_ports[0]) < 65536):
        raise ImproperlyConfigured(f"{where} needs ?admin_port= with the Janus admin API's port.")
    admin_key = keys[0] if keys else ""
    for label, secret in (("API secret", api_secret), ("admin secret", admin_secret), ("admin_key", admin_key)):
        if not _SECRET.match(secret):
            raise ImproperlyConfigured(
                f"{where} has no usable {label}: 8 to 200 letters, digits or -_.~ "
                "(stayhere janus-config writes a server's configuration and prints its entry)."
            )
    return ExternalJanus(parts.hostname, port, int(admin_ports[0]), api_secret, admin_secret, admin_key)
