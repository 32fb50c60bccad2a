"""Who may send what: each message type and the roles that may send it (``None``: any admitted seat).

``apply`` checks every message here before its handler runs; the snapshot tells each seat's page the types it may
send (``may``), so the page draws only the tools its role has and never copies these rules.
"""

from __future__ import annotations

from stayhere.rooms.core.state import CHAIR, GREETER_ROLES, HOST_ROLES, TIMEKEEPER
from stayhere.rooms.core.words import _

ANYONE: frozenset[str] | None = None  # any admitted seat
PERMISSIONS: dict[str, frozenset[str] | None] = {
    "rename": ANYONE,
    "hand": ANYONE,
    "accept": ANYONE,
    "pass": ANYONE,
    "done": ANYONE,
    "share_text": ANYONE,
    "chat": ANYONE,
    "report": ANYONE,
    "slip": ANYONE,
    "audio_mute": ANYONE,
    "people_list": ANYONE,
    "segment": frozenset({CHAIR}),
    "call": frozenset({CHAIR}),
    "mode": frozenset({CHAIR}),
    "role": frozenset({CHAIR}),
    "hand_chair": frozenset({CHAIR}),
    "chat_policy": frozenset({CHAIR}),
    "open_floor": frozenset({CHAIR}),
    "end": frozenset({CHAIR}),
    "extend": frozenset({CHAIR, TIMEKEEPER}),
    "end_share": frozenset({CHAIR, TIMEKEEPER}),
    "admit": GREETER_ROLES,
    "deny": GREETER_ROLES,
    "deny_all": GREETER_ROLES,
    "admit_all": GREETER_ROLES,
    "waiting_list": GREETER_ROLES,
    "lock": HOST_ROLES,
    "mute": HOST_ROLES,
    "mute_all": HOST_ROLES,
    "remove": HOST_ROLES,
    "unremove": HOST_ROLES,
    "delete_chat": HOST_ROLES,
}
# What a seat in the waiting room may do before it is admitted.
WAITING_ALLOWED = frozenset({"rename", "leave"})


def forbidden_message(allowed: frozenset[str]) -> str:
    """Whom to ask, for a seat whose role may not send a message: the roles that may, in people's words."""
    if allowed == frozenset({CHAIR}):
        return _("Only the chair can do that. Ask the chair.")
    if allowed == frozenset({CHAIR, TIMEKEEPER}):
        return _("Only the chair or the timekeeper can do that.")
    if allowed == GREETER_ROLES:
        return _("Only the meeting's hosts and greeters can do that.")
    return _("Only the meeting's hosts can do that.")
