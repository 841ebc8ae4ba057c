"""Clinician action forms. Every action carries the patient version the clinician saw."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms

import triage
from accounts.domain import CallPlace, Hospital, Role, SignedInStaff
from intake.domain import ARRIVAL_MODES, StaffArrival
from patients.domain import (
    AVPU_LABELS,
    DISPOSITIONS,
    ISOLATION_LABELS,
    STATUS_LABELS,
    Patient,
    Status,
    next_statuses,
)
from solace import clock
from solace.forms import CleanText, Form

# How far back a set may be dated: older readings belong in a note, not the flowsheet.
TAKEN_AT_MAX_HOURS = 12


class VersionedForm(Form):
    """Carries the version the clinician saw; ids are prefixed so several forms share a page."""

    action = ""
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, patient: Patient, staff: SignedInStaff, hospital: Hospital, **kw):
        kw.setdefault("auto_id", f"{self.action}-%s")
        kw.setdefault("initial", {})
        kw["initial"].setdefault("version", patient.version)
        super().__init__(*args, **kw)
        self.patient, self.staff, self.hospital = patient, staff, hospital


def _number(label, low, high, *, decimal=False, help_text=""):
    field = forms.DecimalField if decimal else forms.IntegerField
    kwargs = {"max_digits": 6, "decimal_places": 1} if decimal else {}
    return field(
        label=label, min_value=low, max_value=high, required=False, help_text=help_text, **kwargs
    )


def _round(value: Decimal | float, places: int = 1) -> float:
    return round(float(value), places)


class VitalsFields(forms.Form):
    """One set of vital signs, entered in the unit at hand and stored in one unit each:
    temperature in °C, glucose in mg/dL, weight in kg. Implausible values are refused."""

    taken_at = forms.TimeField(
        label="Time taken",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Hospital time. Leave empty for now.",
    )
    heart_rate = _number("Heart rate (beats/min)", 0, 300)
    respiratory_rate = _number("Respiratory rate (breaths/min)", 0, 120)
    spo2 = _number("SpO₂ (%)", 0, 100)
    oxygen = forms.ChoiceField(
        label="Breathing",
        required=False,
        choices=[("", "Not recorded"), ("room_air", "Room air"), ("oxygen", "On oxygen")],
    )
    oxygen_l_min = _number("Oxygen flow (l/min)", Decimal("0.5"), 60, decimal=True)
    systolic = _number("Systolic BP (mmHg)", 20, 300)
    diastolic = _number("Diastolic BP (mmHg)", 10, 250)
    temperature = _number("Temperature", 20, 115, decimal=True)
    temperature_unit = forms.ChoiceField(
        label="Temperature unit", choices=[("C", "°C"), ("F", "°F")], required=False
    )
    pain = _number("Pain (0 to 10)", 0, 10)
    avpu = forms.ChoiceField(
        label="Responsiveness (AVPU)",
        required=False,
        choices=[("", "Not recorded"), *AVPU_LABELS.items()],
    )
    gcs = _number("GCS (3 to 15)", 3, 15)
    glucose = _number("Glucose", 0, 99999, decimal=True)  # the range depends on the unit
    glucose_unit = forms.ChoiceField(
        label="Glucose unit", choices=[("mg/dL", "mg/dL"), ("mmol/L", "mmol/L")], required=False
    )
    weight = _number("Weight", Decimal("0.3"), 700, decimal=True)
    weight_unit = forms.ChoiceField(
        label="Weight unit", choices=[("kg", "kg"), ("lb", "lb")], required=False
    )

    MEASURED = (
        "heart_rate",
        "respiratory_rate",
        "spo2",
        "oxygen",
        "systolic",
        "diastolic",
        "temperature",
        "pain",
        "avpu",
        "gcs",
        "glucose",
        "weight",
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not any(cleaned.get(name) not in (None, "") for name in self.MEASURED):
            raise forms.ValidationError("Enter at least one measurement.")
        self._check_oxygen(cleaned)
        self._check_blood_pressure(cleaned)
        self._check_temperature(cleaned)
        self._check_glucose(cleaned)
        self._check_weight(cleaned)
        return cleaned

    def _check_oxygen(self, cleaned):
        if cleaned.get("oxygen") == "oxygen" and cleaned.get("oxygen_l_min") is None:
            self.add_error("oxygen_l_min", "Enter the oxygen flow in litres per minute.")
        if cleaned.get("oxygen") != "oxygen" and cleaned.get("oxygen_l_min") is not None:
            self.add_error("oxygen", "Choose “On oxygen” to record an oxygen flow.")

    def _check_blood_pressure(self, cleaned):
        systolic, diastolic = cleaned.get("systolic"), cleaned.get("diastolic")
        if (systolic is None) != (diastolic is None):
            missing = "diastolic" if diastolic is None else "systolic"
            self.add_error(missing, "Enter both numbers of the blood pressure.")
        elif systolic is not None and diastolic >= systolic:
            self.add_error("diastolic", "The diastolic pressure must be lower than the systolic.")

    def _check_temperature(self, cleaned):
        value, unit = cleaned.get("temperature"), cleaned.get("temperature_unit") or "C"
        if value is None:
            return
        if unit == "C" and not 25 <= value <= 45:
            hint = " It looks like °F: choose °F." if 77 <= value <= 113 else ""
            self.add_error("temperature", f"A temperature in °C is between 25 and 45.{hint}")
        elif unit == "F" and not 77 <= value <= 113:
            hint = " It looks like °C: choose °C." if 25 <= value <= 45 else ""
            self.add_error("temperature", f"A temperature in °F is between 77 and 113.{hint}")

    def _check_glucose(self, cleaned):
        value, unit = cleaned.get("glucose"), cleaned.get("glucose_unit") or "mg/dL"
        if value is None:
            return
        low, high = (10, 1500) if unit == "mg/dL" else (Decimal("0.6"), 83)
        if not low <= value <= high:
            message = f"Glucose is measured between {low} and {high} {unit}: check the unit."
            self.add_error("glucose", message)

    def _check_weight(self, cleaned):
        value, unit = cleaned.get("weight"), cleaned.get("weight_unit") or "kg"
        if value is not None and unit == "kg" and value > 320:
            self.add_error("weight", "That is more than 320 kg: check the unit (kg or lb).")

    def taken_at_iso(self, hospital: Hospital) -> str:
        """When the set was taken: the latest moment at or before now with the entered hospital
        time (a set taken at 23:55 and entered at 00:05 is yesterday's)."""
        now = clock.now_utc()
        entered: time | None = self.cleaned_data.get("taken_at")
        if entered is None:
            return clock.iso(now)
        zone = ZoneInfo(hospital.timezone)
        local_now = now.astimezone(zone)
        moment = datetime.combine(local_now.date(), entered, zone)
        if moment > local_now:
            moment -= timedelta(days=1)
        return clock.iso(moment)

    def values(self) -> dict[str, int | float | str]:
        """The measurements in their stored units."""
        data = self.cleaned_data
        values: dict[str, int | float | str] = {
            name: data[name]
            for name in ("heart_rate", "respiratory_rate", "spo2", "systolic", "diastolic")
            if data.get(name) is not None
        }
        for name in ("pain", "gcs"):
            if data.get(name) is not None:
                values[name] = data[name]
        if data.get("avpu"):
            values["avpu"] = data["avpu"]
        if data.get("oxygen") == "room_air":
            values["oxygen_l_min"] = 0
        elif data.get("oxygen") == "oxygen":
            values["oxygen_l_min"] = _round(data["oxygen_l_min"])
        if data.get("temperature") is not None:
            celsius = data["temperature"]
            if (data.get("temperature_unit") or "C") == "F":
                celsius = (celsius - 32) * 5 / 9
            values["temperature_c"] = _round(celsius)
        if data.get("glucose") is not None:
            glucose = data["glucose"]
            if data.get("glucose_unit") == "mmol/L":
                glucose = glucose * Decimal("18.016")
            values["glucose_mg_dl"] = _round(glucose, 0)
        if data.get("weight") is not None:
            kilograms = data["weight"]
            if data.get("weight_unit") == "lb":
                kilograms = kilograms * Decimal("0.45359237")
            values["weight_kg"] = _round(kilograms)
        return values


class VitalsForm(VitalsFields, VersionedForm):
    """A new set of vital signs, or a correction of an earlier set (it names that set)."""

    action = "vitals"
    corrects = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["temperature_unit"].initial = self.hospital.temperature_unit

    @property
    def shows_weight(self) -> bool:
        """Asked once per visit for a child, and kept in a correction of a set that had it."""
        return (
            self.patient.weight_needed or "weight" in self.initial or bool(self["weight"].value())
        )

    def clean_corrects(self):
        set_id = self.cleaned_data["corrects"]
        if set_id and set_id not in {s.set_id for s in self.patient.vitals_sets}:
            raise forms.ValidationError("The set to correct is not on this record.")
        return set_id or None

    def correcting(self, set_id: str) -> VitalsForm:
        """Prefill the form with an earlier set's values, to correct it."""
        for vitals_set in self.patient.vitals_sets:
            if vitals_set.set_id == set_id:
                self.initial.update(_entry_values(vitals_set.values), corrects=set_id)
        return self


def _entry_values(values: dict) -> dict:
    """Stored values as the form shows them (°C, mg/dL, kg)."""
    entry = {k: v for k, v in values.items() if k in VitalsFields.base_fields}
    if "temperature_c" in values:
        entry.update(temperature=values["temperature_c"], temperature_unit="C")
    if "glucose_mg_dl" in values:
        entry.update(glucose=values["glucose_mg_dl"], glucose_unit="mg/dL")
    if "weight_kg" in values:
        entry.update(weight=values["weight_kg"], weight_unit="kg")
    if "oxygen_l_min" in values:
        oxygen = values["oxygen_l_min"]
        entry.update(oxygen="oxygen" if oxygen else "room_air", oxygen_l_min=oxygen or None)
    return entry


FINDING_CHOICES = [
    *[(code, label) for code, label in triage.NURSE_FINDINGS],
    *[(code, label) for code, label in triage.COMPANION_SYMPTOMS],
    *[(code, label) for code, label in triage.SYMPTOMS],
    *[(code, label) for code, label in triage.MORE_SYMPTOMS],
]


class FindingsForm(VersionedForm):
    """What the nurse observes: the patient's symptom words plus nurse-only findings."""

    action = "findings"
    findings = forms.MultipleChoiceField(
        label="Observed findings",
        required=False,
        choices=FINDING_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].initial = list(self.patient.findings)


class IdentityForm(VersionedForm):
    """Complete the name and date of birth of a patient registered without them."""

    action = "identity"
    given_name = CleanText(label="First name", max_length=80)
    family_name = CleanText(label="Last name", max_length=80)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        patient = self.patient
        if not patient.alias:
            self.fields["given_name"].initial = patient.given_name
            self.fields["family_name"].initial = patient.family_name
        self.fields["date_of_birth"].initial = patient.date_of_birth

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born and born > clock.parse_iso(self.patient.created_at).date():
            raise forms.ValidationError("The date of birth is after the arrival.")
        return born


class AcknowledgeForm(VersionedForm):
    action = "acknowledge"


class AcuityForm(VersionedForm):
    action = "acuity"
    level = forms.TypedChoiceField(
        label="Acuity level", choices=[(str(n), f"Level {n}") for n in range(1, 6)], coerce=int
    )
    reason = CleanText(label="Reason for override", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].initial = self.patient.level


class RoomForm(VersionedForm):
    action = "room"
    room = forms.RegexField(
        label="Room",
        regex=r"^[A-Za-z0-9 #./-]{0,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": "Letters, digits, spaces and # . / - only."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].initial = self.patient.room or ""


class AssignForm(VersionedForm):
    """Who can be assigned: anyone takes a slot for themselves; a charge nurse picks from the
    hospital's roster."""

    action = "assign"
    slot = forms.ChoiceField(label="Role", choices=[("nurse", "Nurse"), ("physician", "Physician")])
    staff_id = forms.ChoiceField(label="Who")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(self.staff.staff_id, f"Me ({self.staff.name})")]
        if self.staff.role_at(self.hospital.hospital_id) == Role.CHARGE_NURSE:
            choices += [
                (member.staff_id, f"{member.name} ({member.role.label})")
                for member in self.hospital.roster
                if member.staff_id != self.staff.staff_id and member.role != Role.ADMIN
            ]
        self.fields["staff_id"].choices = choices


