"""The intake cookie (a signed ticket: the form's GET writes nothing) and the kiosk cookie.

Both are scoped to the hospital's path, HttpOnly, SameSite=Lax and Secure outside development
mode. They are signed, not encrypted: they hold random ids and an idempotency key, never an
answer. A ticket is good for this hospital only, until its `expires_at`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from accounts.domain import Hospital
from intake.domain import FormTicket, plausible_session_id
from solace import clock

INTAKE_COOKIE = "solace_intake"
KIOSK_COOKIE = "solace_kiosk"
_TICKET_SALT = "solace.intake.ticket"
_KIOSK_SALT = "solace.intake.kiosk"
KIOSK_COOKIE_SECONDS = 400 * 24 * 60 * 60  # the longest a browser keeps a cookie


def _path(hospital: Hospital) -> str:
    return f"/h/{hospital.slug}/"


def _set(response: HttpResponse, hospital: Hospital, name: str, value: str, max_age: int):
    response.set_cookie(
        name,
        value,
        max_age=max(max_age, 1),
        path=_path(hospital),
        secure=not settings.SOLACE_DEBUG,  # development mode: plain http
        httponly=True,
        samesite="Lax",
    )


# --- The intake ticket ------------------------------------------------------------------------
def encode(ticket: FormTicket) -> str:
    payload: dict[str, Any] = {
        "s": ticket.session_id,
        "h": ticket.hospital_id,
        "k": ticket.idempotency_key,
        "e": ticket.expires_at,
    }
    if ticket.patient_id:
        payload["p"] = ticket.patient_id
    if ticket.kiosk_id:
        payload["q"] = ticket.kiosk_id
    return signing.dumps(payload, salt=_TICKET_SALT, compress=True)


def decode(value: str | None, hospital: Hospital) -> FormTicket | None:
    """The browser's live ticket for this hospital, or None (absent, tampered, another
    hospital's or expired: the app's clock decides, like every other expiry)."""
    if not value or len(value) > 1024:
        return None
    try:
        payload = signing.loads(value, salt=_TICKET_SALT)
        ticket = FormTicket(
            session_id=str(payload["s"]),
            hospital_id=str(payload["h"]),
            idempotency_key=str(payload["k"]),
            expires_at=int(payload["e"]),
            patient_id=str(payload["p"]) if payload.get("p") else None,
            kiosk_id=str(payload["q"]) if payload.get("q") else None,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if (
        ticket.hospital_id != hospital.hospital_id
        or ticket.expires_at <= clock.now_epoch()
        or not plausible_session_id(ticket.session_id)
    ):
        return None
    return ticket


def read(request: HttpRequest, hospital: Hospital) -> FormTicket | None:
    return decode(request.COOKIES.get(INTAKE_COOKIE), hospital)


def attach(response: HttpResponse, hospital: Hospital, ticket: FormTicket) -> HttpResponse:
    _set(response, hospital, INTAKE_COOKIE, encode(ticket), ticket.expires_at - clock.now_epoch())
    return response


def forget(response: HttpResponse, hospital: Hospital) -> HttpResponse:
    response.delete_cookie(INTAKE_COOKIE, path=_path(hospital), samesite="Lax")
    return response


# --- The kiosk cookie -------------------------------------------------------------------------
def kiosk_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(device id, device secret) from the kiosk cookie, or None."""
    value = request.COOKIES.get(KIOSK_COOKIE)
    if not value or len(value) > 512:
        return None
    try:
        payload = signing.loads(value, salt=_KIOSK_SALT)
        return str(payload["d"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError):
        return None


def attach_kiosk(response: HttpResponse, hospital: Hospital, device_id: str, secret: str):
    value = signing.dumps({"d": device_id, "k": secret}, salt=_KIOSK_SALT)
    _set(response, hospital, KIOSK_COOKIE, value, KIOSK_COOKIE_SECONDS)
    return response
