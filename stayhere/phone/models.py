"""A meeting's phone code: the digits a caller keys in after dialling the operator's number."""

from __future__ import annotations

from django.db import models

from stayhere.directory.models import Meeting


class PhoneCode(models.Model):
    # Random digits, drawn when first needed and kept until the meeting's secretary rotates them: never derived
    # from the slug or the id, so the listing does not give away an unlisted room's code.
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="phone_code")
    code = models.CharField(max_length=12, unique=True)
    rotated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"phone code of meeting {self.meeting_id}"
