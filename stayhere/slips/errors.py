"""The slips app's own refusals."""

from __future__ import annotations


class SlipRefused(Exception):
    """A slip (or an in-person code) could not be given; the message says why, for the person who asked."""
