"""A shift in an emergency department, simulated through the real services.

Patients arrive on an hourly curve (phones in the waiting room, some by ambulance registered by
staff), are triaged (vital signs, acuity confirmed or overridden, alerts acknowledged), wait,
get a room, a nurse and a physician, and leave: discharged, admitted after boarding, now and
then transferred, left without being seen or against advice, rarely died. Every step is the
service a clinician's click calls, on a simulated clock (`solace.clock`), so the stored data,
the queue state, the encounter timelines and the audit trail are what a real shift leaves.
Staff actions are made by simulator accounts ("simulator-…" ids, "(simulator)" in the name);
registrations carry the user agent "Solace shift simulator".
"""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import random
import secrets
import time as real_time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts import repository as accounts_repository
from accounts import services as accounts_services
from accounts.domain import Hospital, Role, SignedInStaff
from cockpit import services
from cockpit.domain import ActionRefused
from intake import repository as intake_repository
from intake import services as intake_services
from intake.domain import IntakeAnswers, StaffArrival, WorseReportedRecently
from patients import repository as patients_repository
from patients.domain import ENDED, Patient, Status, VersionConflict
from solace import clock
from solace.context import RequestContext

USER_AGENT = "Solace shift simulator"
SIMULATOR_STAFF = (
    ("simulator-charge", "Casey Reed (simulator)", Role.CHARGE_NURSE),
    ("simulator-nurse-1", "Avery Lin (simulator)", Role.NURSE),
    ("simulator-nurse-2", "Blake Ortiz (simulator)", Role.NURSE),
    ("simulator-nurse-3", "Dana Moss (simulator)", Role.NURSE),
    ("simulator-physician-1", "Dr Ellis (simulator)", Role.PHYSICIAN),
    ("simulator-physician-2", "Dr Flores (simulator)", Role.PHYSICIAN),
)
# Arrivals per hour of the local day (a mid-sized department, about 110 a day).
ARRIVALS_PER_HOUR = (
    2.5, 2, 1.5, 1.2, 1.2, 1.5, 2.5, 4, 5.5, 6.5, 7, 7,
    6.5, 6.5, 6.5, 6.5, 6.5, 6.5, 6, 5.5, 5, 4, 3.5, 3,
)  # fmt: skip
ROOMS = tuple(f"{bay}{n}" for bay in "AB" for n in range(1, 11))


@dataclass(frozen=True)
class Complaint:
    """A reason to come in, with the answers and vital signs it tends to come with."""

    text: str
    symptoms: tuple[str, ...]
    pain: int | None
    weight: float  # how often (relative)
    vitals: dict[str, tuple[float, float]]  # measure -> (low, high)
    ages: tuple[int, int] = (18, 85)
    ambulance: float = 0.0  # share arriving by ambulance (registered by staff)


