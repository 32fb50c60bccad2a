from __future__ import annotations

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    """Trusted servants: accounts with roles down the service-body tree, change requests, the listings' history."""

    name = "stayhere.service"
    label = "service"
    verbose_name = "Trusted servants"
