"""Operators' sign-in (the admin's login): failed attempts limited per account name and overall.

The counters live in Django's cache under a keyed hash of the account name (never the name itself, never
an address), in fixed windows of ``SIGNIN_WINDOW_SECONDS``. A refused attempt checks no password and is
answered 429 with a sentence saying when to try again. Unknown names and wrong passwords get the same
answer after the same work: Django's ModelBackend hashes the password once for an unknown name, as it
verifies one for a known name.

While the cache cannot be reached (Redis down, in the scale-out deployment) sign-in fails closed: no password is
checked, and the answer is 503 with a sentence and Retry-After. Counting in each worker's memory instead would
multiply the limits by the number of workers and forget them at every restart, so an outage (or whoever causes
one) would buy unlimited guesses; an operator already signed in keeps working, as sessions are in the database.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache as django_cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from stayhere.core import cache
from stayhere.core.unavailable import already_logged

OVERALL_KEY = "signin:all"
# Where an account with the second step turned on signs in, and comes back to the admin (stayhere.service).
SECOND_STEP_PAGE = "/service/sign-in?next=/admin/"
UNAVAILABLE_RETRY_S = 60
log = logging.getLogger("stayhere.signin")


def unavailable_sentence() -> str:
    return _(
        "Signing in is unavailable for a moment: the server cannot reach the store that counts failed sign-ins, "
        "and it lets nobody try a password without that count. Try again in a minute."
    )


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was not even tried, and in how many seconds the window closes."""

    overall: bool
    retry_after: int

    def sentence(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        until = (datetime.now(UTC) + timedelta(seconds=self.retry_after)).strftime("%H:%M UTC")
        who = "on this server" if self.overall else "for this account name"
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed sign-ins {who}: wait {minutes} {unit} (until {until}) and try again."


def _name_key(name: str, window: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), name.casefold().encode(), hashlib.sha256).hexdigest()[:32]
    return f"signin:name:{digest}:{window}"


def _window(now: float) -> tuple[int, int]:
    """The current window's number and the seconds left in it."""
    length: int = settings.SIGNIN_WINDOW_SECONDS
    index = int(now // length)
    return index, max(1, math.ceil((index + 1) * length - now))


def refusal(name: str, now: float | None = None) -> Refusal | None:
    """A Refusal when this name, or the server as a whole, has used up its failed attempts in this window
    (``cache.CacheDown`` when the counts cannot be read)."""
    index, left = _window(time.time() if now is None else now)
    name_key, all_key = _name_key(name, index), f"{OVERALL_KEY}:{index}"
    counts = cache.use(lambda: django_cache.get_many([name_key, all_key]))
    if counts.get(all_key, 0) >= settings.SIGNIN_FAILURES_OVERALL:
        return Refusal(overall=True, retry_after=left)
    if counts.get(name_key, 0) >= settings.SIGNIN_FAILURES_PER_NAME:
        return Refusal(overall=False, retry_after=left)
    return None


def record_failure(name: str, now: float | None = None) -> None:
    """Counts one failed attempt against the name and against the server (``cache.CacheDown`` when it cannot)."""
    index, _left = _window(time.time() if now is None else now)
    for key in (_name_key(name, index), f"{OVERALL_KEY}:{index}"):
        cache.use(functools.partial(_count, key))


def _count(key: str) -> None:
    timeout = 2 * settings.SIGNIN_WINDOW_SECONDS
    if not django_cache.add(key, 1, timeout=timeout):
        try:
            django_cache.incr(key)
        except ValueError:  # expired between add and incr
            django_cache.set(key, 1, timeout=timeout)


class SignInForm(AdminAuthenticationForm):
    """The admin's login form, refusing attempts over the limits before any password is checked."""

    refused: Refusal | None = None
    unavailable = False  # the counts could not be reached: nothing was tried

    def clean(self) -> dict[str, Any]:
        name = self.cleaned_data.get("username")
        if name is None or not self.cleaned_data.get("password"):
            return super().clean()
        try:
            self.refused = refusal(name)
        except cache.CacheDown:
            self._unavailable()
        if self.refused is not None:
            raise ValidationError(self.refused.sentence(), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            try:
                record_failure(name)
            except cache.CacheDown:
                self._unavailable()  # the same answer as above: it does not tell whether the password was right
            raise
        self._second_step_elsewhere()
        return cleaned

    def _second_step_elsewhere(self) -> None:
        """An account that turned on the second step (a code from an authenticator app) does not come in here with
        its password alone: this form asks for no code, so the servants' sign-in, which does, is the way in."""
        from django_otp import devices_for_user

        user = self.get_user()
        if user is not None and next(iter(devices_for_user(user, confirmed=True)), None) is not None:
            self.user_cache = None
            raise ValidationError(
                _(
                    "This account signs in with a code as well as its password, which this page does not ask for. "
                    "Sign in at %(page)s: it asks for the code, then opens the admin."
                )
                % {"page": SECOND_STEP_PAGE},
                code="second_step",
            )

    def _unavailable(self) -> None:
        self.unavailable = True
        raise ValidationError(unavailable_sentence(), code="unavailable")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page (its form is SignInForm, see CoreConfig); 429 and Retry-After when refused, 503
    and Retry-After when the counts cannot be reached."""
    response = admin.site.login(request)
    context = response.context_data if isinstance(response, TemplateResponse) else None
    form = context.get("form") if context else None
    if isinstance(form, SignInForm) and form.unavailable:
        log.warning("A sign-in was refused unchecked: the cache that counts failed sign-ins cannot be reached.")
        response.status_code = 503
        response["Retry-After"] = str(UNAVAILABLE_RETRY_S)
        return already_logged(response)
    if isinstance(form, SignInForm) and form.refused is not None:
        response.status_code = 429
        response["Retry-After"] = str(form.refused.retry_after)
    return response
