"""A small, deterministic ED shift for the reports tests, played through the real services
(intake registration, the cockpit's actions) on a frozen clock, so every time stamp is known.

Monday 2 March 2026 at "Shift General" (America/New_York, UTC-5 that day). Times below are
local. Suggested levels come from the triage engine for these answers (asserted on the way).

  A  08:00 belly pain, 40 y, en   confirm 3 (agree) 08:10, room 08:20, physician 08:40,
                                  with provider 08:50, discharged 10:00
  B  08:05 chest pain, 70 y, es   confirm 1 (suggested 2: more urgent) 08:08, room 08:15,
                                  with provider 08:20, admit decided 09:30, admitted 14:00
  C  08:10 belly pain, 30 y, en   confirm 3 (agree) 08:30, left without being seen 09:40
  D  08:15 ankle, 30 y, en        confirm 5 (suggested 4: less urgent) 08:25, LWBS 08:40
  E  08:20 cough, 40 y, en        confirm 3 (agree) 08:30, room 08:45, physician 09:00,
                                  left against advice 11:00
  F  08:30 chest pain, 85 y, en   confirm 1 (suggested 2) 08:31, room 08:32, physician
                                  08:33, died 09:30
  G  08:40 belly pain, 50 y, en   confirm 2 (suggested 3) 08:50, room 09:00, physician
                                  09:10, transferred 13:00
  H  09:00 cough, 40 y, en        confirm 3 (agree) 09:20, room 10:30, physician 10:40,
                                  discharged 17:30
  I  09:10 sore throat            closed as a duplicate 09:12            (excluded)
  J  09:20 ankle, 25 y, en        confirm 4 (agree) 09:30, room 09:40, physician 09:50,
                                  with provider 09:55, discharged 10:30 UNDONE 10:31,
                                  admit decided 11:00, admitted 12:00
  K  10:00 sore throat, 40 y, en  confirm 5 (agree) 10:05, "left without being seen" 10:20
                                  UNDONE 10:21; still in the department
  L  09:30 sore throat, 20 y, es  confirm 4 (suggested 5: more urgent) 09:35, physician
                                  09:50, discharged 10:45 (never roomed)
  O  10:05 sore throat            closed as not a patient 10:10          (excluded)
  M  23:30 ankle, 10 y, en        weight 23:35, confirm 4 (agree) 23:40, physician 23:50,
                                  discharged 01:00 on 3 March (never roomed)
  N  00:30 on 3 March, sore throat, 40 y, en: confirm 5 (agree) 00:40, discharged 01:30
"""

from __future__ import annotations

import contextlib
import time as real_time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts import repository as accounts_repository
from accounts import services as accounts_services
from accounts.domain import Hospital, Role, SignedInStaff
from audit.domain import Action
from audit.services import audit_entry
from cockpit import services as cockpit
from intake import services as intake
from intake.domain import IntakeAnswers
from patients import repository as patients_repository
from patients.domain import EventType, Patient, Status, new_event, next_statuses
from solace import clock as app_clock
from solace.context import Actor, RequestContext
from tests.conftest import enrol_totp

ZONE = ZoneInfo("America/New_York")
SHIFT_DAY = date(2026, 3, 2)
NEXT_DAY = date(2026, 3, 3)
CONTEXT = RequestContext("reports-shift", "", "")

BELLY = ("Belly pain since last night", ("abdominal_pain", "vomiting"), 6)  # suggested 3
CHEST = ("Pressure in my chest and left arm", ("chest_pain",), 7)  # 2 at 70 and 85
ANKLE = ("Twisted my ankle", ("limb_injury",), 4)  # 4
COUGH = ("Cough and fever", ("cough",), 3)  # 3
THROAT = ("Sore throat for three days", (), 2)  # 5


class FrozenClock:
    """solace.clock's `time`, standing still at a set moment until moved."""

    def __init__(self, moment: datetime):
        self.now = moment.timestamp()

    def time(self) -> float:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.timestamp()

    def __getattr__(self, name):
        return getattr(real_time, name)


@contextlib.contextmanager
def frozen(moment: datetime):
    saved = app_clock.time
    fake = FrozenClock(moment)
    app_clock.time = fake
    try:
        yield fake
    finally:
        app_clock.time = saved


def local(hhmm: str, day: date = SHIFT_DAY) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZONE)


@dataclass
class Shift:
    hospital: Hospital
    nurse: SignedInStaff
    charge: SignedInStaff
    physician: SignedInStaff
    admin: SignedInStaff
    patients: dict[str, str]  # letter -> patient id
    suggested: dict[str, int]  # letter -> suggested level at registration


