"""Operators' sign-in (the admin's login) over HTTP: Argon2, limited attempts, no enumeration, no email."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.test import override_settings

from tests.signin_counts import forget_counters, hold_sign_in_clock

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "a long canary-passphrase 7"
ADDRESS = "203.0.113.77"


@pytest.fixture(autouse=True)
def _fresh_counters():
    forget_counters()
    yield
    forget_counters()


@pytest.fixture(autouse=True)
def _mid_window(monkeypatch):
    hold_sign_in_clock(monkeypatch)


@pytest.fixture
def operator(monkeypatch):
    """An operator made as the README says: createsuperuser with a name and a password, no email."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="canary-servant", verbosity=0)
    return User.objects.get(username="canary-servant")


def sign_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ADDRESS)


def comparable(body: str, username: str) -> str:
    """The page with what must differ masked: the name typed back into the form, the CSRF token, and the wait
    (the two answers come seconds apart, so the minutes left and the clock time may differ by one)."""
    body = body.replace(username, "NAME")
    body = re.sub(r"wait \d+ minutes? \(until \d\d:\d\d UTC\)", "wait N minutes (until HH:MM UTC)", body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="TOKEN"', body)


def everything_in_the_cache() -> str:
    """Every key and value the cache holds, as text: the local-memory cache, or Redis for scale-out."""
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return repr(dict(backend._cache))
    client = backend._cache.get_client()  # type: ignore[attr-defined]  (RedisCache)
    return repr({key: client.get(key) for key in client.keys("*")})


def test_createsuperuser_needs_no_email_and_stores_an_argon2_hash(operator, client):
    assert operator.email == ""
    assert operator.password.startswith("argon2$argon2id$")
    assert PASSWORD not in operator.password
    response = sign_in(client, "canary-servant", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer_after_the_same_work(operator, client, monkeypatch):
    computed: list[str] = []
    real_encode, real_verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify

    def encode(self, password, salt):
        computed.append("encode")
        return real_encode(self, password, salt)

    def verify(self, password, encoded):
        computed.append("verify")
        return real_verify(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", encode)
    monkeypatch.setattr(Argon2PasswordHasher, "verify", verify)

    wrong = sign_in(client, "canary-servant", "not the passphrase")
    wrong_work, computed[:] = list(computed), []
    unknown = sign_in(client, "canary-nobody", "not the passphrase")
    unknown_work = list(computed)

    assert wrong.status_code == unknown.status_code == 200
    assert "Please enter the correct username and password for a staff account" in wrong.text
    assert comparable(wrong.text, "canary-servant") == comparable(unknown.text, "canary-nobody")
    assert wrong.headers.keys() == unknown.headers.keys()
    # One Argon2 computation each: verifying the stored hash, or hashing the password for a name that has none.
    assert wrong_work == ["verify"] and unknown_work == ["encode"]


def test_a_name_past_its_failed_attempts_is_refused_with_429_and_told_when_to_retry(operator, client, settings):
    for _ in range(settings.SIGNIN_FAILURES_PER_NAME):
        assert sign_in(client, "canary-servant", "not the passphrase").status_code == 200
    refused = sign_in(client, "canary-servant", PASSWORD)  # even the right password is not tried now
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= settings.SIGNIN_WINDOW_SECONDS
    minutes = -(-int(refused.headers["Retry-After"]) // 60)
    sentence = re.search(
        r"Too many failed sign-ins for this account name: "
        r"wait (\d+) minutes? \(until (\d\d:\d\d) UTC\) and try again\.",
        refused.text,
    )
    assert sentence is not None and int(sentence.group(1)) == max(1, minutes)
    assert client.get("/admin/").status_code == 302  # not signed in
    # The name is the limit, so the same name in other letters is refused too, and another name is not.
    assert sign_in(client, "CANARY-SERVANT", PASSWORD).status_code == 429
    assert sign_in(client, "someone-else", "not the passphrase").status_code == 200


def test_an_unknown_name_is_limited_exactly_like_a_known_one(operator, client, settings):
    answers = {}
    for name in ("canary-servant", "canary-nobody"):
        for _ in range(settings.SIGNIN_FAILURES_PER_NAME):
            sign_in(client, name, "not the passphrase")
        answers[name] = sign_in(client, name, "not the passphrase")
    known, unknown = answers["canary-servant"], answers["canary-nobody"]
    assert known.status_code == unknown.status_code == 429
    assert comparable(known.text, "canary-servant") == comparable(unknown.text, "canary-nobody")


@override_settings(SIGNIN_FAILURES_OVERALL=3)
def test_failed_attempts_over_the_overall_limit_refuse_every_name(operator, client):
    for name in ("canary-a", "canary-b", "canary-c"):
        assert sign_in(client, name, "not the passphrase").status_code == 200
    refused = sign_in(client, "canary-servant", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins on this server: wait " in refused.text


def test_signing_in_leaves_no_address_name_or_password_in_the_logs_or_the_cache(operator, client, caplog, settings):
    with caplog.at_level(logging.DEBUG):
        for _ in range(settings.SIGNIN_FAILURES_PER_NAME + 1):
            sign_in(client, "canary-servant", "canary-wrong-passphrase")
        sign_in(client, "canary-nobody", "canary-wrong-passphrase")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /admin/login/ 200" in logged and "POST /admin/login/ 429" in logged  # the access log ran
    kept = everything_in_the_cache()
    assert "signin:" in kept  # the counters are there
    for secret in (ADDRESS, "canary-servant", "canary-nobody", "canary-wrong-passphrase"):
        assert secret not in logged, f"{secret} reached the log"
        assert secret not in kept, f"{secret} reached the cache"
