"""The clinician cockpit: the live queue (page + polled fragment), the locked view, patient
detail and actions, waiting-room displays and their board."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import services as accounts_services
from accounts.decorators import not_found, require_role_at, role_required
from accounts.domain import CLINICAL_ROLES, DeviceKind, Hospital, Role
from accounts.middleware import passive
from accounts.selectors import hospital_by_id, hospital_by_slug, hospital_cached, staff_hospitals
from audit.domain import Action
from cockpit import selectors, services
from cockpit.domain import (
    QUEUE_FILTER_HINTS,
    QUEUE_FILTER_LABELS,
    ActionRefused,
    PatientRecord,
)
from cockpit.forms import (
    AcknowledgeForm,
    AcuityForm,
    AssignForm,
    CallCancelForm,
    CallForm,
    CallNoAnswerForm,
    CloseForm,
    DisplayForm,
    DuplicateForm,
    FindingsForm,
    IdentityForm,
    IsolationForm,
    NotDuplicateForm,
    QuickArrivalForm,
    ReopenForm,
    ReviewForm,
    RoomForm,
    StatusForm,
    VersionedForm,
    VitalsForm,
)
from intake import selectors as intake_selectors
from intake import services as intake_services
from intake.domain import IdempotencyKeyReused
from patients.domain import ENDED, Patient, QueueState, Status, VersionConflict
from solace import metrics
from solace.context import RequestContext

HOSPITAL_SESSION_KEY = "cockpit_hospital_id"
FILTER_COOKIE = "solace_queue_filter"  # the queue filter, remembered per workstation (browser)
FILTER_COOKIE_SECONDS = 365 * 24 * 3600
ALL_ROLES = tuple(Role)
clinicians_only = role_required(*CLINICAL_ROLES)
open_while_locked = role_required(*ALL_ROLES, when_locked=True)
DISPLAY_ROLES = (Role.CHARGE_NURSE, Role.ADMIN)  # who makes and revokes display links
display_managers = role_required(*DISPLAY_ROLES)


def _chosen_hospital_id(request: HttpRequest) -> str | None:
    """The hospital this session works at (of those where this staff member is a clinician):
    chosen in this session, else the one they chose last time (remembered on their account),
    else their only one."""
    staff = request.staff
    clinical = staff.hospitals_with(*CLINICAL_ROLES)
    for hospital_id in (request.session.get(HOSPITAL_SESSION_KEY), staff.last_hospital_id):
        if hospital_id and hospital_id in clinical:
            return hospital_id
    if len(clinical) == 1:
        return next(iter(clinical))
    return None


def _chosen_hospital(request: HttpRequest) -> Hospital | None:
    hospital_id = _chosen_hospital_id(request)
    return hospital_by_id(hospital_id) if hospital_id else None


def _queue_filter(request: HttpRequest) -> str:
    wanted = request.GET.get("filter") or request.COOKIES.get(FILTER_COOKIE) or "all"
    return wanted if wanted in QUEUE_FILTER_LABELS else "all"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _primed_queue_state(request: HttpRequest, hospital_id: str) -> QueueState | None:
    """A poll's one request: the hospital's queue state and this browser's session in one
    BatchGetItem; the session engine is handed the item, so it reads nothing itself."""
    session_key = request.session.session_key
    if not session_key or not hospital_id or len(hospital_id) > 64:
        return None
    state, session_item = selectors.queue_state_and_session(hospital_id, session_key)
    request.session.prime(session_item)
    return state


def _audit_rows(request, hospital_id: str, snapshot, view: str = "queue", also=()) -> None:
    services.queue_displayed(
        request.staff,
        hospital_id,
        [entry.row.patient_id for entry in snapshot.rows] + list(also),
        RequestContext.from_request(request),
        view=view,
    )
    metrics.count(metrics.QUEUE_RENDERS, HospitalId=hospital_id)


def _etag_parts(request: HttpRequest, queue_filter: str) -> tuple[str, ...]:
    return (queue_filter, request.GET.get("after", ""), request.staff.staff_id)


def _rows_url(hospital_id: str, queue_filter: str, after: str | None) -> str:
    query = f"?hospital={hospital_id}&filter={queue_filter}"
    if after:
        query += f"&after={after}"
    return reverse("cockpit:queue_rows") + query


# --- The queue ---------------------------------------------------------------------------------
@require_GET
@clinicians_only
def queue_page(request: HttpRequest) -> HttpResponse:
    hospitals = staff_hospitals(request.staff, CLINICAL_ROLES)
    hospital_id = _chosen_hospital_id(request)
    hospital = next((h for h in hospitals if h.hospital_id == hospital_id), None)
    if hospital is None:
        return render(request, "cockpit/choose_hospital.html", {"hospitals": hospitals})
    queue_filter = _queue_filter(request)
    state = selectors.queue_state(hospital.hospital_id)
    etag = selectors.queue_etag("queue", state, *_etag_parts(request, queue_filter))
    snapshot = selectors.queue(
        hospital,
        state,
        queue_filter=queue_filter,
        staff_id=request.staff.staff_id,
        cursor=request.GET.get("after"),
        etag=etag,
    )
    ended = _ended_notice(request, hospital)
    shown_ended = [ended["patient"].patient_id] if ended else []
    _audit_rows(request, hospital.hospital_id, snapshot, also=shown_ended)
    context = {
        "hospital": hospital,
        "hospitals": hospitals,
        "snapshot": snapshot,
        "filters": QUEUE_FILTER_LABELS,
        "filter_hints": QUEUE_FILTER_HINTS,
        "rows_url": _rows_url(hospital.hospital_id, queue_filter, request.GET.get("after")),
        "ended": ended,
        "can_manage_displays": request.staff.has_role_at(
            hospital.hospital_id, Role.CHARGE_NURSE, Role.ADMIN
        ),
    }
    response = render(request, "cockpit/queue.html", context)
    response["ETag"] = etag
    if "filter" in request.GET:
        response.set_cookie(
            FILTER_COOKIE,
            queue_filter,
            max_age=FILTER_COOKIE_SECONDS,
            path="/cockpit/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return _no_store(response)


def _ended_notice(request: HttpRequest, hospital: Hospital) -> dict | None:
    """After a visit was ended from its page: what happened, and an undo while it is allowed."""
    patient_id = request.GET.get("ended", "")
    if not patient_id:
        return None
    patient = selectors.patient_for(request.staff, patient_id)
    if patient is None or patient.hospital_id != hospital.hospital_id or not patient.ended:
        return None
    return {
        "patient": patient,
        "can_undo": services.can_undo_end(request.staff, patient),
        "seconds_left": services.undo_seconds_left(patient),
        "undo_form": ReopenForm(patient=patient, staff=request.staff, hospital=hospital),
    }


@require_POST
@clinicians_only
def choose_hospital(request: HttpRequest) -> HttpResponse:
    hospital_id = request.POST.get("hospital_id", "")
    require_role_at(request, hospital_id, *CLINICAL_ROLES)
    request.session[HOSPITAL_SESSION_KEY] = hospital_id
    accounts_services.staff_choose_hospital(request.staff, hospital_id)
    return HttpResponseRedirect(reverse("cockpit:queue_page"), status=303)


@passive
@require_GET
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The polled fragment. Unchanged: ONE DynamoDB request (session and queue state in one
    BatchGetItem), no Query, nothing written, 204. The hospital is the page's (in the URL),
    so a tab never shows another hospital's queue."""
    hospital_id = request.GET.get("hospital", "")
    state = _primed_queue_state(request, hospital_id)
    return _queue_rows(request, hospital_id, state)


