"""What the database can hold, table by table and column by column, and why none of it is attendance or speech.

The one list both `stayhere disclose` (docs/SECURITY.md's subpoena table) and the schema allowlist test
(tests/confidentiality/test_schema_allowlist.py) read. A new model or column fails that test until it is listed
here with a reason: the place to stop and ask whether it could record who came to a meeting or what was said.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

LISTING = "a public meeting listing, as published in the feeds"
SETTING = "the group's own room or slip settings, chosen by its trusted servants"
KEY = "a hash of, or a key for, a secret link or signature; nothing about a person"
INDEX = "derived from the listing for search; rebuilt, never edited"
ID = "a row id"
CIPHERTEXT = (
    "ciphertext sealed in the member's browser (XChaCha20-Poly1305 under keys from their passphrase): "
    "unreadable without the passphrase or the recovery phrase, which the server never receives"
)

# Django's own tables: operators' accounts and the admin's record of operators' edits to listings. No room,
# page or feed writes to them (the room page sets no session; see test_room_page).
DJANGO = {
    "admin.LogEntry",
    "auth.Permission",
    "auth.Group",
    "auth.User",
    "contenttypes.ContentType",
    "sessions.Session",
}

ALLOWED: dict[str, dict[str, str]] = {
    "directory.ServiceBody": dict.fromkeys(
        ["id", "name", "slug", "kind", "parent", "url", "email", "phone", "location_description", "world_id"], LISTING
    ),
    "directory.Group": {
        **dict.fromkeys(["id", "name", "slug", "service_body", "notes", "statement", "website"], LISTING),
        **dict.fromkeys(["email", "phone"], "the group's public contact, as the group lists it"),
        "contacts": "trusted servants' first names and contacts the group chose to list, public only by its choice",
        "contacts_public": LISTING,
        "moud_welcome": "asserted by the group itself",
        "harm_reduction": "asserted by the group itself",
    },
    "directory.Location": dict.fromkeys(
        [
            "id",
            "name",
            "address",
            "city",
            "state",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "approximate",
            "notes",
        ],
        LISTING,
    ),
    "directory.Meeting": dict.fromkeys(
        [
            "id",
            "source",
            "source_slug",
            "slug",
            "name",
            "fellowship",
            "group",
            "service_body",
            "location",
            "day_mask",
            "start_time",
            "end_time",
            "timezone",
            "attendance",
            "inactive_reason",
            "inactive_until",
            "regions",
            "conference_url",
            "conference_url_notes",
            "conference_phone",
            "conference_phone_notes",
            "has_room",
            "notes",
            "types",
            "type_index",
            "venmo",
            "square",
            "paypal",
            "homegroup_online",
            "url",
            "feedback_url",
            "updated",
            "email",
            "phone",
        ],
        LISTING,
    )
    | {"last_verified": "when a trusted servant last confirmed the public listing is still right"},
    "directory.MeetingSlot": dict.fromkeys(
        [
            "id",
            "meeting",
            "start_mow",
            "timezone",
            "attendance",
            "fellowship",
            "cell",
            "latitude",
            "longitude",
            "type_index",
        ],
        INDEX,
    ),
    "directory.DirectoryState": {"id": ID, "epoch": INDEX, "version": INDEX},
    "directory.FeedBlock": dict.fromkeys(
        ["block", "stamp"], "a block of meeting ids and a count of changes to it, so the feed is rendered again"
    ),
    "directory.FeedSource": {
        "id": ID,
        **dict.fromkeys(
            ["key", "name", "location", "format", "service_body", "schedule", "timezone", "fellowship", "created_at"],
            "a public feed the operator keeps fresh: where it is published, who keeps it, how often it is read",
        ),
        **dict.fromkeys(
            ["etag", "last_modified", "content_hash"],
            "what the publisher's server said of its feed at the last sync (for a conditional request next time)",
        ),
        **dict.fromkeys(
            [
                "last_attempt_at",
                "last_success_at",
                "failing_since",
                "last_created",
                "last_updated",
                "last_removed",
                "last_skipped",
                "last_error",
                "last_warning",
                "last_report",
            ],
            "how the last sync of the feed went (counts of listings and a sentence); nothing about any visitor",
        ),
    },
    "rooms.RoomSettings": {
        **dict.fromkeys(
            [
                "id",
                "group",
                "format",
                "welcome_statement",
                "chat_policy",
                "allow_private",
                "passcode",
                "waiting_room",
                "share_seconds",
                "mode",
                "once",
                "open_floor",
                "open_floor_max",
                "unlisted",
                "audio_quality",
            ],
            SETTING,
        ),
        "settings_key_hash": KEY,
        "chair_key_hash": KEY,
        "link_key_hash": KEY,
        "keys_rotated_at": "when the links were last rotated: a setting's date, not a meeting's",
    },
    "service.Role": {
        "id": ID,
        "user": "the trusted servant (an account by handle) who holds the service role",
        **dict.fromkeys(["kind", "service_body", "group"], "the service position and the body or group it is over"),
        **dict.fromkeys(["ends_on", "created_at"], "the service term: when the role was given and when it lapses"),
    },
    "service.Invitation": {
        "id": ID,
        "token_hash": KEY,
        **dict.fromkeys(["kind", "service_body", "group", "ends_on"], "the service role the link offers"),
        "replaces": "for a hand-over, the role the link's holder succeeds",
        "invited_by": "the servant who made the invitation",
        **dict.fromkeys(["created_at", "expires_at", "used_at"], "when the link was made, expires, was used"),
    },
    "service.ChangeRequest": {
        "id": ID,
        "meeting": LISTING,
        **dict.fromkeys(["base", "proposed"], "the public listing's fields as they were and as a visitor suggested"),
        "note": "a visitor's note about the listing; deleted when the request is closed, or after "
        "STAYHERE_REPORT_KEEP_DAYS days (90) if still open",
        "contact": "an email a visitor gave for a reply, if any; deleted when the request is closed, or after "
        "STAYHERE_REPORT_KEEP_DAYS days (90) if still open",
        **dict.fromkeys(
            ["status", "created_at", "closed_at", "closed_by", "reason"],
            "the review: when made and closed, by which servant's handle, and why rejected",
        ),
    },
    "service.ProblemReport": {
        "id": ID,
        "meeting": LISTING,
        "kind": "what kind of problem a visitor reported: the meeting no longer exists, or harmful conduct at it",
        "text": "what the visitor wrote (a conduct report is read only by the group's secretary and the body's "
        "admins); deleted when the report is closed, or after STAYHERE_REPORT_KEEP_DAYS days (90) if still open",
        "contact": "an email a visitor gave for a reply, if any; deleted when the report is closed, or after "
        "STAYHERE_REPORT_KEEP_DAYS days (90) if still open",
        **dict.fromkeys(
            ["status", "created_at", "closed_at", "closed_by"],
            "the report's handling: when made and closed, and by which servant's handle",
        ),
    },
    "service.NoticeChoice": {
        "id": ID,
        "user": "the servant whose choice of email notices this is",
        **dict.fromkeys(["suggestions", "reports"], "whether the servant wants email notices of these"),
    },
    "service.ListingChange": {
        "id": ID,
        **dict.fromkeys(["kind", "object_id", "label"], "which service body, group, location or meeting changed"),
        **dict.fromkeys(
            ["action", "via", "at", "who", "approved_by", "reverts"],
            "the listing's history: what was done, by which path, when, by which servant's handle, suggestion, "
            "import source or operator, and which earlier change it undid",
        ),
        "fields": "the public listing fields before and after (never a group's contact people, never a visitor's "
        "note or address); kept as long as the listings, which are public",
    },
    "service.RecoveryCode": {
        "id": ID,
        "user": "the servant whose single-use recovery code this is",
        "code_hash": KEY,
        "used_at": "when the code was used to sign in",
    },
    "service.Passkey": {
        "id": ID,
        "user": "the servant whose passkey this is",
        **dict.fromkeys(
            ["credential_id", "public_key", "sign_count"],
            "a passkey's public half: it can check a sign-in, not make one",
        ),
        "name": "the servant's own name for the device, e.g. 'phone'",
        **dict.fromkeys(["created_at", "last_used_at"], "when the passkey was added and last used to sign in"),
    },
    "otp_totp.TOTPDevice": {
        "id": ID,
        **dict.fromkeys(["user", "name", "confirmed"], "a servant's authenticator app for two-step sign-in"),
        "key": "the shared secret the servant's authenticator app makes codes from (readable by whoever reads the "
        "database, as TOTP needs)",
        **dict.fromkeys(
            ["step", "t0", "digits", "tolerance", "drift", "last_t"],
            "the code's parameters and the last time step used (so a code works once)",
        ),
        **dict.fromkeys(
            ["throttling_failure_timestamp", "throttling_failure_count", "created_at", "last_used_at"],
            "failed codes (to slow guessing), when the app was added and last used to sign in",
        ),
    },
    "phone.PhoneCode": {
        "id": ID,
        "meeting": "which meeting the code opens",
        "code": "the random digits callers key in to reach the meeting's room (the same for every caller; no caller's"
        " number, no call, no time of a call is kept)",
        "rotated": "when the code was last drawn, so its secretary can see how old it is",
    },
    "slips.SlipSettings": dict.fromkeys(["id", "group", "enabled", "minimum_minutes"], SETTING),
    "slips.SigningKey": {
        **dict.fromkeys(["id", "group", "key_id", "public_key", "private_key"], KEY),
        **dict.fromkeys(["created_at", "retired_at", "revoked_at"], "a key's validity, for verifying old slips"),
    },
    "journal.Account": {
        "id": ID,
        "handle": "the pseudonym the member chose for the journal (no email, no phone, no name asked)",
        **dict.fromkeys(
            ["salt", "kdf"],
            "the passphrase derivation's inputs (random salt, Argon2id parameters): public by design, "
            "answered for any handle",
        ),
        **dict.fromkeys(
            ["auth_hash", "recovery_auth_hash"],
            "SHA-256 of the sign-in keys derived from the passphrase and from the recovery phrase; "
            "neither key opens anything",
        ),
        **dict.fromkeys(["wrapped_key", "wrapped_key_recovery"], "the journal's key, " + CIPHERTEXT),
        "revision": "a count of this journal's writes (no time is kept)",
        "reader_public_key": "the public half of the journal's reading key (X25519), when it reads what others share",
        "reader_secret_sealed": "the secret half of that key, " + CIPHERTEXT,
    },
    "journal.Share": {
        "id": ID,
        "share_id": "16 random bytes the owner's browser chose",
        "owner": "the journal that invited a reader",
        "reader": "the journal that accepted (the reader's own pseudonymous handle), or none yet",
        "note": "the owner's name for the reader and the invitation's secret, " + CIPHERTEXT,
        "accept_hash": "SHA-256 of a token derived from the invitation's secret (the secret itself stays in the link)",
        "key_mac": "the reader's public key signed with a key from the invitation's secret, for the owner to check",
        "owner_key_mac": "the owner's public key signed the same way, for the reader to check",
        "reader_note": "the reader's copy of the invitation's secret, " + CIPHERTEXT,
    },
    "journal.Note": {
        "id": ID,
        **dict.fromkeys(["share", "entry"], "which reader left a note on which shared entry"),
        "sealed": "the note, padded to a KiB and sealed for the owner's public key (crypto_box_seal): only the "
        "owner opens it",
    },
    "journal.Grant": {
        "id": ID,
        **dict.fromkeys(["share", "entry"], "which entry the owner shares with which reader"),
        "wrapped": "that entry's key, sealed for the reader's public key (crypto_box_seal): only the reader opens it",
    },
    "journal.Entry": {
        "id": ID,
        "account": "which journal the entry belongs to",
        "entry_id": "16 random bytes the browser chose; nothing derived from the entry",
        "version": "the version of the sealed format",
        "bucket": "the entry's size, padded to a power of two (1 KiB to 1 MiB)",
        **dict.fromkeys(
            ["key", "body"], "the entry's own key and its padded text (title, step, dates inside), " + CIPHERTEXT
        ),
        "revision": "the journal's write count when this entry was last written (no time is kept)",
    },
}


# What Django's own tables hold, for the disclosure (their columns are Django's, listed whole).
DJANGO_REASONS: dict[str, str] = {
    "admin.LogEntry": "the admin's record of operators' edits to listings: which operator changed which listing, when",
    "auth.Permission": "the names of the admin's permissions",
    "auth.Group": "operators' permission groups",
    "auth.User": "trusted servants' accounts: a handle as the username, a password hash, an optional email; "
    "members who attend meetings never have one",
    "contenttypes.ContentType": "the names of the models",
    "sessions.Session": "signed-in servants' sessions; the pages members use set none",
}


@dataclass(frozen=True)
class Disclosed:
    """A group of a table's columns that share one reason."""

    table: str
    label: str
    columns: tuple[str, ...]
    reason: str


