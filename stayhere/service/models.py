"""Trusted servants' roles and invitations, visitors' change requests, and the history of listing changes.

A servant is a Django user whose username is a handle (not a real name) and whose email is optional. Members who
attend meetings never have an account. Nothing here records who attends a meeting or what is said at one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stayhere.directory.models import Group, Meeting, ServiceBody


class RoleKind(models.TextChoices):
    BODY_ADMIN = "body_admin", _("Service-body admin")
    REVIEWER = "reviewer", _("Reviewer")
    SECRETARY = "secretary", _("Group secretary")


# Roles held over a service body (and everything below it); the secretary's is held over one group.
BODY_KINDS = (RoleKind.BODY_ADMIN, RoleKind.REVIEWER)


class Role(models.Model):
    """One servant's service position: over a service body and below it, or over one group. Site admins are
    Django superusers (``stayhere create-site-admin``), not rows here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_roles")
    kind = models.CharField(max_length=20, choices=RoleKind.choices)
    service_body = models.ForeignKey(ServiceBody, null=True, blank=True, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE)
    # Service terms rotate: the role lapses after this day (none: until it is removed).
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=RoleKind.SECRETARY, group__isnull=False, service_body__isnull=True)
                    | models.Q(kind__in=BODY_KINDS, group__isnull=True, service_body__isnull=False)
                ),
                name="role_names_its_body_or_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.group or self.service_body}"

    def is_current(self, today: dt.date) -> bool:
        return self.ends_on is None or self.ends_on >= today

    def over(self) -> Group | ServiceBody | None:
        return self.group if self.kind == RoleKind.SECRETARY else self.service_body


class Invitation(models.Model):
    """A single-use link that makes its holder a servant with one role. Only a hash of the token is kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20, choices=RoleKind.choices)
    service_body = models.ForeignKey(ServiceBody, null=True, blank=True, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE)
    ends_on = models.DateField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="service_invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # A hand-over: the role this one succeeds, which ends when the invitation is accepted.
    replaces = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.kind})"


class ChangeRequest(models.Model):
    """A visitor's suggested change to one meeting's listing: the fields as they were and as suggested.

    No account, address or fingerprint of the visitor is kept; the optional contact address and the note are
    deleted when the request is closed (``stayhere.service.suggestions``), or after ``STAYHERE_REPORT_KEEP_DAYS`` days
    if it is still open (``suggestions.forget_old_notes``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="change_requests")
    # {field: value} of the listing when the suggestion was made, and of the fields the visitor changed.
    base = models.JSONField(default=dict)
    proposed = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    contact = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)  # the handle of the servant who closed it
    reason = models.TextField(blank=True)  # the reviewer's, when rejected

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"suggestion #{self.pk}"


class ListingChange(models.Model):
    """One change to a service body, group, location or meeting, from any path: a servant's page, an approved
    suggestion, an import, the Django admin, or the undoing of an earlier change (``stayhere.service.history``).

    Only public listing fields are kept, never a group's contact people, a visitor's note or address.
    """

    class Kind(models.TextChoices):
        SERVICE_BODY = "service_body", _("Service body")
        GROUP = "group", _("Group")
        LOCATION = "location", _("Location")
        MEETING = "meeting", _("Meeting")

    class Action(models.TextChoices):
        CREATED = "created", pgettext_lazy("listing history", "Added")
        CHANGED = "changed", pgettext_lazy("listing history", "Changed")
        REMOVED = "removed", pgettext_lazy("listing history", "Removed")
        VERIFIED = "verified", pgettext_lazy("listing history", "Confirmed as still right")

    class Via(models.TextChoices):
        PAGE = "page", _("a servant's page")
        SUGGESTION = "suggestion", _("an approved suggestion")
        IMPORT = "import", _("an import")
        ADMIN = "admin", _("the site admin's pages")
        REVERT = "revert", _("undoing an earlier change")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MEETING)
    # No foreign key: the history of a removed row stays.
    object_id = models.BigIntegerField()
    label = models.CharField(max_length=200, blank=True)  # the row's name when the change was made
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.CHANGED)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.PAGE)
    at = models.DateTimeField(default=timezone.now)
    # The servant's handle, "suggestion #N" approved by the servant named in ``approved_by``, or the import's source.
    who = models.CharField(max_length=300)
    approved_by = models.CharField(max_length=150, blank=True)
    # {field: [before, after]}, plain JSON values (stayhere.service.history.snapshot)
    fields = models.JSONField(default=dict)
    # The change this one undid.
    reverts = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "object_id", "at"], name="listingchange_object_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.at:%Y-%m-%d} {self.who}"


class RecoveryCode(models.Model):
    """One of a servant's single-use codes for signing in without the authenticator app. Only a keyed hash is kept
    (HMAC with the server's secret key): the codes are shown once, when two-step sign-in is turned on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class Passkey(models.Model):
    """A servant's passkey (a WebAuthn credential): the public key only; the private key never leaves the device."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as the browser names it
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"passkey {self.pk} ({self.name})"


class ProblemReport(models.Model):
    """A visitor's report of a problem with a meeting that is not a field-by-field change: the meeting no longer
    exists (a request to remove it, reviewed in the body's queue), or harmful conduct at it (private: only the
    group's secretary and the service body's admins read it; never public, never in the listing's history).

    A report that the listing is wrong becomes an ordinary change request (``ChangeRequest``). No account, address
    or fingerprint of the visitor is kept; the text and the optional contact address are deleted when the report
    is closed (``stayhere.service.reports.close``).
    """

    class Kind(models.TextChoices):
        GONE = "gone", _("The meeting no longer exists")
        CONDUCT = "conduct", _("Harmful conduct at this meeting")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("a report", "Open")
        CLOSED = "closed", pgettext_lazy("a report", "Closed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="problem_reports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    contact = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)  # the handle of the servant who closed it

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"report #{self.pk} ({self.kind})"


class NoticeChoice(models.Model):
    """A servant's choice of email notices (a servant without a row gets every notice their roles reach, when their
    account has an email address)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_choice")
    suggestions = models.BooleanField(_("a change was suggested"), default=True)
    reports = models.BooleanField(_("a problem was reported"), default=True)

    def __str__(self) -> str:
        return f"notices of {self.user_id}"