class Player:
    def __init__(self, shift: Shift, clock: FrozenClock):
        self.shift = shift
        self.clock = clock

    def at(self, hhmm: str, day: date = SHIFT_DAY) -> None:
        self.clock.set(local(hhmm, day))

    def patient(self, letter: str) -> Patient:
        return patients_repository.patient_get(self.shift.patients[letter], consistent=True)

    def arrive(self, letter: str, answers, age_years: int, language: str, phone: str = "") -> None:
        complaint, symptoms, pain = answers
        today = app_clock.now_utc().astimezone(ZONE).date()
        born = today.replace(year=today.year - age_years) - timedelta(days=30)
        ticket = intake.new_ticket(self.shift.hospital)
        registration = intake.intake_register(
            hospital=self.shift.hospital,
            ticket=ticket,
            idempotency_key=ticket.idempotency_key,
            answers=IntakeAnswers(
                given_name=f"Patient {letter}",
                family_name="Shift",
                date_of_birth=born,
                sex="female",
                chief_complaint=complaint,
                symptoms=symptoms,
                pain_score=pain,
                phone=phone,
                preferred_language=language,
            ),
            location="/",
            context=CONTEXT,
        )
        self.shift.patients[letter] = registration.patient_id
        self.shift.suggested[letter] = self.patient(letter).suggested_level

    def confirm(self, letter: str, level: int, reason: str = "") -> None:
        p = self.patient(letter)
        cockpit.patient_set_acuity(self.shift.nurse, p, p.version, level, reason, CONTEXT)

    def weight(self, letter: str, kg: float) -> None:
        p = self.patient(letter)
        cockpit.patient_record_vitals(
            self.shift.nurse, p, p.version, {"weight_kg": kg}, app_clock.utc_now_iso(), CONTEXT
        )

    def room(self, letter: str, room: str) -> None:
        p = self.patient(letter)
        cockpit.patient_assign_room(self.shift.nurse, p, p.version, room, CONTEXT)

    def physician(self, letter: str) -> None:
        p = self.patient(letter)
        s = self.shift
        cockpit.patient_assign_staff(
            s.physician, s.hospital, p, p.version, "physician", s.physician.staff_id, CONTEXT
        )

    def status(self, letter: str, status: Status) -> None:
        p = self.patient(letter)
        cockpit.patient_change_status(self.shift.charge, p, p.version, status, CONTEXT)

    def to_provider(self, letter: str) -> None:
        """Waiting -> in triage -> waiting for provider -> with provider, a second apart (so
        the events sort in the order they happened), "with provider" on the minute."""
        at = self.clock.now
        for offset, status in (
            (-2, Status.IN_TRIAGE),
            (-1, Status.WAITING_FOR_PROVIDER),
            (0, Status.WITH_PROVIDER),
        ):
            if status in next_statuses(self.patient(letter).status):
                self.clock.now = at + offset
                self.status(letter, status)

    def _ending_event(self, letter: str, p: Patient, event_type, data, status, in_queue):
        """What issue 13 writes for closures and undos: a versioned change + its event."""
        now = app_clock.utc_now_iso()
        actor = Actor.staff(self.shift.charge.staff_id, Role.CHARGE_NURSE.value)
        after = replace(
            p,
            status=status,
            in_queue=in_queue,
            disposition_at=None if in_queue else now,
            updated_at=now,
        )
        patients_repository.patient_update(
            before=p,
            after=after,
            event=new_event(p.patient_id, event_type, now, actor, data),
            audit_entry=audit_entry(
                hospital_id=p.hospital_id,
                actor=actor,
                action=Action.STATUS_CHANGED,
                context=CONTEXT,
                patient_id=p.patient_id,
                time=now,
            ),
        )

    def close(self, letter: str, status: Status) -> None:
        p = self.patient(letter)
        data = {"from": p.status.value, "to": status.value, "reason": "test registration"}
        self._ending_event(letter, p, EventType.CLOSED, data, status, False)

    def undo_disposition(self, letter: str, *, name_the_event: bool = True) -> None:
        p = self.patient(letter)
        events = patients_repository.events_of_patient(p.patient_id, consistent=True)
        ending = [e for e in events if e.type == EventType.DISPOSITION][-1]
        data = {"from": p.status.value, "to": ending.data["from"]}
        if name_the_event:
            data["undone_event_id"] = ending.event_id
        back = Status(ending.data["from"])
        self._ending_event(letter, p, EventType.REOPENED, data, back, True)


def make_staff(hospital: Hospital, role: Role, name: str) -> SignedInStaff:
    staff, _ = accounts_services.staff_create(
        email=f"{role.value}-{hospital.slug}@shift.example",
        name=name,
        roles={hospital.hospital_id: role},
        password="correct horse battery staple",
    )
    if accounts_services.second_factor_required(staff):
        enrol_totp(staff)  # admins sign in with a second factor
    return SignedInStaff.from_staff(staff)


def play_shift(slug: str | None = None) -> Shift:
    """Register and move the shift's patients; returns who is who."""
    slug = slug or f"shift-{uuid.uuid4().hex[:8]}"
    with frozen(local("07:00")) as clock:
        hospital = accounts_services.hospital_create(
            slug=slug,
            name="Shift General",
            timezone="America/New_York",
            organization_id="org-shift",
        )
        nurse = make_staff(hospital, Role.NURSE, "Nora Nurse")
        charge = make_staff(hospital, Role.CHARGE_NURSE, "Carl Charge")
        physician = make_staff(hospital, Role.PHYSICIAN, "Dr Pia Physician")
        admin = make_staff(hospital, Role.ADMIN, "Ada Admin")
        hospital = accounts_repository.hospital_get(hospital.hospital_id)  # with its roster
        shift = Shift(hospital, nurse, charge, physician, admin, {}, {})
        play = Player(shift, clock)
        _script(play)
    return shift


