from __future__ import annotations

from django.apps import AppConfig


class PhoneConfig(AppConfig):
    name = "stayhere.phone"
    label = "phone"
    verbose_name = "Phone dial-in"
