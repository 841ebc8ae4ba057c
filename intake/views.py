"""Patient intake pages: the two-step form, the status page that follows the visit (and its
polled fragment), "my symptoms got worse", "I have left", "Done", and kiosk enrolment.

Opening the form writes nothing: the intake session travels in a signed cookie (intake.tickets)
until the registration transaction creates it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from functools import partial

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.domain import Hospital
from accounts.selectors import hospital_by_slug
from intake import selectors, services, tickets
from intake.domain import (
    INTAKE_SESSION_SECONDS,
    KIOSK_IDLE_SECONDS,
    KIOSK_SESSION_SECONDS,
    KIOSK_STATUS_SECONDS,
    KIOSK_WARNING_SECONDS,
    FormTicket,
    IdempotencyKeyReused,
    IntakeSession,
    IntakeSessionEnded,
    Kiosk,
    KioskLinkInvalid,
    PatientVisit,
    RegistrationLimited,
    WorseReportedRecently,
)
from intake.forms import IntakeForm
from solace import clock
from solace.context import RequestContext
from solace.views import error_page

INTAKE_COOKIE = tickets.INTAKE_COOKIE
# Bump when the status fragment changes shape, so pages holding an old ETag re-render.
VISIT_FRAGMENT_VERSION = "v1"


class KioskOff(Exception):
    """This device was a kiosk and an admin revoked it."""


def _hospital(slug: str) -> Hospital:
    hospital = hospital_by_slug(slug)
    if hospital is None:
        raise Http404
    return hospital


def _kiosk(request: HttpRequest, hospital: Hospital) -> Kiosk | None:
    """The enrolled kiosk this browser is, or None for a phone (or any other browser)."""
    credentials = tickets.kiosk_credentials(request)
    if credentials is None:
        return None
    kiosk = selectors.kiosk_of_device(hospital, *credentials)
    if kiosk is not None and kiosk.revoked_at:
        raise KioskOff
    return kiosk


def _device_page(view):
    """Resolve the hospital and the device (kiosk or not) for a patient page."""

    def wrapper(request: HttpRequest, hospital_slug: str, *args, **kwargs):
        hospital = _hospital(hospital_slug)
        try:
            kiosk = _kiosk(request, hospital)
        except KioskOff:
            context = {"hospital": hospital, "kiosk": None}
            return render(request, "intake/kiosk_off.html", context, status=403)
        return view(request, hospital, kiosk, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _form_url(hospital: Hospital, kiosk: Kiosk | None = None) -> str:
    url = reverse("intake:form", args=[hospital.slug])
    return f"{url}?fresh=1" if kiosk else url


def _status_url(hospital: Hospital) -> str:
    return reverse("intake:status", args=[hospital.slug])


def _base_context(hospital: Hospital, kiosk: Kiosk | None, **extra) -> dict:
    return {
        "hospital": hospital,
        "kiosk": kiosk,
        "kiosk_idle_seconds": KIOSK_IDLE_SECONDS,
        "kiosk_warning_seconds": KIOSK_WARNING_SECONDS,
        "kiosk_status_seconds": KIOSK_STATUS_SECONDS,
        "form_url": _form_url(hospital, kiosk),
        **extra,
    }


def _code_check(hospital: Hospital, kiosk: Kiosk | None):
    """A kiosk stands in the waiting room: only phones are asked for the day's code."""
    if not hospital.waiting_room_code or kiosk is not None:
        return None
    return partial(selectors.waiting_room_code_accepted, hospital)


def _render_step(
    request: HttpRequest,
    hospital: Hospital,
    kiosk: Kiosk | None,
    ticket: FormTicket,
    form: IntakeForm,
    step: int,
    *,
    status: int = 200,
    notice: str | None = None,
    new_ticket: bool = False,
) -> HttpResponse:
    errors = form.errors_of(step) if form.is_bound else []
    context = _base_context(
        hospital,
        kiosk,
        form=form,
        step=step,
        errors=errors,
        hidden=form.hidden_of(step),
        companion=form["registering_for"].value() == "someone_else",
        idempotency_key=ticket.idempotency_key,
        notice=notice,
    )
    response = render(request, "intake/form.html", context, status=status)
    if new_ticket:
        tickets.attach(response, hospital, ticket)
    return response