class StatusForm(VersionedForm):
    """The next step. Ending the visit asks first (`confirmed` is set by the confirmation)."""

    action = "status"
    status = forms.ChoiceField(label="Next step")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s.value, STATUS_LABELS[s]) for s in next_statuses(self.patient.status)
        ]

    @property
    def ends_visit(self) -> bool:
        return Status(self.cleaned_data["status"]) in DISPOSITIONS


class IsolationForm(VersionedForm):
    action = "isolation"
    isolation = forms.ChoiceField(
        label="Isolation",
        required=False,
        choices=[("", "None"), *ISOLATION_LABELS.items()],
        help_text="Shown as a flag on every queue row.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["isolation"].initial = self.patient.isolation


class DuplicateForm(VersionedForm):
    """Link a possible duplicate: which registration continues (the other one closes)."""

    action = "duplicate"
    keep = forms.ChoiceField(
        label="Which registration continues?",
        choices=[
            ("other", "The other one (close this one)"),
            ("this", "This one (close the other)"),
        ],
        widget=forms.RadioSelect,
        initial="other",
    )


class NotDuplicateForm(VersionedForm):
    action = "distinct"


class DisplayForm(Form):
    """A named waiting-room display link."""

    name = CleanText(
        label="Name of the screen",
        max_length=60,
        help_text="Where it hangs, for example “Main waiting room TV”.",
    )


SEX_CHOICES = [("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Unknown")]
AGE_UNITS = {"years": 365, "months": 30, "days": 1}


class QuickArrivalForm(VitalsFields, Form):
    """A patient who cannot use the phone form, registered by a clinician. Only sex, an age
    (estimated or a birth date), the arrival mode and the complaint are needed."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, widget=forms.RadioSelect)
    age = forms.IntegerField(label="Estimated age", min_value=0, max_value=125, required=False)
    age_unit = forms.ChoiceField(
        label="Age in",
        choices=[("years", "years"), ("months", "months"), ("days", "days")],
        required=False,
    )
    date_of_birth = forms.DateField(
        label="Date of birth (if known)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    given_name = CleanText(label="First name", max_length=80, required=False)
    family_name = CleanText(
        label="Last name",
        max_length=80,
        required=False,
        help_text="Leave both names empty for an unknown patient: an alias is given.",
    )
    arrival_mode = forms.ChoiceField(label="Arrived by", choices=list(ARRIVAL_MODES.items()))
    chief_complaint = CleanText(
        label="Chief complaint",
        max_length=500,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    findings = FindingsForm.base_fields["findings"]

    def __init__(self, *args, hospital: Hospital, **kwargs):
        kwargs.setdefault("auto_id", "arrival-%s")
        super().__init__(*args, **kwargs)
        self.hospital = hospital
        self.fields["temperature_unit"].initial = hospital.temperature_unit

    def clean(self):
        cleaned = forms.Form.clean(self)
        if cleaned.get("date_of_birth") is None and cleaned.get("age") is None:
            self.add_error("age", "Give an estimated age or a date of birth.")
        born = cleaned.get("date_of_birth")
        if born and born > clock.now_utc().date():
            self.add_error("date_of_birth", "The date of birth cannot be in the future.")
        if bool(cleaned.get("given_name")) and not cleaned.get("family_name"):
            self.add_error("family_name", "Give the last name too, or leave both names empty.")
        if any(cleaned.get(name) not in (None, "") for name in self.MEASURED):
            return super().clean()  # a first set of vitals: checked like any other set
        return cleaned

    def arrival(self, staff_id: str) -> StaffArrival:
        data = self.cleaned_data
        measured = any(data.get(name) not in (None, "") for name in self.MEASURED)
        return StaffArrival(
            staff_id=staff_id,
            sex=data["sex"],
            arrival_mode=data["arrival_mode"],
            chief_complaint=data["chief_complaint"],
            date_of_birth=data.get("date_of_birth"),
            estimated_age_days=(data.get("age") or 0) * AGE_UNITS[data.get("age_unit") or "years"],
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            findings=tuple(data.get("findings") or ()),
            vitals=tuple(sorted(self.values().items())) if measured else (),
            vitals_taken_at=self.taken_at_iso(self.hospital) if measured else None,
        )


# --- Calling the patient, "not a patient", undo ----------------------------------------------
ROOM_PLACE = "room"


class CallForm(VersionedForm):
    """ "Call to …": one of the hospital's places, or a room (the patient's, or typed in)."""

    action = "call"
    place = forms.ChoiceField(label="Call to")
    room = forms.RegexField(
        label="Room",
        regex=r"^[A-Za-z0-9 #./-]{0,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": "Letters, digits, spaces and # . / - only."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [
            *[(str(i), place.name) for i, place in enumerate(self.hospital.call_places)],
            (ROOM_PLACE, "A room (below)"),
        ]
        self.fields["room"].initial = self.patient.room or ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("place") == ROOM_PLACE and not (cleaned.get("room") or "").strip():
            self.add_error("room", "Enter the room to call the patient to.")
        return cleaned

    def call_place(self) -> CallPlace:
        """The place in the words the display and the patient read (English and Spanish)."""
        place = self.cleaned_data["place"]
        if place == ROOM_PLACE:
            room = " ".join(self.cleaned_data["room"].split())
            return CallPlace(f"Room {room}", f"Sala {room}")
        return self.hospital.call_places[int(place)]


class CallNoAnswerForm(VersionedForm):
    action = "call_no_answer"


class CallCancelForm(VersionedForm):
    action = "call_cancel"


class CloseForm(VersionedForm):
    """Close a registration that is not a patient (a test, a prank, a flood)."""

    action = "close"
    reason = CleanText(
        label="Why is this not a patient?",
        max_length=200,
        help_text="For example: test entry, prank, part of a flood of fake check-ins.",
    )


class ReopenForm(VersionedForm):
    action = "reopen"


class ReviewForm(Form):
    """Close (or reopen) several registrations of the check-in review at once. Each ticked box
    carries the patient id and the version the clinician saw."""

    patients = forms.MultipleChoiceField(label="Registrations", choices=())
    reason = CleanText(label="Why are these not patients?", max_length=200, required=False)
    do = forms.ChoiceField(choices=[("close", "Close"), ("reopen", "Reopen")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patients"].choices = [
            (value, value) for value in self.data.getlist("patients")[:MAX_REVIEW_SELECTION]
        ]

    def clean_patients(self):
        seen = {}
        for value in self.cleaned_data["patients"]:
            patient_id, _, version = value.partition(":")
            if not (len(patient_id) == 32 and patient_id.isalnum() and version.isdigit()):
                raise forms.ValidationError("Tick registrations from the list.")
            seen[patient_id] = int(version)
        if len(self.data.getlist("patients")) > MAX_REVIEW_SELECTION:
            raise forms.ValidationError(f"Tick at most {MAX_REVIEW_SELECTION} at a time.")
        return seen

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("do") == "close" and not cleaned.get("reason"):
            self.add_error("reason", "Give a reason for closing these registrations.")
        return cleaned


MAX_REVIEW_SELECTION = 100