# (local time, action, patient, arguments...); "+1" after a time: the next day.
STEPS = (
    ("08:00", "arrive", "A", BELLY, 40, "en", "+1 555 0101"),
    ("08:05", "arrive", "B", CHEST, 70, "es", "+1 555 0102"),
    ("08:08", "confirm", "B", 1, "Grey and sweaty"),
    ("08:10", "arrive", "C", BELLY, 30, "en", "+1 555 0103"),
    ("08:10", "confirm", "A", 3),
    ("08:15", "arrive", "D", ANKLE, 30, "en"),
    ("08:15", "room", "B", "R2"),
    ("08:20", "room", "A", "R1"),
    ("08:20", "arrive", "E", COUGH, 40, "en"),
    ("08:20", "to_provider", "B"),
    ("08:25", "confirm", "D", 5, "Walking normally, no deformity"),
    ("08:30", "confirm", "C", 3),
    ("08:30", "confirm", "E", 3),
    ("08:30", "arrive", "F", CHEST, 85, "en"),
    ("08:31", "confirm", "F", 1, "Unresponsive on arrival"),
    ("08:32", "room", "F", "Resus"),
    ("08:33", "physician", "F"),
    ("08:40", "physician", "A"),
    ("08:40", "status", "D", Status.LEFT_WITHOUT_BEING_SEEN),
    ("08:40", "arrive", "G", BELLY, 50, "en"),
    ("08:45", "room", "E", "R3"),
    ("08:50", "to_provider", "A"),
    ("08:50", "confirm", "G", 2, "Severe pain, pale"),
    ("09:00", "physician", "E"),
    ("09:00", "room", "G", "R4"),
    ("09:00", "arrive", "H", COUGH, 40, "en"),
    ("09:10", "physician", "G"),
    ("09:10", "arrive", "I", THROAT, 40, "en"),
    ("09:12", "close", "I", Status.CLOSED_DUPLICATE),
    ("09:20", "confirm", "H", 3),
    ("09:20", "arrive", "J", ANKLE, 25, "en"),
    ("09:30", "status", "B", Status.ADMIT_DECIDED),
    ("09:30", "confirm", "J", 4),
    ("09:30", "status", "F", Status.DIED),
    ("09:30", "arrive", "L", THROAT, 20, "es"),
    ("09:35", "confirm", "L", 4, "Drooling, cannot swallow"),
    ("09:40", "status", "C", Status.LEFT_WITHOUT_BEING_SEEN),
    ("09:40", "room", "J", "R5"),
    ("09:50", "physician", "J"),
    ("09:50", "physician", "L"),
    ("09:55", "to_provider", "J"),
    ("10:00", "status", "A", Status.DISCHARGED),
    ("10:00", "arrive", "K", THROAT, 40, "en"),
    ("10:05", "confirm", "K", 5),
    ("10:05", "arrive", "O", THROAT, 40, "en"),
    ("10:10", "close", "O", Status.NOT_A_PATIENT),
    ("10:20", "status", "K", Status.LEFT_WITHOUT_BEING_SEEN),  # the wrong patient...
    ("10:21", "undo_disposition", "K"),  # ...taken back: K is still waiting
    ("10:30", "room", "H", "R1"),
    ("10:30", "status", "J", Status.DISCHARGED),
    ("10:31", "undo_disposition", "J"),
    ("10:40", "physician", "H"),
    ("10:45", "status", "L", Status.DISCHARGED),
    ("11:00", "status", "E", Status.LEFT_AGAINST_ADVICE),
    ("11:00", "status", "J", Status.ADMIT_DECIDED),
    ("12:00", "status", "J", Status.ADMITTED),
    ("13:00", "status", "G", Status.TRANSFERRED),
    ("14:00", "status", "B", Status.ADMITTED),
    ("17:30", "status", "H", Status.DISCHARGED),
    ("23:30", "arrive", "M", ANKLE, 10, "en"),
    ("23:35", "weight", "M", 32),
    ("23:40", "confirm", "M", 4),
    ("23:50", "physician", "M"),
    ("00:30+1", "arrive", "N", THROAT, 40, "en"),
    ("00:40+1", "confirm", "N", 5),
    ("01:00+1", "status", "M", Status.DISCHARGED),
    ("01:30+1", "status", "N", Status.DISCHARGED),
)


def _script(play: Player) -> None:
    for when, action, *args in STEPS:
        hhmm, plus, _ = when.partition("+")
        play.at(hhmm, NEXT_DAY if plus else SHIFT_DAY)
        getattr(play, action)(*args)


def shift_end() -> datetime:
    return local("02:00", NEXT_DAY).astimezone(UTC)
