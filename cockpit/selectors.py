"""Cockpit reads: the queue (with its ETag), the summary strip, the board, a patient's record."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import triage
from accounts import repository as accounts_repository
from accounts.domain import CLINICAL_ROLES, Device, DeviceKind, Hospital, SignedInStaff
from cockpit.domain import (
    BoardEntry,
    BoardSnapshot,
    CheckInGroup,
    CheckInReview,
    EarlierVisit,
    PatientRecord,
    QueueSnapshot,
    QueueSummary,
    RowView,
    event_summary,
    finding_label,
    vital_cells,
    vitals_table,
)
from intake.domain import ARRIVAL_MODES
from intake.forms import LANGUAGE_LABELS, ONSET_LABELS, PREGNANT_LABELS, SEX_LABELS
from patients import repository as patients_repository
from patients.domain import (
    ALERT_LABELS,
    ISOLATION_LABELS,
    STATUS_LABELS,
    AlertReason,
    Patient,
    QueueRow,
    QueueState,
    Status,
    has_allergy,
    interpreter_language,
    language_name,
)
from solace import clock, cursors
from solace.templatetags.local_time import local_time

# Bump when the rows fragment changes shape, so screens holding an old ETag re-render.
FRAGMENT_VERSION = "q4"
PAGE_SIZE = 50  # rows per page (page one also holds every alert and level 1 and 2, however many)
# An unchanged queue still re-renders this often: server-side time figures (today's median,
# the local day) stay fresh without a clock in the ETag of every poll.
RENDER_AT_LEAST_EVERY_SECONDS = 15 * 60
CURSOR_SCOPE = "queue:{hospital_id}:{queue_filter}"


def queue_etag(kind: str, state: QueueState, *parts: str) -> str:
    """What a screen shows is a function of the queue's version (every change to the
    department advances it), the screen's own choices (filter, page, who is looking) and the
    fragment's shape: so an unchanged poll is known without reading a single patient."""
    bucket = clock.now_epoch() // RENDER_AT_LEAST_EVERY_SECONDS
    canonical = ":".join(
        (FRAGMENT_VERSION, kind, state.hospital_id, str(state.version), str(bucket), *parts)
    )
    return f'"{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"'


def queue_state(hospital_id: str) -> QueueState:
    return patients_repository.queue_state_get(hospital_id)


def queue_state_and_session(hospital_id: str, session_key: str):
    """The queue state and the session item in one request (the poll's only request when
    nothing changed)."""
    return patients_repository.queue_state_with_session(hospital_id, session_key)


def queue_state_and_display(hospital_id: str, device_id: str) -> tuple[QueueState, Device | None]:
    """The queue state and a display link's device in one request (a board poll's only one
    when nothing changed)."""
    state, item = patients_repository.queue_state_with_device(hospital_id, device_id)
    return state, accounts_repository.device_from_item(item) if item else None


def displays(hospital_id: str) -> list[Device]:
    return accounts_repository.devices_of_hospital(hospital_id, DeviceKind.DISPLAY)


def queue_cursor(hospital_id: str, queue_filter: str, cursor: str | None) -> dict | None:
    scope = CURSOR_SCOPE.format(hospital_id=hospital_id, queue_filter=queue_filter)
    return cursors.decode(cursor, scope)


def _local_day(hospital: Hospital, now: datetime) -> str:
    return now.astimezone(ZoneInfo(hospital.timezone)).date().isoformat()


def _row_view(row: QueueRow, hospital: Hospital, now: datetime) -> RowView:
    reassess = hospital.reassessment_target(row.level) if row.reassessed else None
    due = None
    if reassess is not None:
        due = clock.iso(clock.parse_iso(row.last_assessed_at) + timedelta(minutes=reassess))
    return RowView(
        row=row,
        waited=row.waited_minutes(now),
        wait_target=hospital.wait_target(row.level),
        reassess_due_at=due,
        reassess_minutes=reassess,
        vitals=vital_cells(row.vitals, row.age_days, hospital.temperature_unit),
        language=language_name(row.language),
    )


def summary(hospital: Hospital, state: QueueState, rows: list[QueueRow]) -> QueueSummary:
    """The strip above the queue: counts from the queue-state counters, the longest wait from
    the page (plus one index entry per level that goes on past it), the median door-to-triage
    from today's histogram. Nothing here reads every patient, let alone every arrival."""
    arrivals = [r.created_at for r in rows]
    for level in range(1, 6):
        on_page = sum(1 for r in rows if r.level == level)
        if state.per_level.get(level, 0) > on_page:
            oldest = patients_repository.oldest_at_level(hospital.hospital_id, level)
            if oldest:
                arrivals.append(oldest)
    day = patients_repository.day_figures_get(
        hospital.hospital_id, _local_day(hospital, clock.now_utc())
    )
    return QueueSummary(
        in_department=state.total,
        per_level={level: state.per_level.get(level, 0) for level in range(1, 6)},
        waiting_room=state.waiting_room,
        in_room=state.in_room,
        unassigned=state.unassigned,
        longest_wait_since=min(arrivals) if arrivals else None,
        median_door_to_triage_minutes=day.median_door_to_triage,
        triaged_today=day.triaged,
    )


