"""Second factors as libraries do them: TOTP (pyotp, QR codes by segno), one-time recovery codes,
and passkeys (WebAuthn: the `webauthn` library builds the options and verifies the answers).

Nothing here reads or writes DynamoDB; services call these and store the results. webauthn is
imported by the functions that use it: it loads cryptography and OpenSSL (~50 ms), which a cold
start that signs nobody in with a passkey need not pay.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

import pyotp

from accounts.domain import Passkey

ISSUER = "Solace"
TOTP_STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


class FactorError(Exception):
    """A code, passkey answer or challenge that does not verify."""


# --- TOTP ---------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (an <img>, so no inline markup or style is needed)."""
    import segno  # only for enrolment pages: its import is a cost every cold start would pay

    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def totp_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is (the one before and after count too: clocks drift),
    or None. The caller refuses a step at or before the last one used."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // TOTP_STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code):
            return step
    return None


def totp_code(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).at(step * TOTP_STEP_SECONDS)


# --- Recovery codes -----------------------------------------------------------------------------
def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """Codes carry 49 random bits each: a plain SHA-256 is enough to keep them unreadable."""
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"solace-recovery:{normalized}".encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return len(normalized) == 10 and all(ch in _RECOVERY_ALPHABET for ch in normalized)


# --- Passkeys (WebAuthn) ------------------------------------------------------------------------
def _user_handle(staff_id: str) -> bytes:
    # Discoverable passkeys hand this back on sign-in (userHandle): it names the account.
    return staff_id.encode()


@dataclass(frozen=True)
class Challenge:
    """What the server keeps (in the session) between the options and the browser's answer."""

    purpose: str
    challenge: str  # base64url
    staff_id: str | None

    def to_session(self) -> dict:
        return {"purpose": self.purpose, "challenge": self.challenge, "staff_id": self.staff_id}

    @classmethod
    def from_session(cls, data: dict | None) -> Challenge | None:
        if not isinstance(data, dict):
            return None
        return cls(data["purpose"], data["challenge"], data.get("staff_id"))


def registration_options(
    *, rp_id: str, staff_id: str, email: str, name: str, existing: tuple[Passkey, ...]
) -> tuple[str, str]:
    """Options for navigator.credentials.create() as JSON, and the challenge to keep."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=ISSUER,
        user_id=_user_handle(staff_id),
        user_name=email,
        user_display_name=name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in existing
        ],
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def verify_registration(
    *, credential: str, challenge: str, rp_id: str, origin: str, now: str
) -> Passkey:
    from webauthn import verify_registration_response
    from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise FactorError(str(exc)) from exc
    return Passkey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        created_at=now,
    )


def authentication_options(*, rp_id: str, allowed: tuple[Passkey, ...] = ()) -> tuple[str, str]:
    """Options for navigator.credentials.get(); with nothing allowed, any discoverable passkey
    for this site may answer (sign-in without typing an email)."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in allowed
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def assertion_ids(credential: str) -> tuple[str, str]:
    """(staff id from the userHandle, credential id) of a browser's assertion."""
    from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

    try:
        data = json.loads(credential)
        handle = base64url_to_bytes(data["response"]["userHandle"]).decode()
        credential_id = bytes_to_base64url(base64url_to_bytes(data["rawId"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FactorError("not a passkey answer") from exc
    return handle, credential_id


def verify_assertion(
    *, credential: str, challenge: str, rp_id: str, origin: str, passkey: Passkey
) -> int:
    """The authenticator's new signature count, or FactorError."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise FactorError(str(exc)) from exc
    return verified.new_sign_count
