"""TURN relays for browsers: settings from the environment, and short-lived credentials for each admitted seat.

A browser behind a strict NAT or firewall reaches Janus through a TURN relay (Debian's ``coturn``). coturn's
``use-auth-secret`` mode (the "TURN REST API" form) shares one secret with stayhere: a user name is
``"<expiry unix time>:<anything>"`` and its password is ``base64(HMAC-SHA1(secret, user name))``, so stayhere
mints credentials without telling coturn, and coturn refuses them once the expiry has passed (it checks at each
new allocation; a relay already running goes on). The part after the colon is random for every credential:
never a name, never the seat id. Nothing here is logged or stored. See docs/audio.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from stayhere.env import envint, envlist, envsecret

DEFAULT_TTL = 3600
MIN_TTL = 300
MAX_TTL = 86400
MIN_SECRET = 16
# turn:HOST[:PORT][?transport=udp|tcp] and turns:HOST[:PORT][?transport=tcp] (RFC 7065). HOST is a DNS name, an
# IPv4 address or a bracketed IPv6 address.
_URL = re.compile(
    r"^(?P<scheme>turns?):(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?::(?P<port>[0-9]{1,5}))?(?:\?transport=(?P<transport>udp|tcp))?$"
)
URL_EXAMPLE = "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349?transport=tcp"


@dataclass(frozen=True)
class TurnSettings:
    urls: tuple[str, ...]
    secret: str
    ttl: int = DEFAULT_TTL

    def __repr__(self) -> str:  # the secret never shows up in a traceback or a settings dump
        return f"TurnSettings(urls={self.urls!r}, secret='…', ttl={self.ttl})"


def check_url(name: str, url: str) -> str:
    """One TURN URL as RFC 7065 writes it; a sentence naming the setting when it is not one."""
    match = _URL.match(url)
    if match is None:
        raise ImproperlyConfigured(
            f"{name} has {url!r}, which is not a TURN address: write turn:HOST:PORT or turns:HOST:PORT, "
            f"optionally with ?transport=udp or ?transport=tcp, separated by commas, e.g. {URL_EXAMPLE}."
        )
    port = match.group("port")
    if port is not None and not 0 < int(port) < 65536:
        raise ImproperlyConfigured(f"{name} has {url!r}, whose port is not a number from 1 to 65535.")
    if match.group("scheme") == "turns" and match.group("transport") == "udp":
        raise ImproperlyConfigured(f"{name} has {url!r}: turns: runs over TLS, so its transport is tcp, not udp.")
    return url


def turn_from_env(env: Mapping[str, str] | None = None) -> TurnSettings | None:
    """Reads STAYHERE_TURN_URLS, STAYHERE_TURN_SECRET (or STAYHERE_TURN_SECRET_FILE) and STAYHERE_TURN_TTL; None
    when TURN is not set up."""
    urls = envlist("STAYHERE_TURN_URLS", [], env)
    secret, source = envsecret("STAYHERE_TURN_SECRET", env)
    ttl = envint("STAYHERE_TURN_TTL", DEFAULT_TTL, env, minimum=MIN_TTL, maximum=MAX_TTL)
    if not urls and not secret:
        return None
    if not urls:
        raise ImproperlyConfigured(
            f"{source} is set but STAYHERE_TURN_URLS is not: name the TURN server(s) too, "
            f"e.g. STAYHERE_TURN_URLS={URL_EXAMPLE} (or unset both for no TURN)."
        )
    if not secret:
        raise ImproperlyConfigured(
            "STAYHERE_TURN_URLS is set but STAYHERE_TURN_SECRET is not: set it (or STAYHERE_TURN_SECRET_FILE, the "
            "path of a file holding it) to coturn's static-auth-secret (turnserver.conf, with use-auth-secret)."
        )
    if len(secret) < MIN_SECRET:
        raise ImproperlyConfigured(
            f"The secret in {source} is too short to keep strangers off the relay: use at least {MIN_SECRET} "
            "characters (e.g. the output of `openssl rand -hex 32`), the same in coturn's static-auth-secret."
        )
    if any(ch.isspace() or ch in "\"'\\" for ch in secret):
        raise ImproperlyConfigured(
            f"The secret in {source} contains a space, quote or backslash, which turnserver.conf would not keep "
            "as written: use letters and digits (e.g. the output of `openssl rand -hex 32`)."
        )
    return TurnSettings(tuple(check_url("STAYHERE_TURN_URLS", url) for url in urls), secret, ttl)


def credential_for(secret: str, username: str) -> str:
    """coturn's password for a REST-API user name: base64 of HMAC-SHA1 keyed with the static-auth-secret."""
    digest = hmac.new(secret.encode("utf-8"), username.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_servers(turn: TurnSettings, now: float) -> list[dict[str, Any]]:
    """The ``iceServers`` for one seat's page: every configured URL, one fresh credential valid for ``ttl``."""
    username = f"{int(now) + turn.ttl}:{secrets.token_urlsafe(12)}"
    return [{"urls": list(turn.urls), "username": username, "credential": credential_for(turn.secret, username)}]
