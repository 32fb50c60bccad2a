"""A servant's own account: handle and email, email notices, a new password, a signing out of every browser at once.

Sessions are in the database (Django's default engine), each naming its account: signing out everywhere deletes
every session of the account, this browser's too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from stayhere.service.models import NoticeChoice


def change_password(request: Any, user: Any, password: str) -> int:
    """Sets the new password, keeps this browser signed in and signs every other one out; how many were."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        update_session_auth_hash(request, user)
        return sign_out_everywhere(user, keep=request.session.session_key)


def notice_choice(user: Any) -> NoticeChoice:
    """The servant's choice of notices, as stored or the defaults (every notice), not saved."""
    found: NoticeChoice | None = NoticeChoice.objects.filter(user=user).first()
    return found if found is not None else NoticeChoice(user=user)


def set_notices(user: Any, suggestions: bool, reports: bool) -> None:
    NoticeChoice.objects.update_or_create(user=user, defaults={"suggestions": suggestions, "reports": reports})


def rename(user: Any, handle: str, email: str) -> list[str]:
    """Changes the handle and the email; which of the two changed."""
    changed = []
    if user.get_username() != handle:
        user.username = handle
        changed.append("handle")
    if user.email != email:
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=["username" if name == "handle" else name for name in changed])
    return changed


def sign_out_everywhere(user: Any, keep: str | None = None) -> int:
    """Deletes every unexpired session of the account but ``keep`` (a session key); how many there were."""
    key = str(user.pk)
    mine = []
    with transaction.atomic():
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") == key and session.session_key != keep:
                mine.append(session.session_key)
        Session.objects.filter(session_key__in=mine).delete()
    return len(mine)
