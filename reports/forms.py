from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError

from accounts.domain import Hospital
from solace.forms import Form

# A quarter at a time: with the period before it for the tiles' change, one Query reads at
# most 184 day items.
MAX_RANGE_DAYS = 92
DEFAULT_DAYS = 7
GROUPS = [("day", "By day"), ("week", "By week")]


class ReportFilterForm(Form):
    """Which hospital and which arrival dates (in the hospital's time zone)."""

    hospital = forms.ChoiceField(label="Hospital")
    date_from = forms.DateField(
        label="Arrivals from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label="Arrivals to", widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label="Trend", choices=GROUPS)

    def __init__(self, data, *, hospitals: list[Hospital], today_of):
        self.hospitals = {h.hospital_id: h for h in hospitals}
        chosen = self.hospitals.get(data.get("hospital", "")) or (
            hospitals[0] if hospitals else None
        )
        today = today_of(chosen) if chosen else None
        defaults = {
            "hospital": chosen.hospital_id if chosen else "",
            "date_from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat() if today else "",
            "date_to": today.isoformat() if today else "",
            "group": "day",
        }
        super().__init__({**defaults, **{k: v for k, v in data.items() if v != ""}})
        self.fields["hospital"].choices = [(h.hospital_id, h.name) for h in hospitals]
        self.today = today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise ValidationError("The start date is after the end date.")
            if (end - start).days + 1 > MAX_RANGE_DAYS:
                raise ValidationError(f"Choose at most {MAX_RANGE_DAYS} days at a time.")
            if self.today and start > self.today:
                raise ValidationError("The range starts in the future.")
        return cleaned

    @property
    def chosen_hospital(self) -> Hospital:
        return self.hospitals[self.cleaned_data["hospital"]]
