"""Who may do what: the one place each permission is decided, one function per kind of object.

Roles follow the service-body tree: a service-body admin acts on that body and everything below it (its child
bodies, their groups, their meetings); a reviewer acts on the change requests of that body and below; a group
secretary on that group's meetings. A site admin (a Django superuser) acts everywhere. A role past its end
date counts for nothing. Views ask these functions and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from stayhere.directory.models import Group, Location, Meeting, ServiceBody
from stayhere.service.models import BODY_KINDS, Role, RoleKind


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_site_admin(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_superuser)


def current_roles(user: Any) -> list[Role]:
    if not _signed_in(user):
        return []
    today = timezone.localdate()
    roles = Role.objects.filter(user=user).select_related("service_body", "group", "group__service_body")
    return [role for role in roles if role.is_current(today)]


def body_of_meeting(meeting: Meeting) -> ServiceBody | None:
    if meeting.service_body is not None:
        return meeting.service_body
    return meeting.group.service_body if meeting.group is not None else None


def _chain(body: ServiceBody | None) -> set[int]:
    """The body's id and its ancestors' ids: a role over any of them reaches the body."""
    return set() if body is None else {body.pk, *(ancestor.pk for ancestor in body.ancestors())}


def _holds(user: Any, kinds: tuple[str, ...], body: ServiceBody | None) -> bool:
    chain = _chain(body)
    return any(role.kind in kinds and role.service_body_id in chain for role in current_roles(user))


def may_administer_body(user: Any, body: ServiceBody) -> bool:
    """Invite servants into the body and below, edit its groups' meetings, review its requests."""
    return is_site_admin(user) or _holds(user, (RoleKind.BODY_ADMIN,), body)


def may_review(user: Any, body: ServiceBody) -> bool:
    """See the body's queue of change requests and approve or reject them."""
    return is_site_admin(user) or _holds(user, BODY_KINDS, body)


def may_edit_group(user: Any, group: Group) -> bool:
    """See the group's meetings and change them (the group's secretary, or an admin above the group)."""
    if is_site_admin(user) or _holds(user, (RoleKind.BODY_ADMIN,), group.service_body):
        return True
    return any(role.kind == RoleKind.SECRETARY and role.group_id == group.pk for role in current_roles(user))


def may_edit_meeting(user: Any, meeting: Meeting) -> bool:
    """Change the meeting's listing directly."""
    if is_site_admin(user) or _holds(user, (RoleKind.BODY_ADMIN,), body_of_meeting(meeting)):
        return True
    return meeting.group is not None and may_edit_group(user, meeting.group)


def may_review_meeting(user: Any, meeting: Meeting) -> bool:
    """Approve or reject a change request made for the meeting."""
    body = body_of_meeting(meeting)
    return is_site_admin(user) or (body is not None and may_review(user, body))


def may_invite(user: Any, kind: str, body: ServiceBody | None = None, group: Group | None = None) -> bool:
    """Invite a servant into a role: over a body for admins and reviewers, over a group for secretaries; only
    within the inviter's own subtree."""
    if kind == RoleKind.SECRETARY:
        return group is not None and (
            is_site_admin(user) or (group.service_body is not None and may_administer_body(user, group.service_body))
        )
    if kind in BODY_KINDS:
        return body is not None and may_administer_body(user, body)
    return False


def may_hand_over(user: Any, role: Role) -> bool:
    """Pass a role on to a successor: its holder while it is current, or an admin above what it is over."""
    if role.user_id == getattr(user, "pk", None) and _signed_in(user) and role.is_current(timezone.localdate()):
        return True
    if role.kind == RoleKind.SECRETARY:
        return role.group is not None and may_invite(user, role.kind, group=role.group)
    return may_invite(user, role.kind, body=role.service_body)


def may_read_conduct_report(user: Any, meeting: Meeting) -> bool:
    """Read and close a report of harmful conduct at the meeting: its group's secretary and the admins of its service
    body or a body above it (not reviewers: such a report is private, and not about the listing)."""
    if is_site_admin(user) or _holds(user, (RoleKind.BODY_ADMIN,), body_of_meeting(meeting)):
        return True
    return meeting.group is not None and any(
        role.kind == RoleKind.SECRETARY and role.group_id == meeting.group_id for role in current_roles(user)
    )


def may_act_on_report(user: Any, kind: str, meeting: Meeting) -> bool:
    """Read and close a visitor's problem report: one of harmful conduct as above; one that the meeting no longer
    exists as a change request is reviewed (and the meeting removed) by the body's reviewers and admins."""
    if kind == "conduct":
        return may_read_conduct_report(user, meeting)
    return may_review_meeting(user, meeting)


def may_manage_group(user: Any, group: Group) -> bool:
    """Set what only the group says (its statement, the MOUD-welcome and harm-reduction facets), its room and slips
    settings, draw its room links, add meetings to it: its secretary, or an admin above it."""
    return may_edit_group(user, group)


def may_edit_location(user: Any, location: Location) -> bool:
    """Change a meeting place: a site admin, or a servant who may edit every meeting held there (a place shared
    with another body's meetings is theirs too, so only an admin above both may change it)."""
    if is_site_admin(user):
        return True
    meetings = list(Meeting.objects.filter(location=location).select_related("group__service_body", "service_body"))
    return bool(meetings) and all(may_edit_meeting(user, meeting) for meeting in meetings)
