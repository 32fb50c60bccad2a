"""The journal's page and its JSON API. Thin: the work is in accounts, entries and formats.

The API authenticates every request by its Authorization header (accounts.authenticate), which a browser never
sends by itself to another site's request, so the endpoints take no CSRF token and the pages set no cookie. No
view logs a body; the access log names the URL pattern, never the path (which holds an entry's id).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from stayhere.journal import accounts, entries, formats, sharing
from stayhere.journal.errors import JournalRefused
from stayhere.journal.prompts import STEPS

# The largest sealed entry in base64url, and room for the JSON around it.
MAX_BODY = (formats.sealed_length(max(formats.BUCKETS)) * 4) // 3 + 4096
# The journal page runs libsodium's WebAssembly, which a policy without 'wasm-unsafe-eval' forbids; that
# allows compiling WebAssembly only, never evaluating JavaScript strings. Every other page keeps the stricter one.
JOURNAL_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

View = Callable[..., JsonResponse]


def _json(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise JournalRefused(_("This is larger than any entry the journal keeps (1 MiB): split it."), status=413)
    try:
        return json.loads(request.body.decode("utf-8"))
    except ValueError:
        raise JournalRefused(_("Send JSON: reload the page and try again; nothing was changed.")) from None


def api(view: View) -> View:
    """A JSON endpoint: no CSRF token, never cached, and a JournalRefused answered as {"error": sentence}."""

    @csrf_exempt
    @never_cache
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except entries.Conflict as conflict:
            return JsonResponse({"error": str(conflict), "current": conflict.current}, status=409)
        except JournalRefused as refused:
            response = JsonResponse({"error": str(refused)}, status=refused.status)
            if refused.retry_after is not None:
                response["Retry-After"] = str(refused.retry_after)
            return response

    return wrapped


def _signed_in(request: HttpRequest) -> accounts.SignedIn:
    return accounts.authenticate(request.headers.get("Authorization", ""))


def page_strings() -> dict[str, str]:
    """What the page's script says, translated here ({name} marks what it fills in)."""
    return {
        "loading": _("Loading the journal's lock…"),
        "no_crypto": _("This browser cannot run the journal's encryption (it needs WebAssembly): use a current one."),
        "offline": _("The server could not be reached: check your connection and try again; this page lost nothing."),
        "server_error": _("The server could not answer just now: try again in a minute; this page lost nothing."),
        "unexpected": _("Something went wrong in this page: reload it and try again."),
        "deriving": _("Making the key from your passphrase (a few seconds)…"),
        "passphrase_short": _("A passphrase needs at least 12 characters: a few unrelated words are easy to remember."),
        "passphrase_mismatch": _("The two passphrases are not the same: type them again."),
        "passphrase_missing": _("Type your passphrase, or open the journal with your recovery phrase."),
        "created": _("Your journal is made. Write down your recovery phrase before you go on."),
        "first_entry": _("Your journal is open. Nothing you write leaves this page unlocked."),
        "opened": _("Your journal is open."),
        "opened_by_recovery": _("Your journal is open with the recovery phrase: choose a new passphrase below."),
        "signed_in_as": _("Journal: {handle}"),
        "locked": _("The journal is locked. The keys are gone from this page."),
        "passphrase_changed": _("Your new passphrase is saved. Your recovery phrase still works."),
        "clean_none": _("No clean date yet. If you want one, choose it below."),
        "clean_future": _("Your clean date is {date}, which has not come yet in this time zone."),
        "clean_summary": _("{days} since {date}: {years}, {months} and {rest}."),
        "clean_bad_date": _("Choose a date from the calendar."),
        "clean_bad_zone": _("That is not a time zone this browser knows: choose one from the list."),
        "clean_saved": _("Your clean date is kept, locked inside your journal."),
        "milestone_reached": _("Last milestone: {name}, on {date}."),
        "milestone_next": _("Next: {name}, on {date}, in {left}."),
        "hours_one": _("{n} hour"),
        "hours_many": _("{n} hours"),
        "days_one": _("{n} day"),
        "days_many": _("{n} days"),
        "months_one": _("{n} month"),
        "months_many": _("{n} months"),
        "years_one": _("{n} year"),
        "years_many": _("{n} years"),
        "entry_empty": _("This entry is empty: write something first."),
        "entry_saved": _("Saved, locked."),
        "entry_deleted": _("The entry is deleted from this server."),
        "entry_delete_confirm": _("Delete this entry for good?"),
        "journal_delete_confirm": _("Delete your whole journal from this server, for good? This cannot be undone."),
        "journal_deleted": _("Your journal is deleted from this server."),
        "untitled": _("(untitled)"),
        "invite_made": _("The invitation link is ready: give it to them yourself."),
        "invite_waiting": _("{name}: waiting for them to open the link."),
        "invite_reads": _("{name} can read {count}. Their key: {fingerprint}."),
        "invite_bad_key": _(
            "{name}: the key that came back did not come from your link, so nothing is shared with it. Withdraw it."
        ),
        "withdraw": _("Withdraw"),
        "stop_sharing": _("Stop sharing with them"),
        "stop_confirm": _("Stop sharing everything with {name}? Each entry is sealed again under a new key."),
        "stopped": _("{name} can no longer read anything of yours."),
        "accepted": _("You can now read what {owner} shares with you, below."),
        "shared_by": _("From {owner}"),
        "shared_nothing": _("Nothing is shared with you yet."),
        "note_from": _("{name}'s note on “{title}”: {text}"),
        "note_label": _("A note back (sealed for them: only they can read it)"),
        "note_send": _("Send the note"),
        "note_empty": _("The note is empty: write something first."),
        "note_sent": _("Your note is sealed and sent: only {owner} can read it."),
        "entries_one": _("{n} entry"),
        "entries_many": _("{n} entries"),
        "conflict_title": _("{title} (this device's version)"),
        "conflict_kept": _(
            "This entry was changed on another device meanwhile. Both versions are kept: yours is saved as a copy."
        ),
        "step_label": _("Step {n}"),
    }


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    response = render(request, "journal/journal.html", {"steps": STEPS, "strings": page_strings()})
    response["Content-Security-Policy"] = JOURNAL_CSP
    response["Cache-Control"] = "no-store"
    return response


