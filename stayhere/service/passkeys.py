"""Passkeys for servants (WebAuthn, through the `webauthn` package): a servant signed in adds one; then signs in
with it alone, without a handle or a password. The site's host name is the relying party, so a passkey works only
on this site. Each ceremony's challenge lives in the session and is used once.

Signing in with a passkey needs user verification (the device's PIN, fingerprint or face): it is both factors.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from stayhere.service.models import Passkey

REGISTERING = "service_passkey_registering"
SIGNING_IN = "service_passkey_signing_in"


class PasskeyRefused(Exception):
    """The passkey was not accepted; the message is a sentence for the servant."""


def relying_party(request: HttpRequest) -> tuple[str, str]:
    """(rp id, origin): this site's host name (already checked against ALLOWED_HOSTS) and its origin."""
    host = request.get_host()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip("[]"), f"{request.scheme}://{host}"


def registration_options(request: HttpRequest, user: Any) -> str:
    rp_id, _origin = relying_party(request)
    existing = Passkey.objects.filter(user=user).values_list("credential_id", flat=True)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.SITE_NAME,
        user_name=user.get_username(),
        user_id=str(user.pk).encode(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(cid)) for cid in existing],
    )
    request.session[REGISTERING] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def register(request: HttpRequest, user: Any, credential: Any, name: str) -> Passkey:
    challenge = request.session.pop(REGISTERING, None)
    if challenge is None:
        raise PasskeyRefused(_("Start again: press “Add a passkey” and follow your device's steps."))
    verified = _verified(
        verify_registration_response,
        request,
        credential,
        challenge,
        _("The device's answer could not be checked, so no passkey was added. Try again."),
    )
    return Passkey.objects.create(
        user=user,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name.strip() or _("Passkey"))[:80],
    )


def authentication_options(request: HttpRequest) -> str:
    rp_id, _origin = relying_party(request)
    options = generate_authentication_options(rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED)
    request.session[SIGNING_IN] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def known_passkey(credential: Any) -> Passkey | None:
    """The stored passkey the browser's answer names, if any (before any check of its signature)."""
    if not isinstance(credential, dict) or not isinstance(credential.get("rawId"), str):
        return None
    credential_id = credential["rawId"]
    passkey: Passkey | None = Passkey.objects.select_related("user").filter(credential_id=credential_id).first()
    return passkey


def authenticate(request: HttpRequest, passkey: Passkey, credential: Any) -> Any:
    """The servant the passkey signs in, after its signature checks (PasskeyRefused otherwise)."""
    challenge = request.session.pop(SIGNING_IN, None)
    if challenge is None:
        raise PasskeyRefused(_("Start again: press “Sign in with a passkey”."))
    verified = _verified(
        verify_authentication_response,
        request,
        credential,
        challenge,
        _("The passkey's answer could not be checked: nobody was signed in. Try again."),
        credential_public_key=bytes(passkey.public_key),
        credential_current_sign_count=passkey.sign_count,
    )
    with transaction.atomic():
        Passkey.objects.filter(pk=passkey.pk).update(sign_count=verified.new_sign_count, last_used_at=timezone.now())
    if not passkey.user.is_active:
        raise PasskeyRefused(_("This account is switched off. Ask a site admin."))
    return passkey.user


def _verified(verify: Any, request: HttpRequest, credential: Any, challenge: str, refusal: str, **more: Any) -> Any:
    """The `webauthn` package's check of a ceremony's answer against this site and the session's challenge, with
    user verification required; PasskeyRefused(refusal) when it fails."""
    rp_id, origin = relying_party(request)
    try:
        return verify(
            credential=_object(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
            **more,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise PasskeyRefused(refusal) from None


def _object(credential: Any) -> dict[str, Any]:
    if not isinstance(credential, dict):
        raise PasskeyRefused(_("The device's answer was not readable. Try again."))
    return credential


def read_body(body: bytes) -> dict[str, Any]:
    """The JSON object a page posted (PasskeyRefused when it is none)."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PasskeyRefused(_("The device's answer was not readable. Try again.")) from None
    if not isinstance(value, dict):
        raise PasskeyRefused(_("The device's answer was not readable. Try again."))
    return value