def queue(
    hospital: Hospital,
    state: QueueState,
    *,
    queue_filter: str,
    staff_id: str,
    cursor: str | None,
    etag: str,
    page_size: int | None = None,
) -> QueueSnapshot:
    """One page of the live queue: alerts pinned, then working acuity, then arrival."""
    start_key = queue_cursor(hospital.hospital_id, queue_filter, cursor)
    page = patients_repository.queue_page(
        hospital.hospital_id,
        page_size=page_size or PAGE_SIZE,
        queue_filter=queue_filter,
        staff_id=staff_id,
        start_key=start_key,
    )
    rows = [patients_repository.queue_row_from_item(i) for i in page.items]
    now = clock.now_utc()
    scope = CURSOR_SCOPE.format(hospital_id=hospital.hospital_id, queue_filter=queue_filter)
    return QueueSnapshot(
        rows=tuple(_row_view(r, hospital, now) for r in rows),
        etag=etag,
        queue_filter=queue_filter,
        next_cursor=cursors.encode(page.next_key, scope),
        first_page=start_key is None,
        alert_count=sum(1 for r in rows if r.alert),
        scanned_count=page.scanned,
        summary=summary(hospital, state, rows),
    )


# Who the waiting-room board shows: patients not yet with a provider (no names, no acuity).
BOARD_STATUSES = frozenset({Status.WAITING, Status.IN_TRIAGE, Status.WAITING_FOR_PROVIDER})
BOARD_ROWS = 60  # a TV shows this many codes; the rest are counted


def board(hospital_id: str) -> BoardSnapshot:
    """The waiting-room display: called patients first (most recent call first), then the
    others in order of arrival. Never ordered by acuity: the order itself would tell."""
    entries = []
    for item in patients_repository.board_items(hospital_id):
        row = item.get("queue_row") or {}
        status = Status(row.get("status", Status.WAITING.value))
        if status not in BOARD_STATUSES and not row.get("called_to"):
            continue
        entries.append(
            BoardEntry(
                check_in_code=row.get("check_in_code", ""),
                created_at=row.get("created_at", ""),
                room=row.get("room") or "",
                called_to=row.get("called_to") or "",
                called_at=row.get("called_at") or "",
                called_to_es=row.get("called_to_es") or "",
            )
        )
    called = sorted((e for e in entries if e.called_to), key=lambda e: e.called_at, reverse=True)
    waiting = sorted((e for e in entries if not e.called_to), key=lambda e: e.created_at)
    shown = (called + waiting)[:BOARD_ROWS]
    return BoardSnapshot(entries=tuple(shown), more=len(entries) - len(shown))


def patient_for(staff: SignedInStaff, patient_id: str) -> Patient | None:
    """The patient as of now (a consistent read: clinicians act on what they see), only when
    they belong to one of this staff member's hospitals."""
    if len(patient_id) > 64:
        return None
    patient = patients_repository.patient_get(patient_id, consistent=True)
    if patient is None or not staff.has_role_at(patient.hospital_id, *CLINICAL_ROLES):
        return None
    return patient


RECENT_ELSEWHERE_HOURS = 72


def patient_record(staff: SignedInStaff, patient: Patient) -> PatientRecord:
    """Events and possible earlier visits: details only at hospitals this staff member belongs
    to; at the organization's other hospitals only how many (and whether one was recent)."""
    events = patients_repository.events_of_patient(patient.patient_id)
    candidates = (
        patients_repository.visits_with_match_key(patient.match_key) if patient.match_key else []
    )
    in_organization = [
        v
        for v in candidates
        if v["patient_id"] != patient.patient_id
        and v.get("organization_id") == staff.organization_id
    ]
    visits = [v for v in in_organization if staff.is_member(v["hospital_id"])]
    elsewhere = [v for v in in_organization if not staff.is_member(v["hospital_id"])]
    recent_since = clock.iso(clock.now_utc() - timedelta(hours=RECENT_ELSEWHERE_HOURS))
    names = {
        h.hospital_id: h.name
        for h in accounts_repository.hospitals_get_many({v["hospital_id"] for v in visits})
    }
    earlier = [
        EarlierVisit(
            patient_id=v["patient_id"],
            created_at=v["created_at"],
            hospital_name=names.get(v["hospital_id"], "another hospital"),
            hospital_id=v["hospital_id"],
            status=v.get("status", ""),
            check_in_code=v.get("check_in_code", ""),
        )
        for v in visits
    ]
    return PatientRecord(
        patient=patient,
        events=events,
        earlier_visits=earlier,
        elsewhere_count=len(elsewhere),
        elsewhere_recent=any(v["created_at"] >= recent_since for v in elsewhere),
    )


