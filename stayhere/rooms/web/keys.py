"""The secret links' keys: drawn at random, shown once, stored only as sha256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from stayhere.directory.models import Group
from stayhere.rooms.web.models import RoomSettings
from stayhere.rooms.web.readings import default_format_for

KEY_BYTES = 24
# What a key from a link can look like (token_urlsafe's alphabet); anything else matches nothing.
KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,100}$")


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, expected_hash: str) -> bool:
    """Constant-time: whether ``key`` is the key whose hash is stored. An empty hash matches nothing."""
    if not expected_hash or not KEY_SHAPE.match(key):
        return False
    return hmac.compare_digest(hash_key(key), expected_hash)


def settings_for_key(key: str) -> RoomSettings | None:
    """The room settings a settings link opens, or None."""
    if not KEY_SHAPE.match(key):
        return None
    found = RoomSettings.objects.select_related("group").filter(settings_key_hash=hash_key(key)).first()
    if found is None or not key_matches(key, found.settings_key_hash):
        return None
    return found


def rotate_chair_key(room: RoomSettings) -> str:
    """A new chair link key; the old one stops working. Returns the key, which is not stored."""
    key = new_key()
    room.chair_key_hash = hash_key(key)
    room.keys_rotated_at = timezone.now()
    room.save(update_fields=["chair_key_hash", "keys_rotated_at"])
    return key


def rotate_settings_key(room: RoomSettings) -> str:
    """A new settings link key; the old one stops working. Returns the key, which is not stored."""
    key = new_key()
    room.settings_key_hash = hash_key(key)
    room.keys_rotated_at = timezone.now()
    room.save(update_fields=["settings_key_hash", "keys_rotated_at"])
    return key


def rotate_link_key(room: RoomSettings) -> str:
    """A new members' link key for an unlisted room; the old link stops working. Returns the key, not stored."""
    key = new_key()
    room.link_key_hash = hash_key(key)
    room.keys_rotated_at = timezone.now()
    room.save(update_fields=["link_key_hash", "keys_rotated_at"])
    return key


def rotate_both(room: RoomSettings) -> tuple[str, str]:
    """New settings and chair keys, in that order."""
    return rotate_settings_key(room), rotate_chair_key(room)


@dataclass(frozen=True)
class GroupLinks:
    group: str
    settings_url: str
    chair_urls: list[tuple[str, str]]  # (meeting name, chair link), one per meeting held in a stayhere room
    member_urls: list[tuple[str, str]]  # (meeting name, members' link) of an unlisted room; empty when listed


def fresh_links(group: Group, base_url: str) -> GroupLinks:
    """Sets the group's room up with the defaults if it has none, rotates both keys, and returns the new links.

    ``base_url`` is the site's address ("" gives paths)."""
    base = base_url.rstrip("/")
    with transaction.atomic():
        room, _created = RoomSettings.objects.get_or_create(group=group, defaults={"format": default_format_for(group)})
        settings_key, chair_key = rotate_both(room)
        link_key = rotate_link_key(room) if room.unlisted else ""
    meetings = group.meetings.filter(has_room=True).order_by("name", "slug")
    return GroupLinks(
        group=group.name,
        settings_url=base + reverse("rooms:settings", args=[settings_key]),
        chair_urls=[(m.name, base + reverse("rooms:room-chair", args=[m.slug, chair_key])) for m in meetings],
        member_urls=[(m.name, base + reverse("rooms:room-link", args=[m.slug, link_key])) for m in meetings]
        if link_key
        else [],
    )
