from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Made-up meetings for the quickstart, tests and benchmarks (``stayhere load_demo``); no models."""

    name = "stayhere.demo"
    label = "demo"
    verbose_name = "Demo"