@clinicians_only
def _queue_rows(request: HttpRequest, hospital_id: str, state: QueueState | None):
    if not hospital_id or state is None:
        return HttpResponseClientRedirect(reverse("cockpit:queue_page"))
    require_role_at(request, hospital_id, *CLINICAL_ROLES)
    queue_filter = _queue_filter(request)
    etag = selectors.queue_etag("queue", state, *_etag_parts(request, queue_filter))
    if request.headers.get("If-None-Match") == etag:
        metrics.count(metrics.QUEUE_NOT_MODIFIED, HospitalId=hospital_id)
        response = _no_store(HttpResponse(status=204))
        response["ETag"] = etag
        return response
    hospital = hospital_cached(hospital_id)
    snapshot = selectors.queue(
        hospital,
        state,
        queue_filter=queue_filter,
        staff_id=request.staff.staff_id,
        cursor=request.GET.get("after"),
        etag=etag,
    )
    _audit_rows(request, hospital_id, snapshot)
    context = {
        "hospital": hospital,
        "snapshot": snapshot,
        "filters": QUEUE_FILTER_LABELS,
        "filter_hints": QUEUE_FILTER_HINTS,
    }
    response = render(request, "cockpit/queue.html#rows", context)
    response["ETag"] = etag
    return _no_store(response)


