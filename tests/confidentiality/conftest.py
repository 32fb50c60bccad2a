"""The confidentiality tests drive Debian's Chromium too: the browser tests' fixture, shared."""

from tests.browser.conftest import browser  # noqa: F401  (a fixture, found by its name)