NORMAL = {
    "heart_rate": (66, 92),
    "respiratory_rate": (14, 19),
    "spo2": (96, 99),
    "systolic": (112, 138),
    "diastolic": (68, 86),
    "temperature_c": (36.4, 37.3),
}
COMPLAINTS = (
    Complaint("Crushing chest pain going to my left arm", ("chest_pain",), 8, 5,
              {**NORMAL, "heart_rate": (88, 99), "systolic": (140, 165)}, (45, 85), 0.4),
    Complaint("My face is drooping and my arm feels weak", ("face_droop", "arm_weakness"), 2, 1.5,
              {**NORMAL, "systolic": (150, 185), "diastolic": (88, 99)}, (55, 90), 0.6),
    Complaint("Short of breath, worse since last night", ("trouble_breathing",), 3, 4,
              {**NORMAL, "respiratory_rate": (20, 24), "spo2": (93, 95)}, (30, 85), 0.2),
    Complaint("Belly pain and vomiting since this morning", ("abdominal_pain", "vomiting"), 6, 10,
              NORMAL, (18, 75)),
    Complaint("High fever and cough for three days", ("high_fever", "cough"), 3, 8,
              {**NORMAL, "temperature_c": (38.2, 38.9), "heart_rate": (88, 99)}, (18, 80)),
    Complaint("Twisted my ankle, it is swollen", ("limb_injury",), 5, 10, NORMAL, (12, 60)),
    Complaint("Cut my hand on a knife, it keeps bleeding a little", ("wound",), 4, 8, NORMAL,
              (16, 70)),
    Complaint("Back pain after lifting a box", ("back_pain",), 6, 6, NORMAL, (25, 65)),
    Complaint("Bad headache since yesterday", ("headache",), 6, 5, NORMAL, (18, 60)),
    Complaint("Burning when I pee", ("urinary_pain",), 3, 5, NORMAL, (18, 70)),
    Complaint("Sore throat for four days", ("sore_throat",), 3, 6, NORMAL, (16, 50)),
    Complaint("I need a refill of my blood pressure pills", ("medication_refill",), None, 3,
              NORMAL, (40, 80)),
    Complaint("Rash on my arms since the weekend", ("rash",), 1, 3, NORMAL, (5, 60)),
    Complaint("Fell off a ladder and hit my head", ("head_injury",), 5, 3, NORMAL, (30, 85),
              0.5),
    Complaint("Fever and pulling at the ear", ("high_fever", "ear_pain"), 3, 4,
              {**NORMAL, "heart_rate": (100, 125), "respiratory_rate": (22, 28),
               "temperature_c": (38.3, 39.2)}, (1, 6)),
)  # fmt: skip
FAMILY_NAMES = (
    "García", "Smith", "Nguyen", "Johnson", "Martínez", "Williams", "Brown", "López", "Khan",
    "Okafor", "Rossi", "Kowalski", "Haddad", "Chen", "Hernández", "Murphy", "Silva", "Patel",
    "Dubois", "Novak", "Yamamoto", "Ivanova", "Mensah", "O'Brien", "Andersen", "Rahman",
)  # fmt: skip
GIVEN_NAMES = (
    "Ana", "James", "Linh", "Maria", "Robert", "Aisha", "David", "Sofia", "Omar", "Grace",
    "Luca", "Piotr", "Yara", "Wei", "José", "Sean", "Beatriz", "Priya", "Claire", "Jan",
    "Kenji", "Olga", "Kwame", "Siobhan", "Freja", "Nadia", "Tom", "Lena", "Mateo", "Ruth",
)  # fmt: skip
LANGUAGES = (("", 0.55), ("en", 0.2), ("es", 0.17), ("zh", 0.03), ("vi", 0.03), ("ar", 0.02))
ALLERGIES = (
    ("", 0.45), ("none", 0.15), ("NKDA", 0.1), ("penicillin", 0.15), ("sulfa drugs", 0.05),
    ("latex", 0.03), ("ibuprofen", 0.04), ("peanuts", 0.03),
)  # fmt: skip
# Minutes a level waits for a room, on average, when the department is calm.
ROOM_WAIT = {1: 1, 2: 10, 3: 45, 4: 70, 5: 90}
WITH_PROVIDER = {1: 150, 2: 140, 3: 120, 4: 50, 5: 35}
ADMITTED_SHARE = {1: 0.85, 2: 0.5, 3: 0.25, 4: 0.03, 5: 0.0}


class SimulatedTime:
    """Stands in for `time` in solace.clock: the simulated moment, moved by the simulation."""

    def __init__(self, start: float):
        self.now = start

    def time(self) -> float:
        return self.now

    def __getattr__(self, name):
        return getattr(real_time, name)


@contextlib.contextmanager
def simulated_clock(start: float) -> Iterator[SimulatedTime]:
    fake = SimulatedTime(start)
    real = clock.time
    clock.time = fake
    try:
        yield fake
    finally:
        clock.time = real


@dataclass
class Visit:
    """The simulator's notes on one patient (the record itself is only ever in DynamoDB)."""

    patient_id: str
    complaint: Complaint
    session_id: str | None = None
    answers: IntakeAnswers | None = None
    room: str | None = None
    boarding: bool = False


