"""The room settings page's forms: the group's policies, and the format as a formset of segments."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from stayhere.rooms.core.config import OPEN_FLOOR_MAX_LIMIT, SEGMENT_KINDS
from stayhere.rooms.web.models import OPEN_FLOOR_MAX_MIN, SHARE_SECONDS_MAX, SHARE_SECONDS_MIN, RoomSettings
from stayhere.rooms.web.readings import MOUD_STATEMENT

SEGMENT_KIND_LABELS = {
    "reading": _("Reading"),
    "silence": _("Silence"),
    "speaker": _("Speaker"),
    "sharing": _("Sharing"),
    "announcements": _("Announcements"),
    "closing": _("Closing"),
}
SHARE_TIME_ERROR = _("Give a share time from 60 to 1200 seconds (1 to 20 minutes).")
OPEN_FLOOR_MAX_ERROR = _(
    "Give the largest meeting for an open floor as a whole number of people from 2 to 30 (12 suits most groups)."
)
AUDIO_QUALITY_ERROR = _("Choose standard or phone-like audio quality.")
MAX_SEGMENTS = 40


class RoomSettingsForm(forms.ModelForm[RoomSettings]):
    passcode = forms.RegexField(
        regex=r"^[0-9]{4,10}$",
        required=False,
        max_length=10,
        label=_("Passcode"),
        help_text=_("4 to 10 digits, so people joining by phone can type it. Leave it empty for no passcode."),
        error_messages={"invalid": _("Use 4 to 10 digits (0-9) for the passcode, or leave it empty for none.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    share_seconds = forms.IntegerField(
        min_value=SHARE_SECONDS_MIN,
        max_value=SHARE_SECONDS_MAX,
        label=_("Share time (seconds)"),
        help_text=_("How long one share lasts in open sharing: 60 to 1200 seconds."),
        error_messages={
            "invalid": SHARE_TIME_ERROR,
            "min_value": SHARE_TIME_ERROR,
            "max_value": SHARE_TIME_ERROR,
            "required": SHARE_TIME_ERROR,
        },
    )
    open_floor_max = forms.IntegerField(
        min_value=OPEN_FLOOR_MAX_MIN,
        max_value=OPEN_FLOOR_MAX_LIMIT,
        label=_("Largest meeting for an open floor (people)"),
        help_text=_(
            "The chair can open the floor only while at most this many people are in the meeting, and it closes "
            "by itself when more come in: 2 to 30."
        ),
        error_messages={
            "invalid": OPEN_FLOOR_MAX_ERROR,
            "min_value": OPEN_FLOOR_MAX_ERROR,
            "max_value": OPEN_FLOOR_MAX_ERROR,
            "required": OPEN_FLOOR_MAX_ERROR,
        },
    )

    class Meta:
        model = RoomSettings
        fields = (
            "welcome_statement",
            "chat_policy",
            "allow_private",
            "passcode",
            "waiting_room",
            "unlisted",
            "share_seconds",
            "mode",
            "once",
            "open_floor",
            "open_floor_max",
            "audio_quality",
        )
        labels = {
            "welcome_statement": _(
                "Read the statement that people on medication for opioid use disorder or using harm reduction "
                "are welcome"
            ),
            "chat_policy": _("Chat"),
            "allow_private": _("Allow private messages between members"),
            "waiting_room": _("Waiting room: hosts let each person in"),
            "mode": _("How people share"),
            "once": _("Everyone once before anyone twice"),
            "open_floor": _("Open floor: the chair may let everyone unmute themselves, in small meetings"),
            "unlisted": _("Unlisted room: only people given the members' link can join"),
            "audio_quality": _("Audio quality"),
        }
        help_texts = {
            "unlisted": _(
                "The meeting's page then shows no link to the room, and the room's address alone lets nobody in: "
                "share the members' link (shown once when drawn) with the group. Chair links still work."
            ),
            "open_floor": _(
                "Off by default. While the chair has the floor open, anyone may unmute and speak without being "
                "called on; a share or a reading still has the floor to itself."
            ),
            "audio_quality": _(
                "Standard unless your audio server is short of power: phone-like sound, like a phone call's, lets "
                "it carry more people. A meeting under way keeps the sound it started with."
            ),
        }
        error_messages = {
            "chat_policy": {"invalid_choice": _("Choose one of the chat settings listed.")},
            "mode": {"invalid_choice": _("Choose one of the ways of sharing listed.")},
            "audio_quality": {"invalid_choice": AUDIO_QUALITY_ERROR, "required": AUDIO_QUALITY_ERROR},
        }

    def clean_passcode(self) -> str:
        value: str = self.cleaned_data.get("passcode") or ""
        return value.strip()


class SegmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        initial="reading",
        choices=[(kind, SEGMENT_KIND_LABELS[kind]) for kind in SEGMENT_KINDS],
        error_messages={"invalid_choice": _("Choose one of the kinds of segment listed.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        error_messages={
            "required": _("Give the segment a title, e.g. 'Welcome'."),
            "max_length": _("Keep the title under 120 characters."),
        },
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reading, or notes for the chair."),
        error_messages={"max_length": _("Keep the text under 6000 characters; split a long reading in two.")},
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=0,
        max_value=240,
        initial=0,
        error_messages={
            "invalid": _("Give the minutes as a whole number from 0 to 240."),
            "min_value": _("Give the minutes as a whole number from 0 to 240."),
            "max_value": _("Give the minutes as a whole number from 0 to 240."),
            "required": _("Give the minutes as a whole number from 0 to 240 (0: no planned length)."),
        },
    )
    share_seconds = forms.IntegerField(
        label=_("Share time (seconds)"),
        min_value=0,
        max_value=SHARE_SECONDS_MAX,
        initial=0,
        help_text=_("0: the room's share time."),
        error_messages={
            "invalid": _("Give the share time as 0 (the room's) or 60 to 1200 seconds."),
            "min_value": _("Give the share time as 0 (the room's) or 60 to 1200 seconds."),
            "max_value": _("Give the share time as 0 (the room's) or 60 to 1200 seconds."),
            "required": _("Give the share time as 0 (the room's) or 60 to 1200 seconds."),
        },
    )
    statement = forms.ChoiceField(
        required=False, choices=[("", ""), (MOUD_STATEMENT, MOUD_STATEMENT)], widget=forms.HiddenInput
    )

    def clean_share_seconds(self) -> int:
        value: int = self.cleaned_data["share_seconds"]
        if 0 < value < SHARE_SECONDS_MIN:
            raise forms.ValidationError(_("Give the share time as 0 (the room's) or 60 to 1200 seconds."))
        return value

    def segment(self) -> dict[str, object]:
        data = self.cleaned_data
        out: dict[str, object] = {
            "kind": data["kind"],
            "title": data["title"].strip(),
            "text": data["text"].strip(),
            "minutes": data["minutes"],
            "share_seconds": data["share_seconds"],
        }
        if data.get("statement"):
            out["statement"] = data["statement"]
        return out


class BaseSegmentFormSet(forms.BaseFormSet[SegmentForm]):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.kept():
            raise forms.ValidationError(_("Keep at least one segment in the format, or restore the default format."))

    def kept(self) -> list[tuple[int, dict[str, object]]]:
        """(form index, segment) of the segments to keep, in order: deleted and untouched blank ones left out."""
        kept = []
        for index, form in enumerate(self.forms):
            if not form.has_changed() and index >= self.initial_form_count():
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            kept.append((index, form.segment()))
        return kept


SegmentFormSet = forms.formset_factory(
    SegmentForm,
    formset=BaseSegmentFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_SEGMENTS,
    validate_max=True,
    absolute_max=MAX_SEGMENTS + 1,
)


def segment_formset(data: Any = None, *, initial: list[dict[str, object]] | None = None) -> BaseSegmentFormSet:
    return cast(BaseSegmentFormSet, SegmentFormSet(data, initial=initial, prefix="seg"))


def moved(segments: list[tuple[int, dict[str, object]]], move: str) -> list[dict[str, object]]:
    """The kept segments, with the one a "up:N" or "down:N" button names swapped with its neighbour."""
    order = [segment for _index, segment in segments]
    direction, _sep, number = move.partition(":")
    positions = [index for index, _segment in segments]
    if not number.isdigit() or int(number) not in positions or direction not in ("up", "down"):
        return order
    here = positions.index(int(number))
    there = here - 1 if direction == "up" else here + 1
    if 0 <= there < len(order):
        order[here], order[there] = order[there], order[here]
    return order
