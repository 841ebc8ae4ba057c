"""The clinician cockpit: the live queue (page + polled fragment), patient detail and actions,
and the de-identified waiting-room board."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import repository as accounts_repository
from accounts.decorators import require_membership, role_required
from accounts.domain import CLINICAL_ROLES, Hospital
from accounts.middleware import passive
from accounts.selectors import hospital_by_slug, staff_hospitals
from audit.domain import Action
from cockpit import selectors, services
from cockpit.domain import ActionRefused, PatientRecord, QueueSnapshot
from cockpit.forms import (
    AcknowledgeForm,
    AcuityForm,
    AssignForm,
    FindingsForm,
    IdentityForm,
    QuickArrivalForm,
    RoomForm,
    StatusForm,
    VersionedForm,
    VitalsForm,
)
from intake import services as intake_services
from intake.domain import IdempotencyKeyReused
from patients.domain import DISPOSITIONS, Patient, Status, VersionConflict
from solace import clock, metrics
from solace.context import RequestContext

HOSPITAL_SESSION_KEY = "cockpit_hospital_id"
BOARD_SALT = "solace.board"
BOARD_LINK_SECONDS = 24 * 60 * 60
clinicians_only = role_required(*CLINICAL_ROLES)


def _chosen_hospital(request: HttpRequest) -> Hospital | None:
    hospital_id = _chosen_hospital_id(request)
    return accounts_repository.hospital_get(hospital_id) if hospital_id else None


def _chosen_hospital_id(request: HttpRequest) -> str | None:
    hospital_id = request.session.get(HOSPITAL_SESSION_KEY)
    if hospital_id and request.staff.is_member(hospital_id):
        return hospital_id
    if len(request.staff.hospital_ids) == 1:
        return next(iter(request.staff.hospital_ids))
    return None


def _rows_context(hospital: Hospital, snapshot: QueueSnapshot) -> dict:
    now = clock.now_utc()
    return {
        "hospital": hospital,
        "snapshot": snapshot,
        "rows": [
            {
                "row": row,
                "waited": waited,
                "target": hospital.wait_target(row.level),
                "overdue": waited > hospital.wait_target(row.level),
            }
            for row, waited in ((r, r.waited_minutes(now)) for r in snapshot.rows)
        ],
        "summary": selectors.summary(hospital, snapshot, now),
        "alert_count": sum(1 for r in snapshot.rows if r.alert),
    }


def _with_etag(response: HttpResponse, snapshot: QueueSnapshot) -> HttpResponse:
    response["ETag"] = snapshot.etag
    response["Cache-Control"] = "no-store"
    return response


def _render_rows(
    request, hospital: Hospital, snapshot: QueueSnapshot, template_name: str, **extra
) -> HttpResponse:
    """Render the queue (page or fragment), auditing which patients it displays."""
    services.queue_displayed(
        request.staff,
        hospital.hospital_id,
        [r.patient_id for r in snapshot.rows],
        RequestContext.from_request(request),
    )
    metrics.count(metrics.QUEUE_RENDERS, HospitalId=hospital.hospital_id)
    context = {**_rows_context(hospital, snapshot), **extra}
    return _with_etag(render(request, template_name, context), snapshot)


def _not_modified_or(request: HttpRequest, snapshot: QueueSnapshot) -> HttpResponse | None:
    """204 with no body and no rendering when the poller already shows this queue."""
    if request.headers.get("If-None-Match") == snapshot.etag:
        return _with_etag(HttpResponse(status=204), snapshot)
    return None


@require_GET
@clinicians_only
def queue_page(request: HttpRequest) -> HttpResponse:
    hospitals = staff_hospitals(request.staff)
    hospital_id = _chosen_hospital_id(request)
    hospital = next((h for h in hospitals if h.hospital_id == hospital_id), None)
    if hospital is None:
        return render(request, "cockpit/choose_hospital.html", {"hospitals": hospitals})
    snapshot = selectors.queue(hospital.hospital_id)
    board_key = signing.dumps({"h": hospital.hospital_id}, salt=BOARD_SALT)
    board_url = reverse("cockpit:board", args=[hospital.slug]) + f"?key={board_key}"
    return _render_rows(
        request, hospital, snapshot, "cockpit/queue.html", hospitals=hospitals, board_url=board_url
    )


@require_POST
@clinicians_only
def choose_hospital(request: HttpRequest) -> HttpResponse:
    hospital_id = request.POST.get("hospital_id", "")
    require_membership(request, hospital_id)
    request.session[HOSPITAL_SESSION_KEY] = hospital_id
    return HttpResponseRedirect(reverse("cockpit:queue_page"), status=303)


@passive
@require_GET
@clinicians_only
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The polled fragment: at most the session read and one queue Query when unchanged. The
    hospital is the page's (in the URL), so a tab never shows another hospital's queue."""
    hospital_id = request.GET.get("hospital", "")
    if not hospital_id:
        return HttpResponseClientRedirect(reverse("cockpit:queue_page"))
    require_membership(request, hospital_id)
    snapshot = selectors.queue(hospital_id)
    unchanged = _not_modified_or(request, snapshot)
    if unchanged is not None:
        metrics.count(metrics.QUEUE_NOT_MODIFIED, HospitalId=hospital_id)
        return unchanged
    hospital = accounts_repository.hospital_get(hospital_id)
    return _render_rows(request, hospital, snapshot, "cockpit/queue.html#rows")