# --- Locked view: idle too long, de-identified, still polling ------------------------------
def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@require_GET
@open_while_locked
def locked_page(request: HttpRequest) -> HttpResponse:
    """What an idle screen shows: codes, levels and waits only, kept current, and a way back
    to the page it was on with the password. Not locked (any more): straight back."""
    back = _safe_next(request)
    if not request.session.locked:
        return HttpResponseRedirect(back, status=303)
    hospital = _chosen_hospital(request)  # None unless a clinician somewhere
    context: dict[str, Any] = {
        "next": back,
        "hospital": hospital,
        "idle": _duration(settings.SOLACE_SESSION_IDLE_SECONDS),
        "error": request.GET.get("error", ""),
    }
    if hospital is not None:
        state = selectors.queue_state(hospital.hospital_id)
        etag = selectors.queue_etag("locked", state, request.staff.staff_id)
        snapshot = selectors.queue(
            hospital, state, queue_filter="all", staff_id="", cursor=None, etag=etag
        )
        _audit_rows(request, hospital.hospital_id, snapshot, view="locked")
        context["snapshot"] = snapshot
        context["rows_url"] = (
            reverse("cockpit:locked_rows")
            + f"?hospital={hospital.hospital_id}&next={quote(back, safe='')}"
        )
    return _no_store(render(request, "cockpit/locked.html", context))


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours"


@passive
@require_GET
def locked_rows(request: HttpRequest) -> HttpResponse:
    hospital_id = request.GET.get("hospital", "")
    state = _primed_queue_state(request, hospital_id)
    return _locked_rows(request, hospital_id, state)


@open_while_locked
def _locked_rows(request: HttpRequest, hospital_id: str, state: QueueState | None):
    if not request.session.locked:  # unlocked in another tab: back to work here too
        return HttpResponseClientRedirect(_safe_next(request))
    if state is None or not request.staff.has_role_at(hospital_id, *CLINICAL_ROLES):
        return _no_store(HttpResponse(status=204))
    etag = selectors.queue_etag("locked", state, request.staff.staff_id)
    if request.headers.get("If-None-Match") == etag:
        response = _no_store(HttpResponse(status=204))
        response["ETag"] = etag
        return response
    hospital = hospital_cached(hospital_id)
    snapshot = selectors.queue(
        hospital, state, queue_filter="all", staff_id="", cursor=None, etag=etag
    )
    _audit_rows(request, hospital_id, snapshot, view="locked")
    context = {"hospital": hospital, "snapshot": snapshot}
    response = render(request, "cockpit/locked.html#locked_rows", context)
    response["ETag"] = etag
    return _no_store(response)


