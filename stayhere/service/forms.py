"""The servants' and visitors' forms. They turn what was typed into plain listing values (``listing.Values``);
``stayhere.service.listing`` decides whether those make a listing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stayhere.core import cache, signin
from stayhere.directory.feeds.codes import type_codes_from_value
from stayhere.directory.feeds.common import parse_coordinates
from stayhere.directory.models import Attendance, Group, Location, Meeting, ServiceBody
from stayhere.directory.presenting import day_name
from stayhere.service import listing
from stayhere.service.models import RoleKind

DAY_CHOICES = [(str(day), day_name(day)) for day in range(7)]
TIME_ERROR = _("Write the time as hours and minutes on the 24-hour clock, e.g. 19:30.")
DATE_ERROR = _("Write the date as year-month-day, e.g. 2026-03-31.")
URL_ERROR = _("Give the whole link, starting with https://.")


class MeetingForm(forms.Form):
    """A meeting's listing, field by field (the secretary's edit form; the visitor's suggestion adds to it)."""

    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": _("Give the meeting's name.")})
    days = forms.MultipleChoiceField(
        label=_("Days"),
        choices=DAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("No day ticked: by appointment."),
        error_messages={"invalid_choice": _("Tick days from Sunday to Saturday.")},
    )
    start_time = forms.TimeField(
        label=_("Starts"), required=False, input_formats=["%H:%M"], error_messages={"invalid": TIME_ERROR}
    )
    end_time = forms.TimeField(
        label=_("Ends"), required=False, input_formats=["%H:%M"], error_messages={"invalid": TIME_ERROR}
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("The meeting's own, e.g. America/Chicago."),
        error_messages={"required": _("Give the time zone, e.g. America/Chicago.")},
    )
    attendance = forms.ChoiceField(
        label=_("How to attend"),
        choices=Attendance.choices,
        error_messages={"invalid_choice": _("Choose one of the ways to attend listed.")},
    )
    inactive_reason = forms.CharField(
        label=_("Why it is inactive"),
        max_length=200,
        required=False,
        help_text=_("Only for a temporarily inactive meeting, e.g. 'venue closed for repairs'."),
    )
    inactive_until = forms.DateField(
        label=_("Inactive until"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_ERROR},
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    conference_url = forms.URLField(
        label=_("Online meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": URL_ERROR},
    )
    conference_url_notes = forms.CharField(label=_("Notes on the online link"), required=False, widget=forms.Textarea)
    conference_phone = forms.CharField(label=_("Phone line"), max_length=120, required=False)
    conference_phone_notes = forms.CharField(label=_("Notes on the phone line"), required=False, widget=forms.Textarea)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)
    types = forms.CharField(
        label=_("Meeting types"),
        max_length=600,
        required=False,
        help_text=_("Meeting Guide codes separated by commas, e.g. O, D, EN."),
    )

    @classmethod
    def for_meeting(cls, meeting: Meeting, data: Any = None, **kwargs: Any) -> MeetingForm:
        current = listing.values(meeting)
        initial = {**current, "days": [str(day) for day in current["days"]], "types": ", ".join(current["types"])}
        return cls(data, initial=initial, **kwargs)

    def listing_values(self) -> listing.Values:
        """The cleaned values in the listing's own form (after is_valid())."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "days": sorted(int(day) for day in data["days"]),
            "start_time": data["start_time"].strftime("%H:%M") if data["start_time"] else "",
            "end_time": data["end_time"].strftime("%H:%M") if data["end_time"] else "",
            "timezone": data["timezone"].strip(),
            "attendance": data["attendance"],
            "inactive_reason": data["inactive_reason"].strip(),
            "inactive_until": data["inactive_until"].isoformat() if data["inactive_until"] else "",
            "conference_url": data["conference_url"],
            "conference_url_notes": data["conference_url_notes"].strip(),
            "conference_phone": data["conference_phone"].strip(),
            "conference_phone_notes": data["conference_phone_notes"].strip(),
            "notes": data["notes"].strip(),
            "types": type_codes_from_value(data["types"].replace(";", ",")),
        }

    def add_listing_errors(self, errors: dict[str, list[str]]) -> None:
        """Shows ``listing.ListingInvalid``'s sentences on the fields they are about."""
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)


