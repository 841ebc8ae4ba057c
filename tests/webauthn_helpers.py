"""A software passkey for tests without a browser: answers the server's WebAuthn options the
way a platform authenticator does (ES256, "none" attestation, user verified)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftPasskey:
    def __init__(self, origin: str = "http://testserver"):
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.user_handle: bytes | None = None
        self.rp_id: str | None = None
        self.sign_count = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict) -> str:
        """navigator.credentials.create(): the registration credential as JSON."""
        self.rp_id = options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([0x01 | 0x04 | 0x40])
            + struct.pack(">I", self.sign_count)
            + attested
            + cose
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(
                        self._client_data("webauthn.create", options["challenge"])
                    ),
                    "attestationObject": b64url(attestation),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {},
                "authenticatorAttachment": "platform",
            }
        )

    def get(self, options: dict, *, user_handle: bytes | None = None) -> str:
        """navigator.credentials.get(): the assertion as JSON."""
        self.sign_count += 1
        auth_data = (
            hashlib.sha256((options.get("rpId") or self.rp_id).encode()).digest()
            + bytes([0x01 | 0x04])
            + struct.pack(">I", self.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": b64url(user_handle or self.user_handle),
                },
                "clientExtensionResults": {},
                "authenticatorAttachment": "platform",
            }
        )


def register_passkey(browser, passkey: SoftPasskey) -> dict:
    """Add the passkey through the JSON endpoints, as passkeys.js does."""
    options = browser.post("/accounts/passkeys/register/options/").json()
    response = browser.post("/accounts/passkeys/register/", {"credential": passkey.create(options)})
    assert response.status_code == 200, response.content
    return response.json()


def passkey_sign_in(browser, passkey: SoftPasskey, purpose: str = "sign_in"):
    options = browser.post("/accounts/passkeys/options/", {"purpose": purpose}).json()
    return browser.post(
        "/accounts/passkeys/verify/", {"purpose": purpose, "credential": passkey.get(options)}
    )
