"""Who does something and where the request came from: built by views, carried by services
into audit entries. Every layer may use these; they know nothing of the apps."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

USER_AGENT_MAX = 200


class ActorType(StrEnum):
    STAFF = "staff"
    PATIENT = "patient"  # a patient's intake session
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: str
    role: str | None = None

    @classmethod
    def staff(cls, staff_id: str, role: str) -> Actor:
        return cls(ActorType.STAFF, staff_id, role)

    @classmethod
    def intake_session(cls, nonce: str) -> Actor:
        # The nonce is a bearer secret: the audit trail keeps a digest that identifies it.
        digest = hashlib.sha256(nonce.encode()).hexdigest()[:24]
        return cls(ActorType.PATIENT, f"intake:{digest}")

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorType.SYSTEM, "system")


@dataclass(frozen=True)
class RequestContext:
    """Where an action came from. `request_id` is the server's own; an id the client sent
    (validated) is kept apart in `client_request_id`."""

    request_id: str
    client_address: str
    user_agent: str
    client_request_id: str = ""

    @classmethod
    def from_request(cls, request) -> RequestContext:
        return cls(
            request_id=getattr(request, "request_id", ""),
            client_address=getattr(request, "client_address", ""),
            user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
            client_request_id=getattr(request, "client_request_id", ""),
        )

    @property
    def client_address_key(self) -> str:
        """A keyed hash of the client address: equal addresses give equal keys (one
        workstation's accesses line up), but the address cannot be read back without the key."""
        return address_key(self.client_address)


def address_key(address: str) -> str:
    if not address:
        return ""
    from django.conf import settings
    from django.utils.crypto import salted_hmac

    secret = getattr(settings, "SOLACE_AUDIT_ADDRESS_KEY", "") or settings.SECRET_KEY
    digest = salted_hmac("solace.audit.address", address, secret=secret, algorithm="sha256")
    return digest.hexdigest()[:16]


SYSTEM_CONTEXT = RequestContext(request_id="", client_address="", user_agent="")