class SuggestionForm(MeetingForm):
    note = forms.CharField(
        label=_("Anything else the reviewers should know"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("About the listing only. It is deleted when the suggestion is closed."),
    )
    contact = forms.EmailField(
        label=_("Your email, if you would like a reply"),
        required=False,
        help_text=_("Optional. Seen only by the reviewers and deleted when the suggestion is closed."),
        error_messages={"invalid": _("Give an email address such as name@example.org, or leave it empty.")},
    )


class InactiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not being held"),
        max_length=200,
        error_messages={"required": _("Say why the meeting is inactive, e.g. 'venue closed for repairs'.")},
    )
    until = forms.DateField(
        label=_("Expected back on (optional)"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_ERROR},
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_until(self) -> dt.date | None:
        until: dt.date | None = self.cleaned_data.get("until")
        if until is not None and until < timezone.localdate():
            raise ValidationError(_("The date is in the past: give a later one, or leave it empty."))
        return until


class InviteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Role"), choices=RoleKind.choices)
    group = forms.ChoiceField(label=_("Group (for a secretary)"), required=False)
    body = forms.ChoiceField(label=_("Service body (for an admin or a reviewer)"), required=False)
    ends_on = forms.DateField(
        label=_("The role ends on (optional)"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_ERROR},
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Service terms rotate: the role lapses after this day."),
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]], bodies: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["group"].choices = [("", "—"), *groups]  # type: ignore[attr-defined]
        self.fields["body"].choices = [("", "—"), *bodies]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == RoleKind.SECRETARY and not data.get("group"):
            self.add_error("group", _("Choose the group whose secretary you are inviting."))
        elif kind in (RoleKind.BODY_ADMIN, RoleKind.REVIEWER) and not data.get("body"):
            self.add_error("body", _("Choose the service body the role is over."))
        ends_on = data.get("ends_on")
        if ends_on is not None and ends_on < timezone.localdate():
            self.add_error("ends_on", _("The end date is in the past: give a later one, or leave it empty."))
        return data


class AcceptForm(forms.Form):
    handle = forms.RegexField(
        label=_("Your handle"),
        regex=r"^[\w.@+-]{2,40}$",
        help_text=_("What other servants see, e.g. “Sam K.” or “secretary-hope”: not your full name."),
        error_messages={
            "invalid": _("Use 2 to 40 letters, digits or . @ + - _ (no spaces) for the handle."),
            "required": _("Choose a handle."),
        },
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Only if you want notices by email. Leave it empty otherwise."),
        error_messages={"invalid": _("Give an email address such as name@example.org, or leave it empty.")},
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(label=_("The password again"), widget=forms.PasswordInput, strip=False)

    def clean_handle(self) -> str:
        handle: str = self.cleaned_data["handle"]
        if get_user_model().objects.filter(username__iexact=handle).exists():
            raise ValidationError(_("That handle is taken: choose another."))
        return handle

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("The two passwords differ: type the same one twice."))
        elif password:
            try:
                password_validation.validate_password(password)
            except ValidationError as invalid:
                self.add_error("password", invalid)
        return data


class ServantSignInForm(AuthenticationForm):
    """Sign-in for servants, under the same limits as the admin's (stayhere.core.signin)."""

    refused: signin.Refusal | None = None
    unavailable = False

    def clean(self) -> dict[str, Any]:
        name = self.cleaned_data.get("username")
        if name is None or not self.cleaned_data.get("password"):
            return super().clean()
        try:
            self.refused = signin.refusal(name)
        except cache.CacheDown:
            self._unavailable()
        if self.refused is not None:
            raise ValidationError(self.refused.sentence(), code="throttled")
        try:
            return super().clean()
        except ValidationError:
            try:
                signin.record_failure(name)
            except cache.CacheDown:
                self._unavailable()
            raise

    def _unavailable(self) -> None:
        self.unavailable = True
        raise ValidationError(signin.unavailable_sentence(), code="unavailable")