def disclosure() -> list[Disclosed]:
    """Every table of the live schema, its columns grouped by reason, in a stable order.

    A column missing from ALLOWED is disclosed as "NOT LISTED" rather than hidden: the allowlist test fails on it.
    """
    rows: list[Disclosed] = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        label = model._meta.label
        table = model._meta.db_table
        columns = [str(field.column) for field in model._meta.concrete_fields]
        if label in DJANGO:
            rows.append(Disclosed(table, label, tuple(columns), DJANGO_REASONS.get(label, "NOT LISTED")))
            continue
        reasons = ALLOWED.get(label, {})
        grouped: dict[str, list[str]] = {}
        for field in model._meta.concrete_fields:
            grouped.setdefault(reasons.get(field.name, "NOT LISTED"), []).append(str(field.column))
        rows += [Disclosed(table, label, tuple(cols), reason) for reason, cols in grouped.items()]
    return rows


def markdown_table(rows: list[Disclosed]) -> str:
    lines = ["| table | columns | what they hold |", "|---|---|---|"]
    previous = ""
    for row in rows:
        name = f"`{row.table}` ({row.label})" if row.table != previous else ""
        previous = row.table
        columns = ", ".join(f"`{column}`" for column in row.columns)
        lines.append(f"| {name} | {columns} | {row.reason} |")
    return "\n".join(lines) + "\n"