@dataclass
class ShiftReport:
    arrivals: int = 0
    triaged: int = 0
    roomed: int = 0
    discharged: int = 0
    admitted: int = 0
    left_without_being_seen: int = 0
    other_ends: int = 0
    in_department: int = 0
    actions: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)


class Shift:
    def __init__(self, hospital: Hospital, *, hours: float, seed: int | None, rate: float):
        self.hospital = hospital
        self.hours = hours
        self.rate = rate
        self.random = random.Random(seed)  # noqa: S311 (a simulation, not a secret)
        self.events: list[tuple[float, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.requests = itertools.count(1)
        self.phones = itertools.count(1)
        self.visits: dict[str, Visit] = {}
        self.free_rooms = list(ROOMS)
        self.report = ShiftReport()
        self.zone = ZoneInfo(hospital.timezone)
        self.staff = self._simulator_staff()
        self.hospital = accounts_repository.hospital_get(hospital.hospital_id)  # with its roster
        hid = hospital.hospital_id
        self.nurses = [s for s in self.staff if s.role_at(hid) == Role.NURSE]
        self.charge = next(s for s in self.staff if s.role_at(hid) == Role.CHARGE_NURSE)
        self.physicians = [s for s in self.staff if s.role_at(hid) == Role.PHYSICIAN]

    # --- set-up -------------------------------------------------------------------------------
    def _simulator_staff(self) -> list[SignedInStaff]:
        """The simulator's own accounts on this hospital (made once; unusable passwords)."""
        staff = []
        for staff_id, name, role in SIMULATOR_STAFF:
            existing = accounts_repository.staff_get(staff_id)
            if existing is None:
                existing, _ = accounts_services.staff_create(
                    staff_id=staff_id,
                    email=f"{staff_id}@simulator.invalid",
                    name=name,
                    roles={self.hospital.hospital_id: role},
                    password=secrets.token_urlsafe(32),
                )
            elif self.hospital.hospital_id not in existing.hospital_ids:
                raise ActionRefused(f"{staff_id} belongs to another hospital")
            staff.append(SignedInStaff.from_staff(existing))
        return staff

    def context(self) -> RequestContext:
        return RequestContext(
            request_id=f"simulator-{next(self.requests)}",
            client_address="simulator",
            user_agent=USER_AGENT,
        )

    # --- the event loop -----------------------------------------------------------------------
    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, (when, next(self.order), action))

    def after(self, minutes: float, action: Callable[[], None]) -> None:
        self.at(self.now + max(0.5, minutes) * 60, action)

    @property
    def now(self) -> float:
        return self.sim.now

    def run(self, end: float) -> ShiftReport:
        start = end - self.hours * 3600
        with simulated_clock(start) as self.sim, contextlib.redirect_stdout(io.StringIO()):
            self._schedule_arrivals(start, end)
            while self.events and self.events[0][0] <= end:
                when, _, action = heapq.heappop(self.events)
                self.sim.now = when
                try:
                    action()
                    self.report.actions += 1
                except (ActionRefused, VersionConflict, WorseReportedRecently) as skipped:
                    self.report.skipped += 1  # a step that no longer applies (or a race)
                    reason = type(skipped).__name__ + (f": {skipped}" if str(skipped) else "")
                    self.report.skip_reasons[reason] = self.report.skip_reasons.get(reason, 0) + 1
        self.report.in_department = sum(
            1 for visit in self.visits.values() if not self._ended(visit)
        )
        return self.report

    def _schedule_arrivals(self, start: float, end: float) -> None:
        moment = start
        while True:
            hour = datetime.fromtimestamp(moment, self.zone).hour
            per_hour = ARRIVALS_PER_HOUR[hour] * self.rate
            moment += self.random.expovariate(per_hour / 3600)
            if moment > end:
                return
            self.at(moment, self.arrive)

    # --- steps --------------------------------------------------------------------------------
    def _pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.random.choices(values, weights)[0]

    def _patient(self, visit: Visit) -> Patient | None:
        return patients_repository.patient_get(visit.patient_id, consistent=True)

    def _ended(self, visit: Visit) -> bool:
        patient = self._patient(visit)
        return patient is None or patient.status in ENDED

    def arrive(self) -> None:
        complaint = self._pick([(c, c.weight) for c in COMPLAINTS])
        family, given = self.random.choice(FAMILY_NAMES), self.random.choice(GIVEN_NAMES)
        age = self.random.randint(*complaint.ages)
        today = clock.now_utc().date()
        born = today - timedelta(days=age * 365 + self.random.randint(0, 364))
        if self.random.random() < complaint.ambulance:
            visit = self._arrive_by_ambulance(complaint, family, given, born)
        else:
            visit = self._arrive_on_phone(complaint, family, given, born)
            if self.random.random() < 0.03:  # registered twice (phone, then the desk kiosk)
                self.after(self.random.uniform(2, 12), lambda: self._register_again(visit))
        self.visits[visit.patient_id] = visit
        self.report.arrivals += 1
        level = self._patient(visit).level
        triage_in = self.random.expovariate(1 / (3 if level <= 2 else 12))
        self.after(triage_in, lambda: self.triage(visit))

    def _answers(self, complaint: Complaint, family: str, given: str, born: date):
        return IntakeAnswers(
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex=self.random.choice(("female", "male")),
            chief_complaint=complaint.text,
            symptoms=complaint.symptoms,
            pain_score=complaint.pain,
            allergies=self._pick(ALLERGIES),
            preferred_language=self._pick(LANGUAGES),
        )

    def _arrive_on_phone(self, complaint, family, given, born) -> Visit:
        answers = self._answers(complaint, family, given, born)
        registration, session_id = self._register_on_phone(answers)
        return Visit(registration.patient_id, complaint, session_id, answers)

    def _register_on_phone(self, answers: IntakeAnswers):
        """The public form's registration, as a phone makes it (each phone its own address, so
        the registration limits count it as the waiting room's Wi-Fi would)."""
        ticket = intake_services.new_ticket(self.hospital)
        registration = intake_services.intake_register(
            hospital=self.hospital,
            ticket=ticket,
            idempotency_key=ticket.idempotency_key,
            answers=answers,
            location="/",
            context=self.context(),
            address_hash=intake_services.client_hash(f"simulated phone {next(self.phones)}"),
        )
        return registration, ticket.session_id

    def _register_again(self, first: Visit) -> None:
        answers = first.answers
        if answers is None or self._ended(first):
            return
        registration, session_id = self._register_on_phone(answers)
        # The duplicate waits for a clinician to notice the flag; the charge nurse links it.
        visit = Visit(registration.patient_id, first.complaint, session_id=session_id)
        self.visits[visit.patient_id] = visit
        self.report.arrivals += 1
        self.after(self.random.uniform(10, 40), lambda: self._link_duplicate(visit))

    def _link_duplicate(self, visit: Visit) -> None:
        patient = self._patient(visit)
        if patient is None or patient.ended or not patient.possible_duplicate_of:
            return
        services.patient_link_duplicate(
            self.charge, patient, patient.version, keep_this=False, context=self.context()
        )

    def _arrive_by_ambulance(self, complaint, family, given, born) -> Visit:
        nurse = self.random.choice(self.nurses)
        vitals = self._vitals(complaint, born)
        arrival = StaffArrival(
            staff_id=nurse.staff_id,
            sex=self.random.choice(("female", "male")),
            arrival_mode="ambulance",
            chief_complaint=complaint.text,
            date_of_birth=born,
            given_name=given,
            family_name=family,
            vitals=tuple(sorted(vitals.items())),
            vitals_taken_at=clock.utc_now_iso(),
        )
        registration = intake_services.intake_register_by_staff(
            hospital=self.hospital,
            staff_id=nurse.staff_id,
            staff_name=nurse.name,
            staff_role=nurse.role_at(self.hospital.hospital_id).value,
            idempotency_key=str(uuid.UUID(int=self.random.getrandbits(128))),
            arrival=arrival,
            context=self.context(),
        )
        return Visit(registration.patient_id, complaint)

    def _vitals(self, complaint: Complaint, born: date | None = None) -> dict:
        values = {}
        for name, (low, high) in complaint.vitals.items():
            value = self.random.uniform(low, high)
            values[name] = round(value, 1) if name == "temperature_c" else round(value)
        values["oxygen_l_min"] = 0
        values["pain"] = complaint.pain if complaint.pain is not None else 0
        if born is not None and (clock.now_utc().date() - born).days < 12 * 365:
            values["weight_kg"] = round(self.random.uniform(9, 30), 1)
        return values

    def triage(self, visit: Visit) -> None:
        patient = self._patient(visit)
        if patient is None or patient.ended:
            return
        nurse = self.random.choice(self.nurses)
        context = self.context()
        if patient.alert:
            patient = services.patient_acknowledge_alert(nurse, patient, patient.version, context)
        patient = services.patient_record_vitals(
            nurse,
            patient,
            patient.version,
            self._vitals(visit.complaint, patient.date_of_birth),
            clock.utc_now_iso(),
            self.context(),
        )
        if patient.alert:
            patient = services.patient_acknowledge_alert(nurse, patient, patient.version, context)
        level, reason = patient.suggested_level, ""
        # Nurses sometimes judge resources differently (levels 3 and 4, either way); a
        # high-risk level 1 or 2 is never lowered, in the demo as in the ESI handbook.
        if self.random.random() < 0.12 and 3 <= level <= 4:
            level += self.random.choice((-1, 1))
            reason = (
                "Looks more unwell than the answers say"
                if level < patient.suggested_level
                else "Well on assessment, pain controlled"
            )
        patient = services.patient_set_acuity(
            nurse, patient, patient.version, level, reason, self.context()
        )
        patient = services.patient_assign_staff(
            nurse,
            self.hospital,
            patient,
            patient.version,
            "nurse",
            nurse.staff_id,
            self.context(),
        )
        for step in (Status.IN_TRIAGE, Status.WAITING_FOR_PROVIDER):
            patient = services.patient_change_status(
                nurse, patient, patient.version, step, self.context()
            )
        self.report.triaged += 1
        crowding = 1 + max(0, len(ROOMS) - len(self.free_rooms) - 14) / 6
        wait = self.random.expovariate(1 / (ROOM_WAIT[patient.level] * crowding))
        self.after(wait, lambda: self.room(visit))
        if patient.level >= 4 and self.random.random() < 0.06:  # gives up waiting
            self.after(self.random.uniform(40, 150), lambda: self.leave(visit))
        elif patient.level >= 3 and self.random.random() < 0.05 and visit.session_id:
            self.after(self.random.uniform(20, 60), lambda: self.feels_worse(visit))
        if patient.level >= 3:
            reassess = self.hospital.reassessment_target(patient.level)
            self.after(reassess * self.random.uniform(0.8, 1.4), lambda: self.reassess(visit))

    def reassess(self, visit: Visit) -> None:
        patient = self._patient(visit)
        if patient is None or patient.ended or patient.status != Status.WAITING_FOR_PROVIDER:
            return
        if patient.room or self.random.random() < 0.3:  # not every reassessment gets done
            return
        nurse = self.random.choice(self.nurses)
        services.patient_record_vitals(
            nurse,
            patient,
            patient.version,
            self._vitals(visit.complaint, patient.date_of_birth),
            clock.utc_now_iso(),
            self.context(),
        )
        reassess = self.hospital.reassessment_target(patient.level)
        self.after(reassess * self.random.uniform(0.9, 1.6), lambda: self.reassess(visit))

    def feels_worse(self, visit: Visit) -> None:
        patient = self._patient(visit)
        if patient is None or patient.ended or patient.room:
            return
        session = intake_repository.intake_session_get(visit.session_id)
        if session is None:
            return
        intake_services.intake_report_worse(
            hospital=self.hospital, session=session, context=self.context()
        )
        nurse = self.random.choice(self.nurses)
        self.after(self.random.uniform(2, 10), lambda: self._acknowledge(visit, nurse))

    def _acknowledge(self, visit: Visit, nurse: SignedInStaff) -> None:
        patient = self._patient(visit)
        if patient is not None and patient.alert and not patient.ended:
            services.patient_acknowledge_alert(nurse, patient, patient.version, self.context())

    def leave(self, visit: Visit) -> None:
        patient = self._patient(visit)
        if patient is None or patient.ended or patient.room:
            return
        nurse = self.random.choice(self.nurses)
        services.patient_change_status(
            nurse, patient, patient.version, Status.LEFT_WITHOUT_BEING_SEEN, self.context()
        )
        self.report.left_without_being_seen += 1

    def room(self, visit: Visit) -> None:
        patient = self._patient(visit)
        if patient is None or patient.ended:
            return
        if not self.free_rooms:
            self.after(self.random.uniform(5, 15), lambda: self.room(visit))
            return
        visit.room = self.free_rooms.pop(0)
        nurse = self.random.choice(self.nurses)
        physician = self.random.choice(self.physicians)
        patient = services.patient_assign_room(
            nurse, patient, patient.version, visit.room, self.context()
        )
        patient = services.patient_assign_staff(
            physician,
            self.hospital,
            patient,
            patient.version,
            "physician",
            physician.staff_id,
            self.context(),
        )
        services.patient_change_status(
            physician, patient, patient.version, Status.WITH_PROVIDER, self.context()
        )
        self.report.roomed += 1
        stay = self.random.expovariate(1 / WITH_PROVIDER[patient.level])
        self.after(max(15, stay), lambda: self.decide(visit))

    def decide(self, visit: Visit) -> None:
        patient = self._patient(visit)
        if patient is None or patient.ended:
            return
        physician = next(
            (s for s in self.physicians if s.staff_id == patient.physician_id),
            self.physicians[0],
        )
        roll = self.random.random()
        if patient.level == 1 and roll < 0.04:
            self._end(visit, physician, Status.DIED)
        elif roll < ADMITTED_SHARE[patient.level]:
            services.patient_change_status(
                physician, patient, patient.version, Status.ADMIT_DECIDED, self.context()
            )
            visit.boarding = True
            self.after(self.random.uniform(60, 300), lambda: self._admit(visit, physician))
        elif roll > 0.985:
            self._end(visit, physician, Status.TRANSFERRED)
        elif roll > 0.975:
            self._end(visit, physician, Status.LEFT_AGAINST_ADVICE)
        else:
            self._end(visit, physician, Status.DISCHARGED)

    def _admit(self, visit: Visit, physician: SignedInStaff) -> None:
        patient = self._patient(visit)
        if patient is not None and not patient.ended:
            self._end(visit, physician, Status.ADMITTED)

    def _end(self, visit: Visit, staff: SignedInStaff, status: Status) -> None:
        patient = self._patient(visit)
        services.patient_change_status(staff, patient, patient.version, status, self.context())
        if visit.room:
            self.free_rooms.append(visit.room)
            visit.room = None
        if status == Status.DISCHARGED:
            self.report.discharged += 1
        elif status == Status.ADMITTED:
            self.report.admitted += 1
        else:
            self.report.other_ends += 1


def simulate_shift(
    hospital: Hospital, *, hours: float, seed: int | None = None, rate: float = 1.0
) -> ShiftReport:
    """Simulate the `hours` before now in this hospital; patients whose visit has not ended
    by now are the live department. Returns what happened."""
    shift = Shift(hospital, hours=hours, seed=seed, rate=rate)
    return shift.run(end=real_time.time())