class OwnPasswordForm(PasswordChangeForm):
    """A servant's new password: the current one first, under the sign-in limits (a wrong one counts as a failed
    sign-in of the account, and over the limits no password is checked), then Django's password validators."""

    refused: signin.Refusal | None = None
    unavailable = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)  # one section of a longer page

    def clean_old_password(self) -> str:
        name = self.user.get_username()
        try:
            self.refused = signin.refusal(name)
        except cache.CacheDown:
            self._unavailable()
        if self.refused is not None:
            raise ValidationError(self.refused.sentence(), code="throttled")
        old = self.cleaned_data.get("old_password", "")
        if not self.user.check_password(old):
            try:
                signin.record_failure(name)
            except cache.CacheDown:
                self._unavailable()
            raise ValidationError(
                _("That is not your current password: nothing was changed. Type the password you sign in with."),
                code="password_incorrect",
            )
        return str(old)

    def _unavailable(self) -> None:
        self.unavailable = True
        raise ValidationError(signin.unavailable_sentence(), code="unavailable")


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is rejected"),
        max_length=500,
        widget=forms.Textarea,
        error_messages={"required": _("Say why the suggestion is rejected: the reason is kept with it.")},
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("The 6-digit code from your authenticator app"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={
            "invalid": _("Type the 6 digits your authenticator app shows now."),
            "required": _("Type the 6 digits your authenticator app shows now."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SignInCodeForm(CodeForm):
    """The second step of signing in: the app's code, or one of the recovery codes."""

    code = forms.RegexField(
        label=_("The 6-digit code from your authenticator app, or a recovery code"),
        regex=r"^\s*([0-9]{6}|[A-Za-z0-9]{5}-[A-Za-z0-9]{5})\s*$",
        error_messages={
            "invalid": _("Type the 6 digits your authenticator app shows now, or a recovery code such as abcde-fghjk."),
            "required": _("Type the 6 digits your authenticator app shows now, or a recovery code."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class BodyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the service body"),
        max_length=200,
        error_messages={"required": _("Give the service body's name, e.g. “Lakeside District”.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceBody.Kind.choices)


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the group"),
        max_length=200,
        error_messages={"required": _("Give the group's name, e.g. “Hope Group”.")},
    )


REPORT_KINDS = [
    ("wrong", _("The listing is wrong (a time, a place, a link…)")),
    ("gone", _("The meeting no longer exists")),
    ("conduct", _("Harmful conduct at this meeting")),
]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is the problem?"),
        choices=REPORT_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the problem is."),
            "invalid_choice": _("Choose one of the problems listed."),
        },
    )
    text = forms.CharField(
        label=_("What happened, or what is wrong"),
        max_length=4000,
        widget=forms.Textarea,
        help_text=_("Please name no one who attends. It is deleted when the report is closed."),
        error_messages={
            "required": _("Say what the problem is, in a few words."),
            "max_length": _("Please keep it under 4,000 characters."),
        },
    )
    contact = forms.EmailField(
        label=_("Your email, if you would like a reply"),
        required=False,
        help_text=_("Optional. Seen only by the servants who read the report and deleted when it is closed."),
        error_messages={"invalid": _("Give an email address such as name@example.org, or leave it empty.")},
    )


HANDLE_REGEX = r"^[\w.@+-]{2,40}$"


class OwnAccountForm(forms.Form):
    """A servant's own handle and email (an empty email: no notices)."""

    handle = forms.RegexField(
        label=_("Your handle"),
        regex=HANDLE_REGEX,
        help_text=_("What other servants see, e.g. “Sam K.” or “secretary-hope”: not your full name."),
        error_messages={
            "invalid": _("Use 2 to 40 letters, digits or . @ + - _ (no spaces) for the handle."),
            "required": _("Choose a handle."),
        },
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Only if you want notices by email. Empty it to remove the address."),
        error_messages={"invalid": _("Give an email address such as name@example.org, or leave it empty.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_handle(self) -> str:
        handle: str = self.cleaned_data["handle"]
        taken = get_user_model().objects.filter(username__iexact=handle).exclude(pk=self.user.pk)
        if taken.exists():
            raise ValidationError(_("That handle is taken: choose another."))
        return handle


class NoticeForm(forms.Form):
    suggestions = forms.BooleanField(label=_("Email me when a change is suggested in my queue"), required=False)
    reports = forms.BooleanField(label=_("Email me when a problem is reported that I may act on"), required=False)


class GroupStatementForm(forms.ModelForm[Group]):
    """What only the group itself says: its statement, whether people on MOUD are welcome, whether it is
    harm-reduction friendly, and its public contact details."""

    website = forms.URLField(
        label=_("The group's website"),
        max_length=200,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": URL_ERROR},
    )

    class Meta:
        model = Group
        fields = ("statement", "moud_welcome", "harm_reduction", "website", "email", "phone")
        labels = {
            "statement": _("The group's statement"),
            "moud_welcome": _("People on medication for opioid use disorder (MOUD) are welcome"),
            "harm_reduction": _("Harm-reduction friendly"),
            "website": _("The group's website"),
            "email": _("The group's public email"),
            "phone": _("The group's public phone"),
        }
        help_texts = {
            "statement": _("Shown on each of the group's meetings' pages, e.g. a welcome. Name no member."),
            "moud_welcome": _("Adds “MOUD welcome” to every meeting of the group, in the finder and the feeds."),
            "harm_reduction": _("Adds “Harm reduction” to every meeting of the group, in the finder and the feeds."),
            "email": _("A service address, never a member's own."),
        }
        error_messages = {
            "website": {"invalid": URL_ERROR},
            "email": {"invalid": _("Give an email address such as name@example.org, or leave it empty.")},
        }
        widgets = {"statement": forms.Textarea(attrs={"rows": 5})}

    def clean_statement(self) -> str:
        statement: str = self.cleaned_data.get("statement") or ""
        if len(statement) > 4000:
            raise ValidationError(_("Please keep the statement under 4,000 characters."))
        return statement.strip()


class LocationForm(forms.ModelForm[Location]):
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("For the finder's distances, e.g. 41.8781. Leave both empty if you do not know them."),
        error_messages={
            "invalid": _("Write the latitude as a number from -90 to 90, e.g. 41.8781."),
            "min_value": _("Latitude is between -90 and 90."),
            "max_value": _("Latitude is between -90 and 90."),
        },
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        error_messages={
            "invalid": _("Write the longitude as a number from -180 to 180, e.g. -87.6298."),
            "min_value": _("Longitude is between -180 and 180."),
            "max_value": _("Longitude is between -180 and 180."),
        },
    )

    class Meta:
        model = Location
        fields = ("name", "address", "city", "state", "postal_code", "country", "latitude", "longitude", "notes")
        labels = {
            "name": _("Name of the place"),
            "address": _("Street address"),
            "city": _("City"),
            "state": _("State or province"),
            "postal_code": _("Postal code"),
            "country": _("Country"),
            "notes": _("How to find the room"),
        }
        help_texts = {"name": _("e.g. “St. Mark's Church hall”.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(str(data.get(name) or "").strip() for name in ("name", "address", "city")):
            raise ValidationError(_("Give at least the place's name, its street address or its city."))
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None) and not self.has_error("latitude"):
            if not self.has_error("longitude"):
                raise ValidationError(_("Give both latitude and longitude, or neither."))
        if latitude is not None and longitude is not None:
            # As the importer takes a feed's coordinates: both or neither, in range, never a blank filled with 0.
            kept = parse_coordinates(latitude, longitude)
            if kept == (None, None):
                raise ValidationError(
                    _("0 is not a coordinate of a meeting place: leave both empty if you do not know them.")
                )
            data["latitude"], data["longitude"] = kept
        return data


class WhereForm(forms.Form):
    """Where a new meeting meets: one of the group's places, or none (online, phone)."""

    location = forms.ChoiceField(label=_("Where it meets"), required=False)

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", _("No place (online or phone only)")), *places]  # type: ignore[attr-defined]
        self.fields["location"].error_messages["invalid_choice"] = _("Choose one of the group's places listed.")


class SlipsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Give attendance slips"), required=False)
    minimum_minutes = forms.IntegerField(
        label=_("Minutes present for a slip"),
        min_value=0,
        max_value=600,
        required=False,
        error_messages={
            "invalid": _("Give the minutes present for a slip as a whole number from 0 to 600."),
            "min_value": _("Give the minutes present for a slip as a whole number from 0 to 600."),
            "max_value": _("Give the minutes present for a slip as a whole number from 0 to 600."),
        },
    )
