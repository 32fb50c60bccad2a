"""A group's room settings: its format and policies, and the hashes of its secret links.

Nothing here, or anywhere in the database, says who attended a meeting or what was said in it.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stayhere.directory.models import Group
from stayhere.rooms.core.config import OPEN_FLOOR_MAX_DEFAULT, OPEN_FLOOR_MAX_LIMIT
from stayhere.rooms.web.readings import default_format

SHARE_SECONDS_MIN = 60
SHARE_SECONDS_MAX = 1200
PASSCODE_PATTERN = r"^[0-9]{4,10}$"
OPEN_FLOOR_MAX_MIN = 2


class RoomSettings(models.Model):
    class ChatPolicy(models.TextChoices):
        OFF = "off", _("Off: no chat")
        HOSTS = "hosts", _("To the hosts only")
        OPEN = "open", _("Open to everyone")

    class Mode(models.TextChoices):
        RAISE_HAND = "raise_hand", _("Raise a hand to share")
        ROUND_ROBIN = "round_robin", _("Round robin: share or pass in turn")

    class AudioQuality(models.TextChoices):  # rooms.core.config.AUDIO_QUALITIES; stayhere.audio.floor.PROFILES
        STANDARD = "standard", _("Standard: clear wideband sound")
        PHONE = "phone", _("Phone-like: narrower sound, about half the audio server's work")

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="room_settings")
    # [{"kind", "title", "text", "minutes", "share_seconds", optional "statement"}]; see readings.default_format.
    format = models.JSONField(default=default_format, blank=True)
    welcome_statement = models.BooleanField(
        _("read the statement that people on medication or using harm reduction are welcome"), default=True
    )
    chat_policy = models.CharField(max_length=8, choices=ChatPolicy.choices, default=ChatPolicy.HOSTS)
    allow_private = models.BooleanField(_("allow private messages between members"), default=False)
    passcode = models.CharField(
        max_length=10,
        blank=True,
        validators=[RegexValidator(PASSCODE_PATTERN, _("Use 4 to 10 digits, or leave it empty for no passcode."))],
        help_text=_("The group's, not anyone's own: digits only, so people joining by phone can type it."),
    )
    waiting_room = models.BooleanField(default=True)
    share_seconds = models.PositiveIntegerField(
        default=180, validators=[MinValueValidator(SHARE_SECONDS_MIN), MaxValueValidator(SHARE_SECONDS_MAX)]
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.RAISE_HAND)
    once = models.BooleanField(_("everyone once before anyone twice"), default=False)
    # The chair may open the floor: anyone admitted may unmute themselves, in meetings up to open_floor_max seats.
    open_floor = models.BooleanField(_("the chair may open the floor to everyone in small meetings"), default=False)
    open_floor_max = models.PositiveSmallIntegerField(
        _("largest meeting for an open floor"),
        default=OPEN_FLOOR_MAX_DEFAULT,
        validators=[MinValueValidator(OPEN_FLOOR_MAX_MIN), MaxValueValidator(OPEN_FLOOR_MAX_LIMIT)],
    )
    # Unlisted: the meeting's page shows no room link, and only people with the members' link can join.
    unlisted = models.BooleanField(
        _("keep the room unlisted: only people given the members' link can join"), default=False
    )
    audio_quality = models.CharField(max_length=8, choices=AudioQuality.choices, default=AudioQuality.STANDARD)
    # sha256 hex of the secret links' keys; the keys themselves are shown once and never stored.
    settings_key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    chair_key_hash = models.CharField(max_length=64, blank=True)
    link_key_hash = models.CharField(max_length=64, blank=True)  # the members' link of an unlisted room
    keys_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("room settings")
        verbose_name_plural = _("room settings")

    def __str__(self) -> str:
        return f"room settings of {self.group}"