# --- Waiting-room displays -------------------------------------------------------------------
def _display_hospital(request: HttpRequest) -> tuple[Hospital | None, list[Hospital]]:
    """The hospital whose displays are managed: one where this person is a charge nurse or an
    admin (another hospital's id is a 404, as if it did not exist)."""
    hospitals = staff_hospitals(request.staff, DISPLAY_ROLES)
    wanted = request.GET.get("hospital") or request.POST.get("hospital") or ""
    chosen = _chosen_hospital_id(request)
    if not wanted and chosen and request.staff.has_role_at(chosen, *DISPLAY_ROLES):
        wanted = chosen
    hospital = next((h for h in hospitals if h.hospital_id == wanted), None)
    if hospital is None and wanted:
        raise not_found(request, detail=f"displays hospital={wanted[:64]}")
    if hospital is None and len(hospitals) == 1:
        hospital = hospitals[0]
    return hospital, hospitals


def _board_url(request: HttpRequest, hospital: Hospital, device_id: str, secret: str) -> str:
    path = reverse("cockpit:board", args=[hospital.slug]) + f"?key={device_id}.{secret}"
    return request.build_absolute_uri(path)


@require_http_methods(["GET", "POST"])
@display_managers
def displays(request: HttpRequest) -> HttpResponse:
    """Charge nurses and admins name a display link per waiting-room screen; it works until
    revoked here. The link (with its secret) is shown once, when it is made."""
    hospital, hospitals = _display_hospital(request)
    context: dict[str, Any] = {"hospital": hospital, "hospitals": hospitals}
    status = 200
    form = DisplayForm(request.POST or None)
    if request.method == "POST" and hospital is not None:
        request_context = RequestContext.from_request(request)
        if "revoke" in request.POST:
            revoked = accounts_services.device_revoke(
                hospital=hospital,
                device_id=request.POST["revoke"][:64],
                kind=DeviceKind.DISPLAY,
                staff=request.staff,
                context=request_context,
            )
            context["revoked"] = revoked
            form = DisplayForm()
            if revoked is None:
                status = 404
        elif form.is_valid():
            device, secret = accounts_services.device_create(
                hospital=hospital,
                kind=DeviceKind.DISPLAY,
                name=form.cleaned_data["name"],
                staff=request.staff,
                context=request_context,
            )
            context["created"] = device
            context["created_url"] = _board_url(request, hospital, device.device_id, secret)
            form = DisplayForm()
        else:
            status = 400
    if hospital is not None:
        context["devices"] = selectors.displays(hospital.hospital_id)
    context["form"] = form
    return _no_store(render(request, "cockpit/displays.html", context, status=status))


def _board_hospital(request: HttpRequest, hospital_slug: str) -> tuple[Hospital, QueueState]:
    """The hospital of a live display link (device id and secret in `key`), and its queue
    state, in one BatchGetItem. A revoked link is a 410 the screen explains; anything else
    that is not a live link of this hospital is a 404."""
    hospital = hospital_by_slug(hospital_slug)
    device_id, _, secret = request.GET.get("key", "").partition(".")
    if hospital is None or not device_id or not secret or len(device_id) > 64:
        raise Http404
    state, device = selectors.queue_state_and_display(hospital.hospital_id, device_id)
    if (
        device is None
        or device.kind != DeviceKind.DISPLAY
        or device.hospital_id != hospital.hospital_id
        or not accounts_services.device_secret_matches(device, secret)
    ):
        raise Http404
    if not device.active:
        raise DisplayRevoked(hospital)
    return hospital, state


class DisplayRevoked(Exception):
    def __init__(self, hospital: Hospital):
        super().__init__("display link revoked")
        self.hospital = hospital


def _revoked(request: HttpRequest, revoked: DisplayRevoked) -> HttpResponse:
    response = render(request, "cockpit/board_revoked.html", {"hospital": revoked.hospital})
    response.status_code = 410
    if request.htmx:
        response["HX-Refresh"] = "true"  # the whole screen says so, not a corner of it
    return _no_store(response)


