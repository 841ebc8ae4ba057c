"""The clinician cockpit: the live queue (page + polled fragment), patient detail and actions,
and the de-identified waiting-room board."""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from audit.domain import Action, RequestContext
from cockpit import selectors, services
from cockpit.domain import (
    STATUS_LABELS,
    ActionRefused,
    PatientRecord,
    QueueSnapshot,
    VersionConflict,
    next_statuses,
)
from cockpit.forms import AcuityForm, AssignForm, RoomForm, StatusForm, VitalsForm
from intake import selectors as intake_selectors
from intake.domain import DISPOSITIONS, Status
from solace import clock
from solace import repository as solace_repository
from solace.decorators import require_membership, role_required
from solace.domain import CLINICAL_ROLES, Hospital
from solace.middleware import passive

HOSPITAL_SESSION_KEY = "cockpit_hospital_id"
BOARD_SALT = "solace.board"
BOARD_LINK_SECONDS = 24 * 60 * 60
clinicians_only = role_required(*CLINICAL_ROLES)


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
    hospitals = selectors.staff_hospitals(request.staff)
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
        return unchanged
    hospital = solace_repository.hospital_get(hospital_id)
    return _render_rows(request, hospital, snapshot, "cockpit/queue.html#rows")


# --- Waiting-room board (de-identified; opened with a signed link, no staff session) ---------
def _board_hospital(request: HttpRequest, hospital_slug: str) -> Hospital:
    hospital = intake_selectors.hospital_by_slug(hospital_slug)
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
def _patient_or_404(request: HttpRequest, patient_id: str) -> dict:
    item = selectors.patient_item_for(request.staff, patient_id)
    if item is None:
        raise Http404  # another hospital's patient looks like no patient at all
    return item


def _render_patient(
    request: HttpRequest,
    record: PatientRecord,
    *,
    forms: dict | None = None,
    conflict: dict | None = None,
    refused: str | None = None,
    status: int = 200,
) -> HttpResponse:
    hospital = solace_repository.hospital_get(record.hospital_id)
    version = {"version": record.version}
    item = record.item
    blank = {
        "vitals": VitalsForm(initial=version),
        "acuity": AcuityForm(
            initial={**version, "level": item.get("confirmed_level") or item["suggested_level"]}
        ),
        "room": RoomForm(initial={**version, "room": item.get("room", "")}),
        "assign": AssignForm(initial=version),
        "status": StatusForm(initial=version),
    }
    context = {
        "record": record,
        "patient": item,
        "hospital": hospital,
        "forms": {**blank, **(forms or {})},
        "conflict": conflict,
        "refused": refused,
        "next_statuses": [(s.value, STATUS_LABELS[s]) for s in next_statuses(record.status)],
        "status_label": STATUS_LABELS[record.status],
    }
    return render(request, "cockpit/patient.html", context, status=status)


@require_GET
@clinicians_only
def patient_page(request: HttpRequest, patient_id: str) -> HttpResponse:
    item = _patient_or_404(request, patient_id)
    record = selectors.patient_record(request.staff, item)
    services.patient_viewed(request.staff, item, RequestContext.from_request(request))
    return _render_patient(request, record)


# Action name in the URL -> its form, and the audit action its attempts are filed under.
ACTIONS = {
    "vitals": (VitalsForm, Action.VITALS_RECORDED),
    "acuity": (AcuityForm, Action.ACUITY_CONFIRMED),
    "room": (RoomForm, Action.ROOM_ASSIGNED),
    "assign": (AssignForm, Action.STAFF_ASSIGNED),
    "status": (StatusForm, Action.STATUS_CHANGED),
}


def _run_action(request, action: str, form, item: dict) -> None:
    staff, context = request.staff, RequestContext.from_request(request)
    version = form.cleaned_data["version"]
    if action == "vitals":
        services.patient_record_vitals(staff, item, version, form.vitals(), context)
    elif action == "acuity":
        services.patient_set_acuity(
            staff, item, version, form.cleaned_data["level"], form.cleaned_data["reason"], context
        )
    elif action == "room":
        services.patient_assign_room(staff, item, version, form.cleaned_data["room"], context)
    elif action == "assign":
        hospital = solace_repository.hospital_get(item["hospital_id"])
        services.patient_assign_staff(
            staff,
            hospital,
            item,
            version,
            form.cleaned_data["slot"],
            form.cleaned_data["staff_id"],
            context,
        )
    elif action == "status":
        services.patient_change_status(
            staff, item, version, Status(form.cleaned_data["status"]), context
        )


@require_POST
@clinicians_only
def patient_action(request: HttpRequest, patient_id: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    item = _patient_or_404(request, patient_id)
    form_class, audit_action = ACTIONS[action]
    form = form_class(request.POST)

    def failed(outcome: str, current: dict) -> PatientRecord:
        context = RequestContext.from_request(request)
        services.patient_action_failed(request.staff, current, audit_action, outcome, context)
        return selectors.patient_record(request.staff, current)

    if not form.is_valid():
        record = failed("invalid", item)
        return _render_patient(request, record, forms={action: form}, status=400)
    try:
        _run_action(request, action, form, item)
    except VersionConflict as conflict:
        current = conflict.current or item
        notice = {
            "by": current.get("updated_by_name") or "someone",
            "at": current.get("updated_at"),
        }
        return _render_patient(request, failed("conflict", current), conflict=notice, status=409)
    except ActionRefused as refused:
        record = failed("denied", item)
        return _render_patient(request, record, refused=str(refused), status=400)
    if action == "status" and Status(form.cleaned_data["status"]) in DISPOSITIONS:
        return HttpResponseRedirect(reverse("cockpit:queue_page"), status=303)
    return HttpResponseRedirect(reverse("cockpit:patient", args=[patient_id]), status=303)
