"""A group's attendance-slip settings and its signing keys.

Nothing here says who asked for a slip, when, or for which name: the server signs and forgets.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stayhere.directory.models import Group

DEFAULT_MINIMUM_MINUTES = 45


class SlipSettings(models.Model):
    """Whether a group gives attendance slips, and how long someone must be present to get one."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="slip_settings")
    enabled = models.BooleanField(_("give attendance slips"), default=False)
    minimum_minutes = models.PositiveIntegerField(
        _("minutes present for a slip"),
        default=DEFAULT_MINIMUM_MINUTES,
        validators=[MinValueValidator(0), MaxValueValidator(600)],
    )

    class Meta:
        verbose_name = _("slip settings")
        verbose_name_plural = _("slip settings")

    def __str__(self) -> str:
        return f"slip settings of {self.group}"


class SigningKey(models.Model):
    """An Ed25519 key pair of a group. The private key is stored encrypted (see ``stayhere.slips.keystore``).

    A key signs from ``created_at`` until ``retired_at`` (when a newer key replaced it); a retired key still
    verifies slips dated before it retired. A revoked key verifies nothing: the group withdrew it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="signing_keys")
    key_id = models.CharField(max_length=16, unique=True)  # the first 16 hex digits of sha256(public key)
    public_key = models.CharField(max_length=64)  # raw 32 bytes, base64url without padding
    private_key = models.TextField()  # raw 32 bytes, encrypted with a key derived from SECRET_KEY (Fernet token)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "created_at"]
        verbose_name = _("signing key")

    def __str__(self) -> str:
        return f"signing key {self.key_id} of {self.group}"

    @property
    def active(self) -> bool:
        return self.retired_at is None and self.revoked_at is None