@require_GET
def board_page(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    try:
        hospital, state = _board_hospital(request, hospital_slug)
    except DisplayRevoked as revoked:
        return _revoked(request, revoked)
    code = intake_selectors.waiting_room_code(hospital)
    etag = selectors.queue_etag("board", state, code or "")
    context = {
        "hospital": hospital,
        "board": selectors.board(hospital.hospital_id),
        "key": request.GET["key"],
        "waiting_room_code": code,
    }
    response = render(request, "cockpit/board.html", context)
    response["ETag"] = etag
    return _no_store(response)


@require_GET
def board_rows(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    try:
        hospital, state = _board_hospital(request, hospital_slug)
    except DisplayRevoked as revoked:
        return _revoked(request, revoked)
    # The waiting-room code of the day (issue 14) is part of the ETag: it changes on screen at
    # midnight even when the queue does not.
    code = intake_selectors.waiting_room_code(hospital)
    etag = selectors.queue_etag("board", state, code or "")
    if request.headers.get("If-None-Match") == etag:
        response = _no_store(HttpResponse(status=204))
        response["ETag"] = etag
        return response
    context = {
        "hospital": hospital,
        "board": selectors.board(hospital.hospital_id),
        "waiting_room_code": code,
    }
    response = render(request, "cockpit/board.html#rows", context)
    response["ETag"] = etag
    return _no_store(response)


# --- Patient detail and actions ---------------------------------------------------------------
def _patient_or_404(request: HttpRequest, patient_id: str) -> Patient:
    patient = selectors.patient_for(request.staff, patient_id)
    if patient is None:
        # Another hospital's patient looks like no patient at all; the attempt is audited.
        raise not_found(request, patient_id=patient_id)
    return patient


def _render_patient(
    request: HttpRequest,
    record: PatientRecord,
    *,
    bound: VersionedForm | None = None,
    conflict: dict | None = None,
    refused: str | None = None,
    saved: str | None = None,
    status: int = 200,
) -> HttpResponse:
    patient = record.patient
    hospital = hospital_by_id(patient.hospital_id)
    forms = {
        name: form_class(patient=patient, staff=request.staff, hospital=hospital)
        for name, (form_class, _, _) in ACTIONS.items()
    }
    if bound is not None:
        forms[bound.action] = bound
    elif request.GET.get("correct"):
        forms["vitals"].correcting(request.GET["correct"])
    context = {
        "record": record,
        "patient": patient,
        "hospital": hospital,
        "forms": forms,
        "conflict": conflict,
        "refused": refused,
        "saved": saved,
        "can_undo": services.can_undo_end(request.staff, patient),
        "undo_seconds_left": services.undo_seconds_left(patient),
        **selectors.patient_page(record, hospital),
    }
    return _no_store(render(request, "cockpit/patient.html", context, status=status))


@require_GET
@clinicians_only
def patient_page(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = _patient_or_404(request, patient_id)
    record = selectors.patient_record(request.staff, patient)
    services.patient_viewed(request.staff, patient, RequestContext.from_request(request), record)
    hospital = hospital_by_id(patient.hospital_id)
    saved = selectors.saved_message(request.GET.get("saved", ""), patient, hospital)
    return _render_patient(request, record, saved=saved)


@require_GET
@clinicians_only
def confirm_end(request: HttpRequest, patient_id: str) -> HttpResponse:
    """ "Discharged: end this visit?" Nothing is written until the clinician says yes. A visit
    that has ended meanwhile (or a Back after it ended) shows its record instead."""
    patient = _patient_or_404(request, patient_id)
    hospital = hospital_by_id(patient.hospital_id)
    form = StatusForm(
        {**request.GET.dict(), "confirmed": ""},
        patient=patient,
        staff=request.staff,
        hospital=hospital,
    )
    if patient.ended or not form.is_valid() or not form.ends_visit:
        return HttpResponseRedirect(reverse("cockpit:patient", args=[patient_id]), status=303)
    # The question names the patient: a read like any other.
    services.patient_viewed(request.staff, patient, RequestContext.from_request(request))
    context = {
        "patient": patient,
        "hospital": hospital,
        "form": form,
        "status_label": dict(form.fields["status"].choices)[form.cleaned_data["status"]],
    }
    return _no_store(render(request, "cockpit/confirm_end.html", context))


# Each action's service call, given the validated form (it carries patient, staff, hospital).
Handler = Callable[[VersionedForm, RequestContext], Any]


def _record_vitals(form: VitalsForm, context: RequestContext):
    return services.patient_record_vitals(
        form.staff,
        form.patient,
        form.cleaned_data["version"],
        form.values(),
        form.taken_at_iso(form.hospital),
        context,
        corrects=form.cleaned_data["corrects"],
    )


def _record_findings(form: FindingsForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_record_findings(
        form.staff, form.patient, data["version"], data["findings"], context
    )


def _complete_identity(form: IdentityForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_complete_identity(
        form.staff,
        form.patient,
        data["version"],
        data["given_name"],
        data["family_name"],
        data["date_of_birth"],
        context,
    )


def _acknowledge(form: AcknowledgeForm, context: RequestContext):
    return services.patient_acknowledge_alert(
        form.staff, form.patient, form.cleaned_data["version"], context
    )


def _set_acuity(form: AcuityForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_set_acuity(
        form.staff, form.patient, data["version"], data["level"], data["reason"], context
    )


def _assign_room(form: RoomForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_assign_room(
        form.staff, form.patient, data["version"], data["room"], context
    )


def _assign_staff(form: AssignForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_assign_staff(
        form.staff,
        form.hospital,
        form.patient,
        data["version"],
        data["slot"],
        data["staff_id"],
        context,
    )


def _change_status(form: StatusForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_change_status(
        form.staff, form.patient, data["version"], Status(data["status"]), context
    )


def _set_isolation(form: IsolationForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_set_isolation(
        form.staff, form.patient, data["version"], data["isolation"], context
    )


def _link_duplicate(form: DuplicateForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_link_duplicate(
        form.staff, form.patient, data["version"], data["keep"] == "this", context
    )


def _not_duplicate(form: NotDuplicateForm, context: RequestContext):
    return services.patient_dismiss_duplicate(
        form.staff, form.patient, form.cleaned_data["version"], context
    )


def _call(form: CallForm, context: RequestContext):
    return services.patient_call(
        form.staff, form.patient, form.cleaned_data["version"], form.call_place(), context
    )


def _call_no_answer(form: CallNoAnswerForm, context: RequestContext):
    return services.patient_call_not_answered(
        form.staff, form.patient, form.cleaned_data["version"], context
    )


def _call_cancel(form: CallCancelForm, context: RequestContext):
    return services.patient_call_cancel(
        form.staff, form.patient, form.cleaned_data["version"], context
    )


def _close(form: CloseForm, context: RequestContext):
    data = form.cleaned_data
    return services.patient_close_not_a_patient(
        form.staff, form.patient, data["version"], data["reason"], context
    )


def _reopen(form: ReopenForm, context: RequestContext):
    """Undo any ending: a closure (not a patient, duplicate) whenever, a disposition within
    UNDO_SECONDS by whoever ended it or a charge nurse (the service checks)."""
    return services.patient_undo_ending(
        form.staff, form.patient, form.cleaned_data["version"], context, allowed=ENDED
    )


# Calling, "not a patient" and its undo (issue 14): from the queue row they answer htmx with
# 204 and refresh the rows; without JavaScript they come back to the queue.
QUEUE_ROW_ACTIONS = frozenset({"acknowledge", "call", "call_no_answer", "call_cancel"})

# Action name in the URL -> its form, its service call, and the audit action its failed
# attempts are filed under.
ACTIONS: dict[str, tuple[type[VersionedForm], Handler, Action]] = {
    "acknowledge": (AcknowledgeForm, _acknowledge, Action.ALERT_ACKNOWLEDGED),
    "vitals": (VitalsForm, _record_vitals, Action.VITALS_RECORDED),
    "findings": (FindingsForm, _record_findings, Action.FINDINGS_RECORDED),
    "identity": (IdentityForm, _complete_identity, Action.IDENTITY_COMPLETED),
    "acuity": (AcuityForm, _set_acuity, Action.ACUITY_CONFIRMED),
    "room": (RoomForm, _assign_room, Action.ROOM_ASSIGNED),
    "assign": (AssignForm, _assign_staff, Action.STAFF_ASSIGNED),
    "status": (StatusForm, _change_status, Action.STATUS_CHANGED),
    "isolation": (IsolationForm, _set_isolation, Action.ISOLATION_SET),
    "duplicate": (DuplicateForm, _link_duplicate, Action.DUPLICATE_LINKED),
    "distinct": (NotDuplicateForm, _not_duplicate, Action.DUPLICATE_DISMISSED),
    "call": (CallForm, _call, Action.PATIENT_CALLED),
    "call_no_answer": (CallNoAnswerForm, _call_no_answer, Action.CALL_NOT_ANSWERED),
    "call_cancel": (CallCancelForm, _call_cancel, Action.CALL_CANCELLED),
    "close": (CloseForm, _close, Action.CLOSED_NOT_A_PATIENT),
    "reopen": (ReopenForm, _reopen, Action.REOPENED),
}


@require_POST
@clinicians_only
def patient_action(request: HttpRequest, patient_id: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    patient = _patient_or_404(request, patient_id)
    form_class, handler, audit_action = ACTIONS[action]
    hospital = hospital_by_id(patient.hospital_id)
    form = form_class(request.POST, patient=patient, staff=request.staff, hospital=hospital)
    context = RequestContext.from_request(request)

    def failed(outcome: str, current: Patient) -> PatientRecord:
        record = selectors.patient_record(request.staff, current)
        services.patient_action_failed(
            request.staff, current, audit_action, outcome, context, record
        )
        return record

    if not form.is_valid():
        return _render_patient(request, failed("invalid", patient), bound=form, status=400)
    if isinstance(form, StatusForm) and form.ends_visit and not form.cleaned_data["confirmed"]:
        # Ending a visit asks first (a page of its own: Back never re-sends a form).
        query = urlencode(
            {"status": form.cleaned_data["status"], "version": form.cleaned_data["version"]}
        )
        target = reverse("cockpit:confirm_end", args=[patient_id]) + "?" + query
        return HttpResponseRedirect(target, status=303)
    try:
        stored = handler(form, context)
    except VersionConflict as conflict:
        current = conflict.current or patient
        notice = {"by": current.updated_by_name or "someone", "at": current.updated_at}
        return _render_patient(request, failed("conflict", current), conflict=notice, status=409)
    except ActionRefused as refused:
        record = failed("denied", patient)
        return _render_patient(request, record, refused=str(refused), status=400)
    if action == "status" and isinstance(stored, Patient) and stored.ended:
        # The visit ended: back to the queue, which says so and offers the undo.
        target = reverse("cockpit:queue_page") + f"?ended={stored.patient_id}"
        return HttpResponseRedirect(target, status=303)
    if action in QUEUE_ROW_ACTIONS and request.htmx:
        # From the queue: the poller refreshes the rows at once and the page says what happened.
        current = stored if isinstance(stored, Patient) else patient
        message = selectors.saved_message(action, current, hospital)
        if current.check_in_code not in message:  # which row: its code, never a name
            message = f"{message.rstrip('.')}: check-in code {current.check_in_code}."
        trigger = {"queue-changed": "", "solace-saved": {"message": message}}
        return HttpResponse(status=204, headers={"HX-Trigger": json.dumps(trigger)})
    if action in QUEUE_ROW_ACTIONS and request.POST.get("return_to") == "queue":
        return HttpResponseRedirect(reverse("cockpit:queue_page"), status=303)
    shown = stored.patient_id if isinstance(stored, Patient) else patient_id
    target = reverse("cockpit:patient", args=[shown]) + f"?saved={action}"
    return HttpResponseRedirect(target, status=303)


# --- Quick registration -----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@clinicians_only
def quick_arrival(request: HttpRequest) -> HttpResponse:
    """Register a patient who cannot use the phone form (unresponsive, ambulance arrival…)."""
    hospital = _chosen_hospital(request)
    if hospital is None:
        return HttpResponseRedirect(reverse("cockpit:queue_page"))
    if request.method == "GET":
        form = QuickArrivalForm(initial={"idempotency_key": uuid.uuid4()}, hospital=hospital)
        return render(request, "cockpit/arrival.html", {"form": form, "hospital": hospital})
    form = QuickArrivalForm(request.POST, hospital=hospital)
    if not form.is_valid():
        context = {"form": form, "hospital": hospital}
        return render(request, "cockpit/arrival.html", context, status=400)
    staff = request.staff
    try:
        registration = intake_services.intake_register_by_staff(
            hospital=hospital,
            staff_id=staff.staff_id,
            staff_name=staff.name,
            staff_role=staff.role_at(hospital.hospital_id).value,
            idempotency_key=str(form.cleaned_data["idempotency_key"]),
            arrival=form.arrival(staff.staff_id),
            context=RequestContext.from_request(request),
        )
    except IdempotencyKeyReused:
        form.add_error(None, "This form was already sent with other answers. Open a new one.")
        context = {"form": form, "hospital": hospital}
        return render(request, "cockpit/arrival.html", context, status=422)
    target = reverse("cockpit:patient", args=[registration.patient_id]) + "?saved=arrival"
    return HttpResponseRedirect(target, status=303)


# --- Check-in review: registrations grouped by client address (issue 14) ---------------------
@require_GET
@clinicians_only
def check_ins(request: HttpRequest) -> HttpResponse:
    """The last hours' self check-ins, grouped by (a keyed hash of) the address they came from:
    a flood shows as one big group, closed as "not a patient" in one go."""
    hospital = _chosen_hospital(request)
    if hospital is None:
        return HttpResponseRedirect(reverse("cockpit:queue_page"))
    return _render_check_ins(request, hospital, ReviewForm())


def _render_check_ins(request, hospital: Hospital, form: ReviewForm, status: int = 200):
    review = selectors.check_in_review(hospital)
    services.registrations_reviewed(
        request.staff,
        hospital.hospital_id,
        [p.patient_id for group in review.groups for p in group.patients],
        RequestContext.from_request(request),
    )
    context = {
        "hospital": hospital,
        "review": review,
        "form": form,
        "done": request.GET.get("done"),
        "skipped": request.GET.get("skipped"),
        "did": request.GET.get("did"),
    }
    return render(request, "cockpit/check_ins.html", context, status=status)


@require_POST
@clinicians_only
def check_ins_change(request: HttpRequest) -> HttpResponse:
    hospital = _chosen_hospital(request)
    if hospital is None:
        return HttpResponseRedirect(reverse("cockpit:queue_page"))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_check_ins(request, hospital, form, status=400)
    data = form.cleaned_data
    done, skipped = services.patients_close_or_reopen(
        request.staff,
        hospital,
        data["patients"],
        reason=data["reason"],
        reopen=data["do"] == "reopen",
        context=RequestContext.from_request(request),
    )
    target = reverse("cockpit:check_ins") + f"?did={data['do']}&done={done}&skipped={skipped}"
    return HttpResponseRedirect(target, status=303)