def patient_page(record: PatientRecord, hospital: Hospital) -> dict:
    """What the patient page shows, in words and units: never codes."""
    patient = record.patient
    suggestion = triage.suggestion_from_dict(patient.triage)
    names = {member.staff_id: member.name for member in hospital.roster}
    vitals_columns, vitals = vitals_table(patient, hospital.temperature_unit)
    return {
        "suggestion": suggestion,
        "resources": [triage.RESOURCE_LABELS.get(r, r) for r in suggestion.resources],
        "alert_label": ALERT_LABELS.get(AlertReason(patient.alert)) if patient.alert else "",
        "sex_label": SEX_LABELS.get(patient.sex, patient.sex),
        "arrival_mode": ARRIVAL_MODES.get(patient.arrival_mode, ""),
        "vitals_columns": vitals_columns,
        "vitals_rows": vitals,
        "findings": [finding_label(code) for code in patient.findings],
        "symptoms": [finding_label(code) for code in patient.symptoms],
        "language": LANGUAGE_LABELS.get(patient.preferred_language, patient.preferred_language),
        "onset": ONSET_LABELS.get(patient.onset, ""),
        "pregnant": PREGNANT_LABELS.get(patient.pregnant, ""),
        "timeline": [(e.time, event_summary(e, names)) for e in record.events],
        "isolation_label": ISOLATION_LABELS.get(patient.isolation, "") if patient.isolation else "",
        "ended_by_name": names.get(patient.ended_by or "", "a colleague"),
        "ended_from_label": (
            STATUS_LABELS[Status(patient.ended_from)] if patient.ended_from else ""
        ),
        "has_allergy": has_allergy(patient.allergies),
        "interpreter": language_name(interpreter_language(patient.preferred_language)),
    }


def saved_message(action: str, patient: Patient, hospital: Hospital) -> str:
    """What an action saved, in words, read back from the record as it is now."""
    zone = hospital.timezone
    if action == "vitals" and patient.vitals_sets:
        latest = patient.vitals_sets[-1]
        cells = vital_cells(latest.values, patient.age_days, hospital.temperature_unit)
        values = ", ".join(f"{cell.title} {cell.text}" for cell in cells)
        taken = local_time(latest.taken_at, zone)
        return (
            f"Vital signs saved (taken {taken}){': ' + values if values else ''}. "
            f"Suggested level now {patient.suggested_level}."
        )
    if action == "findings":
        return f"Findings saved. Suggested level now {patient.suggested_level}."
    if action == "identity":
        return f"Name saved: {patient.display_name}."
    if action == "acknowledge":
        return "Alert acknowledged."
    if action == "acuity" and patient.confirmed_level:
        kind = "overridden" if patient.override_reason else "confirmed"
        return f"Level {patient.confirmed_level} {kind}."
    if action == "room":
        return f"Room {patient.room} saved." if patient.room else "Room cleared."
    if action == "assign":
        team = [
            f"{slot}: {name}"
            for slot, name in (("Nurse", patient.nurse_name), ("Physician", patient.physician_name))
            if name
        ]
        return "Assigned. " + " · ".join(team) + "."
    if action == "status":
        return f"Moved to {patient.status_label}."
    if action == "isolation":
        label = ISOLATION_LABELS.get(patient.isolation) if patient.isolation else None
        return f"Isolation saved: {label}." if label else "Isolation removed."
    if action == "duplicate":
        return "Duplicate registration linked: this visit continues, the other is closed."
    if action == "distinct":
        return "Marked as not a duplicate."
    if action == "reopen":
        return f"End of visit undone: {patient.status_label} again, back in the queue."
    if action == "call":
        return f"Called to {patient.called_to}: check-in code {patient.check_in_code}."
    if action == "call_no_answer":
        return f"Call not answered: check-in code {patient.check_in_code}."
    if action == "call_cancel":
        return f"Call cancelled: check-in code {patient.check_in_code}."
    if action == "close":
        return "Closed as not a patient. Reopen it below if that was a mistake."
    if action == "arrival":
        return f"Registered: check-in code {patient.check_in_code}."
    return ""


REVIEW_HOURS = 12
REVIEW_LIMIT = 500


def check_in_review(hospital: Hospital) -> CheckInReview:
    """The last hours' self check-ins (newest 500 at most) grouped by client address, biggest
    group first: one Query on the by-hospital index for the window."""
    since = clock.iso(clock.now_utc() - timedelta(hours=REVIEW_HOURS))
    arrivals = patients_repository.arrivals_with_records_since(
        hospital.hospital_id, since, REVIEW_LIMIT
    )
    grouped: dict[str, list[Patient]] = defaultdict(list)
    for patient in arrivals:
        if not patient.arrival_mode:  # registered by staff: no address to group by
            grouped[patient.client_hash].append(patient)
    groups = sorted(
        (CheckInGroup(key, tuple(patients)) for key, patients in grouped.items()),
        key=lambda g: (-len(g.patients), g.patients[0].created_at),
    )
    return CheckInReview(
        since=since,
        hours=REVIEW_HOURS,
        groups=tuple(groups),
        truncated=len(arrivals) >= REVIEW_LIMIT,
    )
