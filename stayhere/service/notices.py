"""Email notices to servants who gave an address and did not turn them off on their account page: a suggestion is
waiting in their queue, or a problem was reported.

The notice names the meeting and links to the suggestion or report; it never carries the visitor's words or email
(those are deleted when the request is closed, and a copy in a mailbox would outlive that). Sending happens after the
request is stored; a mail server that fails costs the visitor nothing and logs one line without addresses.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.directory.models import Meeting
from stayhere.service.models import BODY_KINDS, ChangeRequest, ProblemReport, Role, RoleKind
from stayhere.service.permissions import body_of_meeting

log = logging.getLogger("stayhere.service")


def _addresses(meeting: Meeting, kinds: tuple[str, ...], secretary: bool, choice: str) -> list[str]:
    """The addresses of the servants with a current role of these kinds over the meeting's body or a body above it
    (and, with ``secretary``, its group's secretary), each once, leaving out those who turned this notice off."""
    body = body_of_meeting(meeting)
    chain = [] if body is None else [body.pk, *(ancestor.pk for ancestor in body.ancestors())]
    over = Q(kind__in=kinds, service_body_id__in=chain)
    if secretary and meeting.group_id is not None:
        over |= Q(kind=RoleKind.SECRETARY, group_id=meeting.group_id)
    today = timezone.localdate()
    roles = (
        Role.objects.filter(over, user__is_active=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(user__email="")
        .exclude(**{f"user__notice_choice__{choice}": False})
        .select_related("user")
    )
    return sorted({role.user.email for role in roles})


def reviewers_to_tell(request: ChangeRequest) -> list[str]:
    """The addresses of the servants whose current role lets them review this request (admins and reviewers of
    the meeting's body or a body above it), each once."""
    return _addresses(request.meeting, BODY_KINDS, secretary=False, choice="suggestions")


def report_readers_to_tell(report: ProblemReport) -> list[str]:
    """A conduct report: the group's secretary and the admins above; a removal request: the reviewers."""
    if report.kind == ProblemReport.Kind.CONDUCT:
        return _addresses(report.meeting, (RoleKind.BODY_ADMIN,), secretary=True, choice="reports")
    return _addresses(report.meeting, BODY_KINDS, secretary=False, choice="reports")


def tell_report_readers(report: ProblemReport, link: str) -> int:
    """Sends one notice to each servant who may act on the report; how many were sent. The notice says only the
    kind of problem and the meeting, never the visitor's words."""
    addresses = report_readers_to_tell(report)
    if not addresses:
        return 0
    if report.kind == ProblemReport.Kind.CONDUCT:
        subject = _("A report of harmful conduct at %(name)s") % {"name": report.meeting.name}
    else:
        subject = _("A report that %(name)s no longer exists") % {"name": report.meeting.name}
    body = _(
        "A visitor reported a problem with %(name)s (report #%(number)d). It is private: read it signed in, here: "
        "%(link)s\n\nYou get this because your servant's account has an email address; turn these notices off "
        "on your account page."
    ) % {"name": report.meeting.name, "number": report.pk, "link": link}
    return _send([(subject, body, None, [address]) for address in addresses], "a report")


def tell_reviewers(request: ChangeRequest, link: str) -> int:
    """Sends one notice to each reviewer with an address; how many were sent (0 when mail cannot be sent)."""
    addresses = reviewers_to_tell(request)
    if not addresses:
        return 0
    subject = _("A change was suggested for %(name)s") % {"name": request.meeting.name}
    body = _(
        "A visitor suggested a change to the listing of %(name)s (suggestion #%(number)d).\n\n"
        "Review it here: %(link)s\n\nYou get this because your servant's account has an email address; turn "
        "these notices off on your account page."
    ) % {"name": request.meeting.name, "number": request.pk, "link": link}
    return _send([(subject, body, None, [address]) for address in addresses], "a suggestion")


def _send(messages: list[tuple[str, str, None, list[str]]], what: str) -> int:
    try:
        return send_mass_mail(messages, fail_silently=False)
    except OSError as failure:  # the mail server is away or refused: what the visitor sent is kept all the same
        log.warning("Notices of %s could not be sent (%s).", what, type(failure).__name__)
        return 0
