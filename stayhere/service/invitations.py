"""Invitations: a service-body admin invites a servant into one role within their subtree.

The link carries a random token; the database keeps only its SHA-256 (a token is 256 random bits, so a fast hash
is enough: nothing can be guessed from it). A link works once, until it expires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.directory.models import Group, ServiceBody
from stayhere.service.models import Invitation, Role, RoleKind


class InvitationRefused(Exception):
    """The link cannot be used; the message is a sentence for the person holding it."""


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str  # shown once, in the link; never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    by: Any,
    kind: str,
    *,
    body: ServiceBody | None = None,
    group: Group | None = None,
    ends_on: dt.date | None = None,
    replaces: Role | None = None,
) -> Issued:
    """A new invitation (the caller has checked ``permissions.may_invite`` or ``may_hand_over``)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        token_hash=token_hash(token),
        kind=kind,
        service_body=None if kind == RoleKind.SECRETARY else body,
        group=group if kind == RoleKind.SECRETARY else None,
        ends_on=ends_on,
        invited_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.SERVICE_INVITATION_DAYS),
        replaces=replaces,
    )
    return Issued(invitation, token)


def hand_over(by: Any, role: Role) -> Issued:
    """An invitation to the same role for a successor; the role ends when the successor accepts it."""
    return invite(by, role.kind, body=role.service_body, group=role.group, ends_on=role.ends_on, replaces=role)


def usable(token: str) -> Invitation:
    """The invitation this token opens, or InvitationRefused saying why not."""
    invitation = Invitation.objects.select_related("service_body", "group").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise InvitationRefused(
            _("This invitation link is not known here. Check that it was copied whole, or ask for a new one.")
        )
    if invitation.used_at is not None:
        raise InvitationRefused(_("This invitation has already been used. Ask the servant who sent it for a new one."))
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused(_("This invitation has expired. Ask the servant who sent it for a new one."))
    return invitation


def accept(token: str, *, user: Any = None, handle: str = "", password: str = "", email: str = "") -> Role:
    """Uses the invitation once: gives the role to ``user`` (a servant already signed in) or to a new account
    made with the handle, password and optional email (checked by the caller's form)."""
    with transaction.atomic():
        invitation = usable(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.used_at is not None:  # used by a request that raced this one
            raise InvitationRefused(
                _("This invitation has already been used. Ask the servant who sent it for a new one.")
            )
        replaced = invitation.replaces
        if replaced is not None and user is not None and replaced.user_id == user.pk:
            raise InvitationRefused(
                _("This link hands over your own role: send it to the servant who takes the role on.")
            )
        if user is None:
            user = get_user_model().objects.create_user(username=handle, email=email, password=password)
        if replaced is not None:  # the predecessor's term ends today, as the successor's begins
            replaced.ends_on = timezone.localdate() - dt.timedelta(days=1)
            replaced.save(update_fields=["ends_on"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        return Role.objects.create(
            user=user,
            kind=invitation.kind,
            service_body=invitation.service_body,
            group=invitation.group,
            ends_on=invitation.ends_on,
        )


def subtree(body: ServiceBody) -> list[ServiceBody]:
    """The body and every body below it, the body first."""
    found = [body]
    seen = {body.pk}
    frontier = [body.pk]
    while frontier:
        children = list(ServiceBody.objects.filter(parent_id__in=frontier).exclude(pk__in=seen))
        frontier = [child.pk for child in children]
        seen.update(frontier)
        found.extend(children)
    return found
