"""The protocol's checks: what a frame may hold before the room sees it, and sentences people can read."""

from __future__ import annotations

import json

import pytest

from stayhere.rooms.live.protocol import ProtocolError, decode


def refusal(frame: dict[str, object]) -> ProtocolError:
    with pytest.raises(ProtocolError) as refused:
        decode(json.dumps(frame))
    return refused.value


@pytest.mark.parametrize("kind", ["chat", "report"])
@pytest.mark.parametrize("bad", ["nul\x00here", "bell\x07", "exe.\u202eevil", "\u2066isolated\u2069", "esc\x1b[2J"])
def test_chat_and_reports_refuse_control_characters_and_text_direction_overrides(kind: str, bad: str) -> None:
    problem = refusal({"type": kind, "text": bad})
    assert problem.code == "bad_message" and "plain text" in problem.message


def test_chat_keeps_line_breaks_tabs_and_any_script() -> None:
    text = "first line\nsecond\tline, שלום, مرحبا, 👩\u200d👩\u200d👧"
    assert decode(json.dumps({"type": "chat", "text": text})) == ("chat", {"text": text})


def test_a_bad_name_is_refused_in_one_sentence_not_a_garbled_one() -> None:
    problem = refusal({"type": "rename", "name": "x" * 41})
    assert problem.message == "Keep the name to 40 characters or fewer."
    problem = refusal({"type": "join", "name": "   "})
    assert problem.message == "Type a first name or any name you like to be called here."
    assert refusal({"type": "hand", "up": "yes"}).message == "In a hand message, up must be true or false."


def test_people_list_takes_an_optional_place_to_start_from_and_refuses_a_bad_one() -> None:
    assert decode('{"type": "people_list"}') == ("people_list", {})
    assert decode('{"type": "people_list", "from": 100}') == ("people_list", {"from": 100})
    with pytest.raises(ProtocolError):
        decode('{"type": "people_list", "from": -1}')