@api
@require_POST
def begin(request: HttpRequest) -> JsonResponse:
    """{"handle"} -> {"salt", "kdf"}: what the browser derives the keys with (the same shape for any handle)."""
    data = _json(request)
    return JsonResponse(accounts.begin(data.get("handle") if isinstance(data, dict) else None))


@api
@require_POST
def create(request: HttpRequest) -> JsonResponse:
    account = accounts.create(_json(request))
    return JsonResponse({"handle": account.handle, "revision": account.revision}, status=201)


@api
@require_POST
def sign_in(request: HttpRequest) -> JsonResponse:
    """-> {"by", "wrapped_key", "revision"}: the journal key sealed for the secret the header proved."""
    return JsonResponse(accounts.opening(_signed_in(request)))


@api
@require_POST
def passphrase(request: HttpRequest) -> JsonResponse:
    accounts.change_passphrase(_signed_in(request).account, _json(request))
    return JsonResponse({"changed": True})


@api
@require_http_methods(["GET", "DELETE"])
def account(request: HttpRequest) -> JsonResponse:
    """GET: every sealed entry. DELETE: the whole journal, at once and for good."""
    signed_in = _signed_in(request).account
    if request.method == "DELETE":
        signed_in.delete()
        return JsonResponse({"deleted": True})
    return JsonResponse(entries.listing(signed_in))


@api
@require_http_methods(["PUT", "DELETE"])
def entry(request: HttpRequest, entry_id: str) -> JsonResponse:
    signed_in = _signed_in(request).account
    if request.method == "DELETE":
        return JsonResponse(entries.delete(signed_in, entry_id, request.GET.get("base")))
    return JsonResponse(entries.put(signed_in, entry_id, _json(request)))


@api
@require_POST
def reader_key(request: HttpRequest) -> JsonResponse:
    sharing.set_reader_key(_signed_in(request).account, _json(request))
    return JsonResponse({"set": True})


@api
@require_http_methods(["GET", "POST"])
def shares(request: HttpRequest) -> JsonResponse:
    """GET: this journal's invitations and who can read what. POST: a new invitation."""
    owner = _signed_in(request).account
    if request.method == "POST":
        share = sharing.invite(owner, _json(request))
        return JsonResponse({"id": share.share_id}, status=201)
    return JsonResponse({"shares": sharing.owners_shares(owner)})


@api
@require_http_methods(["DELETE"])
def share(request: HttpRequest, share_id: str) -> JsonResponse:
    sharing.withdraw(_signed_in(request).account, share_id)
    return JsonResponse({"deleted": True})


@api
@require_POST
def accept(request: HttpRequest, share_id: str) -> JsonResponse:
    accepted = sharing.accept(_signed_in(request).account, share_id, _json(request))
    return JsonResponse({"id": accepted.share_id, "owner": accepted.owner.handle})


@api
@require_safe
def shared(request: HttpRequest) -> JsonResponse:
    """What others shared with this journal's reading key."""
    return JsonResponse({"shares": sharing.shared_with(_signed_in(request).account)})


@api
@require_POST
def note(request: HttpRequest, share_id: str) -> JsonResponse:
    """A reader's note back on an entry shared with them, sealed in the reader's browser for the owner."""
    sharing.leave_note(_signed_in(request).account, share_id, _json(request))
    return JsonResponse({"kept": True}, status=201)
