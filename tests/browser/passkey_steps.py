"""Chromium's virtual authenticator for the servants' browser tests (the DevTools protocol's WebAuthn domain)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import watch


def with_authenticator(browser: Any, origin: str) -> tuple[Any, Any]:
    """A context on ``localhost`` (WebAuthn refuses an IP address as the site) with a virtual platform
    authenticator that holds passkeys and verifies its user."""
    context = browser.new_context(base_url=origin)
    watched = watch(context, origin)
    cdp = context.new_cdp_session(watched.page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return context, watched
