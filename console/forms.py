import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError

from accounts import repository as accounts_repository
from accounts.domain import Role
from accounts.hospital_settings import organization_defaults_fields
from audit.domain import Action
from console.selectors import ALL, AuditFilter
from solace import clock
from solace.forms import CleanText, Form

MAX_RANGE_DAYS = 366
_PATIENT_ID = re.compile(r"^[0-9a-f]{32}$")
_ACTOR_ID = re.compile(r"^([0-9a-f]{32}|intake:[0-9a-f]{24}|system|unknown-account)$")


class AuditFilterForm(Form):
    hospital = forms.ChoiceField(label="Hospital", required=False)
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    actor = CleanText(
        label="Person", required=False, max_length=254, help_text="Staff email or id."
    )
    patient = CleanText(label="Patient id", required=False, max_length=64)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[
            ("", "Any action"),
            *sorted(((a.value, a.label) for a in Action), key=lambda c: c[1]),
        ],
    )
    show_audit_use = forms.BooleanField(label="Show admins' browsing of the trail", required=False)

    def __init__(self, data, *, partitions: list[tuple[str, str]], default: str, zones, staff):
        today = clock.now_utc().date()
        defaults = {
            "hospital": default,
            "date_from": (today - timedelta(days=7)).isoformat(),
            "date_to": today.isoformat(),
        }
        super().__init__({**defaults, **{k: v for k, v in data.items() if v != ""}})
        self.fields["hospital"].choices = [(ALL, "All my hospitals"), *partitions]
        self.zones = zones
        self.staff = staff
        zone = zones.get(self.data.get("hospital")) or zones.get(ALL, "UTC")
        for name in ("date_from", "date_to"):
            self.fields[name].help_text = f"Days in {zone}."

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
        # Filters end up in the audit entry of this search: ids only, never a typed-in name.
        actor = cleaned.get("actor", "").strip()
        if "@" in actor:
            staff = accounts_repository.staff_get_by_email(actor)
            # Only this organization's people: other organizations' emails stay unknown.
            if staff is None or staff.organization_id != self.staff.organization_id:
                self.add_error("actor", "No staff member of your organization has that email.")
            else:
                cleaned["actor"] = staff.staff_id
        elif actor and not _ACTOR_ID.match(actor):
            self.add_error("actor", "Enter a staff email, a staff id or an intake:… id.")
        return cleaned

    def audit_filter(self) -> AuditFilter:
        data = self.cleaned_data
        partition = data["hospital"] or ALL
        return AuditFilter(
            partition=partition,
            date_from=data["date_from"],
            date_to=data["date_to"],
            zone=self.zones.get(partition) or self.zones.get(ALL, "UTC"),
            actor_id=data["actor"].strip(),
            patient_id=data["patient"].strip(),
            action=data["action"],
            hide_audit_use=not data["show_audit_use"],
        )


class AccessReportForm(Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, first_day):
        today = clock.now_utc().date()
        defaults = {"date_from": first_day.isoformat(), "date_to": today.isoformat()}
        super().__init__({**defaults, **{k: v for k, v in data.items() if v != ""}})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise ValidationError("The start date is after the end date.")
            if (end - start).days > MAX_RANGE_DAYS:
                raise ValidationError("Choose at most a year at a time.")
        return cleaned


# --- Staff, organization and hospital settings ---------------------------------------------------
NO_ROLE = ""
ROLE_CHOICES = [(NO_ROLE, "— no role —"), *[(r.value, r.label) for r in Role]]


class StaffRolesForm(Form):
    """A role (or none) at each hospital the admin administers; nothing else can be granted."""

    def __init__(self, data=None, *, hospitals, current: dict | None = None, require_one=False):
        super().__init__(data)
        self.hospitals = hospitals
        self.require_one = require_one
        current = current or {}
        for hospital in hospitals:
            role = current.get(hospital.hospital_id)
            self.fields[f"role_{hospital.hospital_id}"] = forms.ChoiceField(
                label=f"Role at {hospital.name}",
                choices=ROLE_CHOICES,
                required=False,
                initial=role.value if role else NO_ROLE,
            )

    def clean(self):
        cleaned = super().clean()
        if self.require_one and not any(self.roles().values()):
            raise ValidationError("Choose a role at one hospital at least.")
        return cleaned

    def roles(self) -> dict[str, Role | None]:
        return {
            h.hospital_id: Role(value)
            if (value := self.cleaned_data.get(f"role_{h.hospital_id}"))
            else None
            for h in self.hospitals
        }


class NewStaffForm(StaffRolesForm):
    def __init__(self, data=None, *, hospitals):
        super().__init__(data, hospitals=hospitals, require_one=True)
        self.fields = {
            "name": CleanText(label="Full name", max_length=100),
            "email": forms.EmailField(label="Email", max_length=254),
            **self.fields,
        }


class OrganizationForm(Form):
    name = CleanText(label="Name", max_length=100)
    clinicians_need_second_factor = forms.BooleanField(
        label="Clinicians must use a second factor (passkey or authenticator app)",
        required=False,
        help_text="Admins always must. Clinicians without one enrol one at their next sign-in.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(organization_defaults_fields())

    def hospital_defaults(self) -> dict:
        return {
            name.removeprefix("default_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("default_")
        }
