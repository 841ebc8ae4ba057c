"""Clinician action forms. Every action carries the patient version the clinician saw."""

from __future__ import annotations

from django import forms

from cockpit.domain import STATUS_LABELS
from intake import triage
from intake.domain import Status
from solace.forms import AccessibleForm


class VersionedForm(AccessibleForm):
    """Carries the version the clinician saw; ids are prefixed so five forms share a page."""

    action = ""
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        super().__init__(*args, **kwargs)


def _measure(label, low, high, *, decimal=False):
    field = forms.DecimalField if decimal else forms.IntegerField
    kwargs = {"max_digits": 4, "decimal_places": 1} if decimal else {}
    return field(label=label, min_value=low, max_value=high, required=False, **kwargs)


class VitalsForm(VersionedForm):
    action = "vitals"
    heart_rate = _measure("Heart rate (bpm)", 0, 300)
    respiratory_rate = _measure("Respiratory rate (/min)", 0, 120)
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


class RoomForm(VersionedForm):
    action = "room"
    room = forms.RegexField(
        label="Room",
        regex=r"^[A-Za-z0-9 #./-]{0,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": "Letters, digits, spaces and # . / - only."},
    )


class AssignForm(VersionedForm):
    action = "assign"
    slot = forms.ChoiceField(choices=[("nurse", "Nurse"), ("physician", "Physician")])
    staff_id = forms.CharField(max_length=64)


class StatusForm(VersionedForm):
    action = "status"
    status = forms.ChoiceField(
        choices=[(s.value, STATUS_LABELS[s]) for s in Status if s in STATUS_LABELS]
    )
