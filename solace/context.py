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
    """Where an action came from."""

    request_id: str
    client_address: str
    user_agent: str

    @classmethod
    def from_request(cls, request) -> RequestContext:
        return cls(
            request_id=getattr(request, "request_id", ""),
            client_address=getattr(request, "client_address", ""),
            user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
        )


SYSTEM_CONTEXT = RequestContext(request_id="", client_address="", user_agent="")
