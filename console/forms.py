import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError

from accounts import repository as accounts_repository
from audit.domain import Action
from console.selectors import AuditFilter
from solace import clock
from solace.forms import CleanText, Form

MAX_RANGE_DAYS = 366
_PATIENT_ID = re.compile(r"^[0-9a-f]{32}$")
_ACTOR_ID = re.compile(r"^([0-9a-f]{32}|intake:[0-9a-f]{24}|system|unknown-account)$")


class AuditFilterForm(Form):
    hospital = forms.ChoiceField(label="Hospital", required=False)
    date_from = forms.DateField(label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    actor = CleanText(
        label="Actor", required=False, max_length=254, help_text="Staff email or actor id."
    )
    patient = CleanText(label="Patient id", required=False, max_length=64)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *[(a.value, a.value) for a in Action]],
    )

    def __init__(self, data, *, partitions: list[tuple[str, str]]):
        today = clock.now_utc().date()
        defaults = {
            "hospital": partitions[0][0] if partitions else "",
            "date_from": (today - timedelta(days=7)).isoformat(),
            "date_to": today.isoformat(),
        }
        super().__init__({**defaults, **{k: v for k, v in data.items() if v != ""}})
        self.fields["hospital"].choices = [("", "All my hospitals"), *partitions]

    def clean_patient(self):
        patient = self.cleaned_data["patient"].strip()
        if patient and not _PATIENT_ID.match(patient):
            raise ValidationError("Enter a patient id: 32 letters and digits from the record.")
        return patient

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise ValidationError("The start date is after the end date.")
            if (end - start).days > MAX_RANGE_DAYS:
                raise ValidationError("Choose at most a year at a time.")
        if not cleaned.get("hospital") and not (cleaned.get("actor") or cleaned.get("patient")):
            raise ValidationError("Choose a hospital, or filter by actor or patient.")
        # Filters end up in the audit entry of this search: ids only, never a typed-in name.
        actor = cleaned.get("actor", "").strip()
        if "@" in actor:
            staff = accounts_repository.staff_get_by_email(actor)
            if staff is None:
                self.add_error("actor", "No staff member has that email.")
            else:
                cleaned["actor"] = staff.staff_id
        elif actor and not _ACTOR_ID.match(actor):
            self.add_error("actor", "Enter a staff email, a staff id or an intake:… id.")
        return cleaned

    def audit_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            partition=data["hospital"] or None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            actor_id=data["actor"].strip(),
            patient_id=data["patient"].strip(),
            action=data["action"],
        )
