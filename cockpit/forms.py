"""Clinician action forms. Every action carries the patient version the clinician saw."""

from __future__ import annotations

from django import forms

import triage
from accounts.domain import Hospital, Role, SignedInStaff
from patients.domain import STATUS_LABELS, Patient, next_statuses
from solace.forms import Form


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


def _measure(label, low, high, *, decimal=False):
    field = forms.DecimalField if decimal else forms.IntegerField
    kwargs = {"max_digits": 4, "decimal_places": 1} if decimal else {}
    return field(label=label, min_value=low, max_value=high, required=False, **kwargs)


class VitalsForm(VersionedForm):
    action = "vitals"
    heart_rate = _measure("Heart rate (beats/min)", 0, 300)
    respiratory_rate = _measure("Respiratory rate (breaths/min)", 0, 120)
    spo2 = _measure("SpO₂ (%)", 0, 100)
    systolic = _measure("Systolic BP (mmHg)", 0, 300)
    diastolic = _measure("Diastolic BP (mmHg)", 0, 200)
    temperature_c = _measure("Temperature (°C)", 25, 45, decimal=True)
    pain = _measure("Pain (0 to 10)", 0, 10)

    def clean(self):
        cleaned = super().clean()
        measured = [k for k in triage.Vitals.__dataclass_fields__ if cleaned.get(k) is not None]
        if not measured and not self.errors:
            raise forms.ValidationError("Enter at least one measurement.")
        return cleaned

    def vitals(self) -> triage.Vitals:
        data = self.cleaned_data
        temperature = data.get("temperature_c")
        return triage.Vitals(
            heart_rate=data.get("heart_rate"),
            respiratory_rate=data.get("respiratory_rate"),
            spo2=data.get("spo2"),
            systolic=data.get("systolic"),
            diastolic=data.get("diastolic"),
            temperature_c=float(temperature) if temperature is not None else None,
            pain=data.get("pain"),
        )


class AcuityForm(VersionedForm):
    action = "acuity"
    level = forms.TypedChoiceField(
        label="Acuity level", choices=[(str(n), f"Level {n}") for n in range(1, 6)], coerce=int
    )
    reason = forms.CharField(
        label="Reason for override", max_length=300, required=False, widget=forms.TextInput
    )

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
    action = "status"
    status = forms.ChoiceField(label="Next step")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s.value, STATUS_LABELS[s]) for s in next_statuses(self.patient.status)
        ]