# --- Waiting-room board (de-identified; opened with a signed link, no staff session) ---------
def _board_hospital(request: HttpRequest, hospital_slug: str) -> Hospital:
    hospital = hospital_by_slug(hospital_slug)
    try:
        payload = signing.loads(
            request.GET.get("key", ""), salt=BOARD_SALT, max_age=BOARD_LINK_SECONDS
        )
    except signing.BadSignature as exc:
        raise Http404 from exc
    if hospital is None or payload.get("h") != hospital.hospital_id:
        raise Http404
    return hospital


@require_GET
def board_page(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    hospital = _board_hospital(request, hospital_slug)
    snapshot = selectors.board(hospital.hospital_id)
    context = {"hospital": hospital, "snapshot": snapshot, "key": request.GET["key"]}
    return _with_etag(render(request, "cockpit/board.html", context), snapshot)


@require_GET
def board_rows(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    hospital = _board_hospital(request, hospital_slug)
    snapshot = selectors.board(hospital.hospital_id)
    unchanged = _not_modified_or(request, snapshot)
    if unchanged is not None:
        return unchanged
    context = {"hospital": hospital, "snapshot": snapshot, "key": request.GET["key"]}
    return _with_etag(render(request, "cockpit/board.html#rows", context), snapshot)


# --- Patient detail and actions ---------------------------------------------------------------
def _patient_or_404(request: HttpRequest, patient_id: str) -> Patient:
    patient = selectors.patient_for(request.staff, patient_id)
    if patient is None:
        raise Http404  # another hospital's patient looks like no patient at all
    return patient


def _render_patient(
    request: HttpRequest,
    record: PatientRecord,
    *,
    bound: VersionedForm | None = None,
    conflict: dict | None = None,
    refused: str | None = None,
    status: int = 200,
) -> HttpResponse:
    patient = record.patient
    hospital = accounts_repository.hospital_get(patient.hospital_id)
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
        **selectors.patient_page(record, hospital),
    }
    return render(request, "cockpit/patient.html", context, status=status)


@require_GET
@clinicians_only
def patient_page(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = _patient_or_404(request, patient_id)
    record = selectors.patient_record(request.staff, patient)
    services.patient_viewed(request.staff, patient, RequestContext.from_request(request))
    return _render_patient(request, record)


# Each action's service call, given the validated form (it carries patient, staff, hospital).
Handler = Callable[[VersionedForm, RequestContext], Any]


def _record_vitals(form: VitalsForm, context: RequestContext):
    services.patient_record_vitals(
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
    services.patient_record_findings(
        form.staff, form.patient, data["version"], data["findings"], context
    )


def _complete_identity(form: IdentityForm, context: RequestContext):
    data = form.cleaned_data
    services.patient_complete_identity(
        form.staff,
        form.patient,
        data["version"],
        data["given_name"],
        data["family_name"],
        data["date_of_birth"],
        context,
    )


def _acknowledge(form: AcknowledgeForm, context: RequestContext):
    services.patient_acknowledge_alert(
        form.staff, form.patient, form.cleaned_data["version"], context
    )


def _set_acuity(form: AcuityForm, context: RequestContext):
    data = form.cleaned_data
    services.patient_set_acuity(
        form.staff, form.patient, data["version"], data["level"], data["reason"], context
    )


def _assign_room(form: RoomForm, context: RequestContext):
    data = form.cleaned_data
    services.patient_assign_room(form.staff, form.patient, data["version"], data["room"], context)


def _assign_staff(form: AssignForm, context: RequestContext):
    data = form.cleaned_data
    services.patient_assign_staff(
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
    services.patient_change_status(
        form.staff, form.patient, data["version"], Status(data["status"]), context
    )


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
}


@require_POST
@clinicians_only
def patient_action(request: HttpRequest, patient_id: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    patient = _patient_or_404(request, patient_id)
    form_class, handler, audit_action = ACTIONS[action]
    hospital = accounts_repository.hospital_get(patient.hospital_id)
    form = form_class(request.POST, patient=patient, staff=request.staff, hospital=hospital)
    context = RequestContext.from_request(request)

    def failed(outcome: str, current: Patient) -> PatientRecord:
        services.patient_action_failed(request.staff, current, audit_action, outcome, context)
        return selectors.patient_record(request.staff, current)

    if not form.is_valid():
        return _render_patient(request, failed("invalid", patient), bound=form, status=400)
    try:
        handler(form, context)
    except VersionConflict as conflict:
        current = conflict.current or patient
        notice = {"by": current.updated_by_name or "someone", "at": current.updated_at}
        return _render_patient(request, failed("conflict", current), conflict=notice, status=409)
    except ActionRefused as refused:
        record = failed("denied", patient)
        return _render_patient(request, record, refused=str(refused), status=400)
    if action == "status" and Status(form.cleaned_data["status"]) in DISPOSITIONS:
        return HttpResponseRedirect(reverse("cockpit:queue_page"), status=303)
    if action == "acknowledge" and request.htmx:
        # From the queue: the poller refreshes the rows at once, nothing else moves.
        return HttpResponse(status=204, headers={"HX-Trigger": "queue-changed"})
    return HttpResponseRedirect(reverse("cockpit:patient", args=[patient_id]), status=303)


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
            staff_role=staff.role.value,
            idempotency_key=str(form.cleaned_data["idempotency_key"]),
            arrival=form.arrival(staff.staff_id),
            context=RequestContext.from_request(request),
        )
    except IdempotencyKeyReused:
        form.add_error(None, "This form was already sent with other answers. Open a new one.")
        context = {"form": form, "hospital": hospital}
        return render(request, "cockpit/arrival.html", context, status=422)
    target = reverse("cockpit:patient", args=[registration.patient_id])
    return HttpResponseRedirect(target, status=303)
