"""Problem reports from anyone: "the meeting no longer exists" (a request to remove it, reviewed in the service
body's queue) and "harmful conduct at this meeting" (private to the group's secretary and the body's admins).
"The listing is wrong" is an ordinary change request (``suggestions.suggest`` with the visitor's words as its
note). Floods are limited as suggestions are (``suggestions.limited`` with ``what="report"``, counted apart).

A report keeps the meeting, its kind, the visitor's words and an optional contact address while it is open; on
closing, the words and the address are deleted (overwritten in the database file: ``forgetting``), and what
remains is the kind, when it was made and closed, and the closing servant's handle. A report nobody closes is
closed the same way once ``STAYHERE_REPORT_KEEP_DAYS`` (90) have passed (``forget_old``; closed by ``EXPIRED``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.directory.models import Group, Meeting, ServiceBody
from stayhere.service import history, permissions, suggestions
from stayhere.service.forgetting import save_forgetting
from stayhere.service.invitations import subtree
from stayhere.service.models import ChangeRequest, ProblemReport, RoleKind

WRONG = "wrong"
TEXT_LIMIT = 4000
EXPIRED = "(kept its full time)"  # closed_by of a report forgotten by ``forget_old``


class ReportRefused(Exception):
    """Nothing was stored or changed; the message is a sentence saying why and what to do."""


def report(meeting: Meeting, kind: str, text: str, contact: str = "") -> ProblemReport | ChangeRequest:
    """Keeps the visitor's report: a ChangeRequest for "wrong", a ProblemReport otherwise."""
    text = text.strip()
    if not text:
        raise ReportRefused(_("Say what the problem is, in a few words: nothing was sent."))
    if kind == WRONG:
        return suggestions.suggest(meeting, {}, note=text, contact=contact)
    if kind not in ProblemReport.Kind.values:
        raise ReportRefused(_("Choose one of the problems listed: nothing was sent."))
    return ProblemReport.objects.create(meeting=meeting, kind=kind, text=text[:TEXT_LIMIT], contact=contact.strip())


def _forget(found: ProblemReport, by: str) -> None:
    found.status = ProblemReport.Status.CLOSED
    found.closed_at = timezone.now()
    found.closed_by = by
    found.text = ""
    found.contact = ""
    save_forgetting(found, ["status", "closed_at", "closed_by", "text", "contact"])


def _open(report_id: int) -> ProblemReport:
    found = ProblemReport.objects.select_for_update().select_related("meeting").filter(pk=report_id).first()
    if found is None or found.status != ProblemReport.Status.OPEN:
        raise ReportRefused(_("This report has already been closed."))
    return found


def close(report_id: int, by: str) -> None:
    """Closes the report (the meeting stays as it is) and deletes its words and contact address."""
    with transaction.atomic():
        _forget(_open(report_id), by)


def forget_old(now: dt.datetime | None = None) -> int:
    """Closes every open report older than ``settings.REPORT_KEEP_DAYS`` days, forgetting its words and contact
    address as closing does; how many. Run by ``stayhere forget-old-reports`` and by the servants' report list."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.REPORT_KEEP_DAYS)
    old = ProblemReport.objects.filter(status=ProblemReport.Status.OPEN, created_at__lt=cutoff)
    if not old.exists():  # the common case: one look, no transaction
        return 0
    count = 0
    with transaction.atomic():
        for found in old.select_for_update():
            _forget(found, EXPIRED)
            count += 1
    return count


def remove_meeting(report_id: int, by: str) -> str:
    """For a report that the meeting no longer exists: removes the meeting from the directory (its finder slots,
    feeds and reports go with it) and closes the report. The meeting's name, for the servant's notice."""
    with transaction.atomic():
        found = _open(report_id)
        if found.kind != ProblemReport.Kind.GONE:
            raise ReportRefused(_("Only a report that the meeting no longer exists can remove it."))
        name = found.meeting.name
        _forget(found, by)
        remove(found.meeting, by)
    return name


def remove(meeting: Meeting, who: str) -> None:
    """Takes the meeting out of the directory: the finder, the feeds and its page no longer have it. Its history
    keeps the removal, with every public field it had."""
    with transaction.atomic():
        history.record_removed([meeting], who, via=history.Via.PAGE)
        meeting.delete()


def visible_to(user: Any) -> QuerySet[ProblemReport]:
    """The open reports this servant may act on, oldest first: conduct reports of the groups they are secretary
    of or of the bodies they administer; removal requests of the bodies they review or administer."""
    open_reports = ProblemReport.objects.filter(status=ProblemReport.Status.OPEN).select_related("meeting__group")
    if permissions.is_site_admin(user):
        return open_reports
    roles = permissions.current_roles(user)
    admin_bodies = _bodies([role.service_body for role in roles if role.kind == RoleKind.BODY_ADMIN])
    review_bodies = _bodies([role.service_body for role in roles if role.service_body is not None])
    groups = [role.group for role in roles if role.kind == RoleKind.SECRETARY and role.group is not None]
    conduct = _in_bodies(admin_bodies) | _in_groups(groups)
    gone = _in_bodies(review_bodies)
    return open_reports.filter(
        (Q(kind=ProblemReport.Kind.CONDUCT) & conduct) | (Q(kind=ProblemReport.Kind.GONE) & gone)
    )


def _bodies(tops: list[ServiceBody | None]) -> list[ServiceBody]:
    found: dict[int, ServiceBody] = {}
    for top in tops:
        if top is not None:
            found.update({body.pk: body for body in subtree(top)})
    return list(found.values())


def _in_bodies(bodies: list[ServiceBody]) -> Q:
    return Q(meeting__service_body__in=bodies) | Q(
        meeting__service_body__isnull=True, meeting__group__service_body__in=bodies
    )


def _in_groups(groups: list[Group]) -> Q:
    return Q(meeting__group__in=groups)
