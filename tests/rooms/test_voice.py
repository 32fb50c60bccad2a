"""A seat's own voice is the room's decision (rooms/core/voice.py): unmuting needs the floor and no host mute since
it moved; the audio only carries out the Voice, Muted and Floor effects."""

from __future__ import annotations

from stayhere.rooms.core import voice
from stayhere.rooms.core.effects import OPEN_FLOOR, Muted, Voice
from tests.rooms.test_open_floor import SHARING, small_meeting


def voices(effects: list[object]) -> list[Voice]:
    return [e for e in effects if isinstance(e, Voice)]


def test_a_member_without_the_floor_may_mute_itself_but_not_unmute() -> None:
    meeting, _chair, (alex, _sam) = small_meeting()
    assert voices(meeting.say(alex, "audio_mute", muted=True)) == [Voice(alex, muted=True, live=False, open=False)]
    before = meeting.live
    effects = meeting.say(alex, "audio_mute", muted=False)
    assert meeting.errors(effects) == ["not_your_turn"] and voices(effects) == []
    assert meeting.live == before


def test_the_floor_holder_may_unmute_itself_and_is_told_it_is_live() -> None:
    meeting, chair, _ = small_meeting()
    assert voices(meeting.say(chair, "audio_mute", muted=False)) == [Voice(chair, muted=False, live=True, open=False)]
    assert voice.view(meeting.live, chair) == voice.AudioView(
        admitted=True, floor=chair, live=True, open=False, heard=True
    )


def test_a_host_mute_holds_until_the_floor_moves() -> None:
    meeting, chair, (alex, _sam) = small_meeting()
    meeting.say(chair, "call", seat=alex)
    meeting.say(alex, "accept")
    assert meeting.floors()[-1] == alex
    effects = meeting.say(chair, "mute", seat=alex)
    assert Muted((alex,)) in effects and alex in meeting.live.host_muted
    refused = meeting.say(alex, "audio_mute", muted=False)
    assert meeting.errors(refused) == ["host_muted"] and "floor comes back" in voice.HOST_MUTED
    assert voice.view(meeting.live, alex).live is False  # type: ignore[union-attr]

    meeting.say(alex, "done")  # the floor goes back to the chair: the host mute lapses
    assert meeting.live.host_muted == frozenset()
    meeting.say(chair, "call", seat=alex)
    meeting.say(alex, "accept")
    assert voices(meeting.say(alex, "audio_mute", muted=False)) == [Voice(alex, muted=False, live=True, open=False)]


def test_in_an_open_floor_anyone_may_unmute_and_is_heard_until_the_floor_moves() -> None:
    meeting, chair, (alex, sam) = small_meeting()
    meeting.say(chair, "open_floor", open=True)
    assert meeting.floors()[-1] == OPEN_FLOOR
    assert voices(meeting.say(alex, "audio_mute", muted=False)) == [Voice(alex, muted=False, live=True, open=True)]
    assert meeting.live.spoke == {alex}
    assert voice.view(meeting.live, alex).heard and not voice.view(meeting.live, sam).heard  # type: ignore[union-attr]
    meeting.say(alex, "audio_mute", muted=True)
    assert meeting.live.spoke == frozenset()
    meeting.say(sam, "audio_mute", muted=False)
    meeting.say(chair, "open_floor", open=False)  # the floor moves: everyone is muted again
    assert meeting.live.spoke == frozenset() and meeting.floors()[-1] == chair


def test_the_waiting_room_cannot_touch_the_audio() -> None:
    meeting, _chair, _ = small_meeting(waiting_room=True)
    waiting = meeting.join("Newcomer")
    assert not meeting.live.seats[waiting].admitted
    assert meeting.errors(meeting.say(waiting, "audio_mute", muted=False)) == ["waiting"]
    assert voice.view(meeting.live, waiting).admitted is False  # type: ignore[union-attr]
    assert voice.view(meeting.live, "s-nobody") is None
    assert SHARING == meeting.live.segment
