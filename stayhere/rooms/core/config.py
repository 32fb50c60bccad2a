"""What a room is set up with: the group's format and policies and the meeting's clock, as plain values.

Built from the database by ``stayhere.rooms.web.setup`` when a room opens, then handed to the pure state machine
(``stayhere.rooms.core.meeting``), which never touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEGMENT_KINDS = ("reading", "silence", "speaker", "sharing", "announcements", "closing")
CHAT_POLICIES = ("off", "hosts", "open")
MODES = ("raise_hand", "round_robin")
# How a room's audio is mixed (stayhere.audio.floor.PROFILES): standard (16 kHz), or phone-like (8 kHz and the
# cheapest Opus encoding: about half of Janus' CPU for browsers' audio; docs/BENCHMARKS.md, Audio).
AUDIO_QUALITIES = ("standard", "phone")

# A room opens this long before the scheduled start, for members; a chair may open it at any time.
OPENS_BEFORE_S = 30 * 60
# And closes (everything in it deleted) this long after the scheduled end.
CLOSES_AFTER_S = 15 * 60
# An open floor (anyone may unmute themselves) is for small meetings: the largest a group may allow it in.
OPEN_FLOOR_MAX_DEFAULT = 12
OPEN_FLOOR_MAX_LIMIT = 30


@dataclass(frozen=True)
class Segment:
    kind: str  # one of SEGMENT_KINDS
    title: str
    text: str = ""  # the reading, for readings and closings; notes for the chair otherwise
    minutes: int = 0  # the planned length, shown to the chair
    share_seconds: int = 0  # speaker and sharing segments: the length of one share (0: the room's default)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "minutes": self.minutes,
            "share_seconds": self.share_seconds,
        }


@dataclass(frozen=True)
class RoomConfig:
    meeting_slug: str
    title: str
    format: tuple[Segment, ...]
    starts_at: float  # Unix seconds: this instance's scheduled start
    ends_at: float  # and end
    scheduled: bool = True  # False: outside the schedule's window; only a chair may open it then
    next_opens_at: float | None = None  # when not scheduled: when members may next join (None: no schedule)
    chat_policy: str = "hosts"
    allow_private: bool = False  # private messages between members
    passcode: str = ""  # digits, or empty for none
    waiting_room: bool = True
    share_seconds: int = 180  # a share in open sharing, unless the segment says otherwise
    chair_key_hash: str = ""  # sha256 hex of the chair link's key; empty: no chair link yet
    # An unlisted room: sha256 hex of the members' link key, which every join but a chair's must carry.
    link_key_hash: str = ""
    mode: str = "raise_hand"
    once: bool = False  # everyone once before anyone twice
    grace_s: int = 60  # how long a dropped seat is kept for a resume
    close_after_s: int = CLOSES_AFTER_S
    slips: bool = False  # the group signs attendance slips (see stayhere.slips)
    slip_minimum_minutes: int = 45  # present at least this long to ask for one
    open_floor: bool = False  # the chair may open the floor to everyone (anyone admitted may unmute themselves)
    open_floor_max: int = OPEN_FLOOR_MAX_DEFAULT  # ...while at most this many seats are admitted
    audio_quality: str = "standard"  # one of AUDIO_QUALITIES: how the meeting's audio room is mixed
    extra: dict[str, str] = field(default_factory=dict)  # reserved; nothing personal

    @property
    def closes_at(self) -> float:
        return self.ends_at + self.close_after_s
