"""Patient intake pages: the form, the status page, "my symptoms got worse", finish."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.domain import Hospital
from accounts.selectors import hospital_by_slug
from intake import selectors, services
from intake.domain import (
    INTAKE_SESSION_SECONDS,
    IdempotencyKeyReused,
    IntakeSession,
    IntakeSessionEnded,
    WorseReportedRecently,
)
from intake.forms import IntakeForm
from solace.context import RequestContext
from solace.views import error_page

INTAKE_COOKIE = "solace_intake"


def _hospital(slug: str) -> Hospital:
    hospital = hospital_by_slug(slug)
    if hospital is None:
        raise Http404
    return hospital


def _set_session_cookie(response: HttpResponse, hospital: Hospital, session: IntakeSession):
    response.set_cookie(
        INTAKE_COOKIE,
        session.session_id,
        max_age=INTAKE_SESSION_SECONDS,
        path=f"/h/{hospital.slug}/",
        secure=not settings.SOLACE_DEBUG,  # development mode: plain http
        httponly=True,
        samesite="Lax",
    )


def _status_url(hospital: Hospital) -> str:
    return reverse("intake:status", args=[hospital.slug])


def _render_form(request, hospital, session, form, status=200, notice=None) -> HttpResponse:
    context = {
        "hospital": hospital,
        "form": form,
        "idempotency_key": session.idempotency_key,
        "notice": notice,
    }
    response = render(request, "intake/form.html", context, status=status)
    _set_session_cookie(response, hospital, session)
    return response


def _valid_key(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value or ""))
    except ValueError:
        return None


@never_cache
@require_http_methods(["GET", "POST"])
def intake_page(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    hospital = _hospital(hospital_slug)
    session_id = request.COOKIES.get(INTAKE_COOKIE)
    if request.method == "POST":
        return _submit(request, hospital, session_id)
    session = selectors.intake_session(session_id, hospital)
    if session is None:
        session = services.intake_session_start(hospital)
    elif session.registered:
        return HttpResponseRedirect(_status_url(hospital), status=303)
    form = IntakeForm(initial={"preferred_language": get_language()})
    return _render_form(request, hospital, session, form)


def _submit(request: HttpRequest, hospital: Hospital, session_id: str | None) -> HttpResponse:
    """Validate, then one transaction. The intake session is not read first: the transaction's
    condition checks it, so a duplicate submission costs exactly one DynamoDB request."""
    key = _valid_key(request.headers.get("Idempotency-Key") or request.POST.get("idempotency_key"))
    if key is None:
        return error_page(
            request, 400, _("This form is missing its registration key. Reload the page.")
        )
    form = IntakeForm(request.POST)
    if not form.is_valid():
        session = selectors.intake_session(session_id, hospital)
        if session is None:
            session = services.intake_session_start(hospital)
        return _render_form(request, hospital, session, form, status=400)
    try:
        registration = services.intake_register(
            hospital=hospital,
            session_id=session_id or "",
            idempotency_key=key,
            answers=form.answers(),
            location=_status_url(hospital),
            context=RequestContext.from_request(request),
        )
    except IdempotencyKeyReused:
        message = _(
            "These answers differ from the registration already sent from this page. "
            "You are already registered: please ask at the front desk to change anything."
        )
        return error_page(request, 422, message)
    except IntakeSessionEnded:
        session = selectors.intake_session(session_id, hospital)
        if session is not None and session.registered:
            return HttpResponseRedirect(_status_url(hospital), status=303)
        # Timed out (or cookies blocked) while filling in: keep the answers, start afresh.
        session = services.intake_session_start(hospital)
        notice = _("Your page timed out. Please check your answers and press Register again.")
        return _render_form(request, hospital, session, form, status=400, notice=notice)
    return HttpResponseRedirect(registration.location, status=303)


@never_cache
@require_GET
def status_page(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    hospital = _hospital(hospital_slug)
    session = selectors.intake_session(request.COOKIES.get(INTAKE_COOKIE), hospital)
    if session is None:
        return render(request, "intake/expired.html", {"hospital": hospital})
    if not session.registered:
        return HttpResponseRedirect(reverse("intake:form", args=[hospital.slug]))
    context = {"hospital": hospital, "session": session, "worse": request.GET.get("worse")}
    return render(request, "intake/status.html", context)


@require_POST
def report_worse(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    hospital = _hospital(hospital_slug)
    session = selectors.intake_session(request.COOKIES.get(INTAKE_COOKIE), hospital)
    if session is None or not session.registered:
        return render(request, "intake/expired.html", {"hospital": hospital}, status=410)
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
def finish(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    """End the intake session on this device (a kiosk, or a shared phone)."""
    hospital = _hospital(hospital_slug)
    response = HttpResponseRedirect(reverse("intake:form", args=[hospital.slug]), status=303)
    response.delete_cookie(INTAKE_COOKIE, path=f"/h/{hospital.slug}/", samesite="Lax")
    return response