def _valid_key(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value or ""))
    except ValueError:
        return None


@never_cache
@require_http_methods(["GET", "POST"])
@_device_page
def intake_page(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    ticket = tickets.read(request, hospital)
    device_id = kiosk.device_id if kiosk else None
    if ticket is not None and ticket.kiosk_id != device_id:
        ticket = None  # minted before this browser became (or stopped being) a kiosk
    if request.method == "POST":
        return _post(request, hospital, kiosk, ticket)
    if ticket is not None and ticket.registered and kiosk is None:
        return HttpResponseRedirect(_status_url(hospital), status=303)
    # A kiosk never shows the previous person's page: a registered or reset ticket is replaced.
    fresh = ticket is None or ticket.registered or bool(kiosk and request.GET.get("fresh"))
    if fresh:
        ticket = services.new_ticket(hospital, device_id)
    form = IntakeForm(
        initial={"preferred_language": get_language(), "registering_for": "me"},
        code_check=_code_check(hospital, kiosk),
    )
    return _render_step(request, hospital, kiosk, ticket, form, 1, new_ticket=fresh)


def _post(
    request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None, ticket: FormTicket | None
) -> HttpResponse:
    data = request.POST
    new_ticket = ticket is None
    if ticket is None:  # timed out, cookies blocked, or another hospital's: start afresh
        ticket = services.new_ticket(hospital, kiosk.device_id if kiosk else None)
    form_kwargs = {"code_check": _code_check(hospital, kiosk)}
    step = {"1": 1, "2": 2}.get(data.get("step", ""))
    render_step = partial(_render_step, request, hospital, kiosk, ticket, new_ticket=new_ticket)

    if data.get("language"):
        return _switch_language(request, hospital, kiosk, ticket, new_ticket, step or 1)
    if data.get("back"):
        return render_step(IntakeForm.redisplay(data, **form_kwargs), 1)

    form = IntakeForm(data, **form_kwargs)
    if step == 1:  # "Next": only the first step's answers are checked
        if form.step_one_valid():
            return render_step(IntakeForm.redisplay(data, **form_kwargs), 2)
        if form.wrong_code and (limited := _count_wrong_code(request, hospital, kiosk)):
            return limited
        return render_step(form, 1, status=400)

    key = _valid_key(request.headers.get("Idempotency-Key") or data.get("idempotency_key"))
    if key is None:
        return error_page(
            request, 400, _("This form is missing its registration key. Reload the page.")
        )
    if not form.is_valid():
        if form.wrong_code and (limited := _count_wrong_code(request, hospital, kiosk)):
            return limited
        return render_step(form, form.step_with_errors(), status=400)
    if new_ticket:
        notice = _("Your page timed out. Please check your answers and press Register again.")
        return render_step(form, 2, status=400, notice=notice)
    return _register(request, hospital, kiosk, ticket, key, form)


def _register(
    request: HttpRequest,
    hospital: Hospital,
    kiosk: Kiosk | None,
    ticket: FormTicket,
    key: str,
    form: IntakeForm,
) -> HttpResponse:
    context = RequestContext.from_request(request)
    try:
        registration = services.intake_register(
            hospital=hospital,
            ticket=ticket,
            idempotency_key=key,
            answers=form.answers(),
            location=_status_url(hospital),
            context=context,
            address_hash=services.client_hash(context.client_address),
        )
    except IdempotencyKeyReused:
        message = _(
            "These answers differ from the registration already sent from this page. "
            "You are already registered: please ask at the front desk to change anything."
        )
        return error_page(request, 422, message)
    except RegistrationLimited:
        return _limited(request, hospital, kiosk)
    except IntakeSessionEnded:
        patient_id = ticket.patient_id
        if patient_id is None:
            session = selectors.intake_session(ticket.session_id, hospital)
            patient_id = session.patient_id if session is not None else None
        if patient_id is not None:  # this browser registered already: its status page
            return _to_status(hospital, ticket, patient_id)
        fresh = services.new_ticket(hospital, ticket.kiosk_id)
        notice = _("Your page timed out. Please check your answers and press Register again.")
        return _render_step(
            request, hospital, kiosk, fresh, form, 2, status=400, notice=notice, new_ticket=True
        )
    return _to_status(hospital, ticket, registration.patient_id, registration.location)


def _to_status(
    hospital: Hospital, ticket: FormTicket, patient_id: str, location: str | None = None
) -> HttpResponse:
    """To the status page, the cookie now naming the patient (one read per status poll)."""
    lifetime = KIOSK_SESSION_SECONDS if ticket.kiosk_id else INTAKE_SESSION_SECONDS
    registered = replace(ticket, patient_id=patient_id, expires_at=clock.now_epoch() + lifetime)
    response = HttpResponseRedirect(location or _status_url(hospital), status=303)
    return tickets.attach(response, hospital, registered)


def _count_wrong_code(
    request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None
) -> HttpResponse | None:
    """Wrong waiting-room codes count per address; past the limit, the front-desk page."""
    address = RequestContext.from_request(request).client_address
    try:
        services.intake_wrong_code(hospital, services.client_hash(address))
    except RegistrationLimited:
        return _limited(request, hospital, kiosk)
    return None


def _limited(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    """Nothing was written. The desk registers this person with the quick registration."""
    response = render(request, "intake/limited.html", _base_context(hospital, kiosk), status=429)
    response["Retry-After"] = str(hospital.registration_window_minutes * 60)
    return response


def _switch_language(
    request: HttpRequest,
    hospital: Hospital,
    kiosk: Kiosk | None,
    ticket: FormTicket,
    new_ticket: bool,
    step: int,
) -> HttpResponse:
    """The language buttons post the form: the same step comes back in the other language
    with every answer kept (nothing checked, nothing written)."""
    language = request.POST["language"]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    form = IntakeForm.redisplay(request.POST, code_check=_code_check(hospital, kiosk))
    response = _render_step(request, hospital, kiosk, ticket, form, step, new_ticket=new_ticket)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- The status page --------------------------------------------------------------------------
def _expired(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    if kiosk is not None:  # a kiosk goes back to a fresh form, never to anyone's page
        return HttpResponseRedirect(_form_url(hospital, kiosk), status=303)
    return render(request, "intake/expired.html", _base_context(hospital, kiosk))


def _registered_ticket(request: HttpRequest, hospital: Hospital) -> tuple[FormTicket | None, bool]:
    """The browser's ticket naming its patient, and whether it changed: a cookie from before
    the registration's answer came back (a lost response) is completed from the session."""
    ticket = tickets.read(request, hospital)
    if ticket is None or ticket.registered:
        return ticket, False
    session = selectors.intake_session(ticket.session_id, hospital)
    if session is None or not session.registered:
        return ticket, False
    lifetime = KIOSK_SESSION_SECONDS if ticket.kiosk_id else INTAKE_SESSION_SECONDS
    registered = replace(
        ticket, patient_id=session.patient_id, expires_at=clock.now_epoch() + lifetime
    )
    return registered, True


def _visit_etag(visit: PatientVisit) -> str:
    canonical = repr((VISIT_FRAGMENT_VERSION, get_language(), visit.fingerprint()))
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _status_context(hospital, kiosk, session: IntakeSession, visit: PatientVisit, **extra):
    return _base_context(
        hospital,
        kiosk,
        session=session,
        visit=visit,
        etag=_visit_etag(visit),
        poll_seconds=settings.SOLACE_STATUS_POLL_SECONDS,
        **extra,
    )


@never_cache
@require_GET
@_device_page
def status_page(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    ticket, completed = _registered_ticket(request, hospital)
    if ticket is None:
        return _expired(request, hospital, kiosk)
    if not ticket.registered:
        return HttpResponseRedirect(_form_url(hospital, kiosk))
    found = selectors.visit_of(ticket, hospital, get_language())
    if found is None:
        return _expired(request, hospital, kiosk)
    session, visit = found
    context = _status_context(
        hospital,
        kiosk,
        session,
        visit,
        worse=request.GET.get("worse"),
        left=request.GET.get("left"),
    )
    response = render(request, "intake/status.html", context)
    return tickets.attach(response, hospital, ticket) if completed else response


@never_cache
@require_GET
@_device_page
def status_visit(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    """The polled part of the status page: one BatchGetItem, and 204 when nothing changed.
    410 when the session has ended (the page then reloads into "expired" or a fresh form)."""
    ticket = tickets.read(request, hospital)
    found = selectors.visit_of(ticket, hospital, get_language()) if ticket else None
    if found is None:
        return HttpResponse(status=410)
    session, visit = found
    etag = _visit_etag(visit)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=204)
    else:
        context = _status_context(hospital, kiosk, session, visit)
        response = render(request, "intake/status.html#visit", context)
    response["ETag"] = etag
    return response


def _reported_session(request: HttpRequest, hospital: Hospital) -> IntakeSession | None:
    """The registered session the cookie names. Nothing is read: the transaction that records
    the report checks the session (live, this patient) itself."""
    ticket = tickets.read(request, hospital)
    if ticket is None or not ticket.registered:
        return None
    return IntakeSession(
        session_id=ticket.session_id,
        hospital_id=hospital.hospital_id,
        idempotency_key=ticket.idempotency_key,
        expires_at=ticket.expires_at,
        patient_id=ticket.patient_id,
    )


@require_POST
@_device_page
def report_worse(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    session = _reported_session(request, hospital)
    if session is None:
        return render(request, "intake/expired.html", _base_context(hospital, kiosk), status=410)
    try:
        services.intake_report_worse(
            hospital=hospital, session=session, context=RequestContext.from_request(request)
        )
        outcome = "sent"
    except WorseReportedRecently:
        outcome = "recent"
    except IntakeSessionEnded:
        outcome = "closed"
    return HttpResponseRedirect(f"{_status_url(hospital)}?worse={outcome}", status=303)


@require_POST
@_device_page
def report_left(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    """ "I have left": staff see a flag on the queue and decide."""
    session = _reported_session(request, hospital)
    if session is None:
        return render(request, "intake/expired.html", _base_context(hospital, kiosk), status=410)
    try:
        reported = services.intake_report_left(
            hospital=hospital, session=session, context=RequestContext.from_request(request)
        )
        outcome = "sent" if reported else "already"
    except IntakeSessionEnded:
        outcome = "closed"
    return HttpResponseRedirect(f"{_status_url(hospital)}?left={outcome}", status=303)


@require_POST
@_device_page
def finish(request: HttpRequest, hospital: Hospital, kiosk: Kiosk | None) -> HttpResponse:
    """ "Done": the intake session ends on the server too, and this device is cleared."""
    session = _reported_session(request, hospital)
    if session is not None:
        services.intake_finish(
            hospital=hospital, session=session, context=RequestContext.from_request(request)
        )
    response = HttpResponseRedirect(_form_url(hospital, kiosk), status=303)
    return tickets.forget(response, hospital)


# --- Kiosk enrolment --------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_enrol(request: HttpRequest, hospital_slug: str, token: str) -> HttpResponse:
    """An admin opens the kiosk's one-time link on the device: GET shows what it will become,
    POST makes it that kiosk (its cookie), audited. A used, expired or revoked link is a 404."""
    hospital = _hospital(hospital_slug)
    try:
        kiosk = services.kiosk_for_link(hospital, token)
        if request.method == "GET":
            context = {"hospital": hospital, "kiosk": kiosk, "token": token}
            return render(request, "intake/kiosk_enrol.html", context)
        kiosk, secret = services.kiosk_enrol(
            hospital=hospital, token=token, context=RequestContext.from_request(request)
        )
    except KioskLinkInvalid:
        context = {"hospital": hospital, "kiosk": None}
        return render(request, "intake/kiosk_link_invalid.html", context, status=404)
    response = HttpResponseRedirect(_form_url(hospital, kiosk), status=303)
    tickets.forget(response, hospital)
    return tickets.attach_kiosk(response, hospital, kiosk.device_id, secret)
