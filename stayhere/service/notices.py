"""Email notices to servants who gave an address: a suggestion is waiting in their queue.

The notice names the meeting and links to the suggestion; it never carries the visitor's note or email (those are
deleted when the request is closed, and a copy in a mailbox would outlive that). Sending happens after the
request is stored; a mail server that fails costs the visitor nothing and logs one line without addresses.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stayhere.service.models import BODY_KINDS, ChangeRequest, Role
from stayhere.service.permissions import body_of_meeting

log = logging.getLogger("stayhere.service")


def reviewers_to_tell(request: ChangeRequest) -> list[str]:
    """The addresses of the servants whose current role lets them review this request (admins and reviewers of
    the meeting's body or a body above it), each once."""
    body = body_of_meeting(request.meeting)
    if body is None:
        return []
    chain = [body.pk, *(ancestor.pk for ancestor in body.ancestors())]
    today = timezone.localdate()
    roles = (
        Role.objects.filter(kind__in=BODY_KINDS, service_body_id__in=chain, user__is_active=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(user__email="")
        .select_related("user")
    )
    return sorted({role.user.email for role in roles})


def tell_reviewers(request: ChangeRequest, link: str) -> int:
    """Sends one notice to each reviewer with an address; how many were sent (0 when mail cannot be sent)."""
    addresses = reviewers_to_tell(request)
    if not addresses:
        return 0
    subject = _("A change was suggested for %(name)s") % {"name": request.meeting.name}
    body = _(
        "A visitor suggested a change to the listing of %(name)s (suggestion #%(number)d).\n\n"
        "Review it here: %(link)s\n\nYou get this because your servant's account has an email address; ask a "
        "site admin to remove it if you want no more notices."
    ) % {"name": request.meeting.name, "number": request.pk, "link": link}
    messages = [(subject, body, None, [address]) for address in addresses]
    try:
        return send_mass_mail(messages, fail_silently=False)
    except OSError as failure:  # the mail server is away or refused: the suggestion is kept all the same
        log.warning("Notices of a suggestion could not be sent (%s).", type(failure).__name__)
        return 0
