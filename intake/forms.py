"""The patient intake form: every field validated, capped and normalized before any write."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.domain import IntakeAnswers
from patients.domain import age_in_years
from solace import clock
from solace.forms import CleanText, Form
from triage import SYMPTOMS

MAX_AGE_YEARS = 125
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")

SEX_CHOICES = [
    ("female", _("Female")),
    ("male", _("Male")),
    ("other", _("Other")),
    ("unknown", _("Prefer not to say")),
]
ONSET_CHOICES = [
    ("", _("Choose one (optional)")),
    ("under_1h", _("Less than an hour ago")),
    ("today", _("Earlier today")),
    ("1_3_days", _("1 to 3 days ago")),
    ("4_7_days", _("4 to 7 days ago")),
    ("over_week", _("More than a week ago")),
]
PREGNANT_CHOICES = [
    ("", _("Does not apply")),
    ("yes", _("Yes")),
    ("no", _("No")),
    ("unsure", _("Not sure")),
]
PAIN_CHOICES = [
    ("", _("Choose a number (optional)")),
    ("0", _("0 — no pain")),
    *[(str(n), str(n)) for n in range(1, 10)],
    ("10", _("10 — worst pain imaginable")),
]
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("es", "Español"),
    ("zh", "中文"),
    ("vi", "Tiếng Việt"),
    ("ar", "العربية"),
    ("fr", "Français"),
    ("other", _("Other language")),
]
# Staff pages show the answers in these words (English: the staff's language).
SEX_LABELS = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Not given"}
ONSET_LABELS = {code: label for code, label in ONSET_CHOICES if code}
PREGNANT_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
LANGUAGE_LABELS = {"other": "Another language", **dict(LANGUAGE_CHOICES[:-1])}
CONTROL_FIELDS = frozenset({"csrfmiddlewaretoken", "idempotency_key"})


def _text(label, max_length, *, required=False, multiline=False, help_text=""):
    widget = forms.Textarea(attrs={"rows": 3}) if multiline else forms.TextInput()
    return CleanText(
        label=label,
        max_length=max_length,
        required=required,
        multiline=multiline,
        help_text=help_text,
        widget=widget,
    )


class IntakeForm(Form):
    given_name = _text(_("First name"), 80, required=True)
    family_name = _text(_("Last name"), 80, required=True)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Year, month, day (for example 1980-04-23)."),
        error_messages={"invalid": _("Enter the date as year-month-day, like 1980-04-23.")},
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, widget=forms.RadioSelect)
    phone = _text(
        _("Mobile phone"), 30, help_text=_("Optional. Only used if we need to reach you.")
    )
    chief_complaint = _text(
        _("What brings you in today?"),
        500,
        required=True,
        multiline=True,
        help_text=_("In your own words."),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Do you have any of these right now?"),
        choices=[(code, _(label)) for code, label in SYMPTOMS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please choose only from the list.")},
    )
    pain_score = forms.TypedChoiceField(
        label=_("How bad is your pain, from 0 to 10?"),
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    onset = forms.ChoiceField(
        label=_("When did this start?"), choices=ONSET_CHOICES, required=False
    )
    pregnant = forms.ChoiceField(
        label=_("Could you be pregnant?"),
        choices=PREGNANT_CHOICES,
        required=False,
        help_text=_("Only if it applies to you."),
    )
    allergies = _text(
        _("Allergies"), 500, multiline=True, help_text=_("Medicines, foods or other. Optional.")
    )
    medications = _text(_("Medicines you take"), 500, multiline=True, help_text=_("Optional."))
    conditions = _text(
        _("Health conditions"),
        500,
        multiline=True,
        help_text=_("For example diabetes, asthma, heart problems. Optional."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Which language do you prefer?"), choices=LANGUAGE_CHOICES, required=False
    )

    def clean_given_name(self):
        return self._clean_name("given_name")

    def clean_family_name(self):
        return self._clean_name("family_name")

    def _clean_name(self, field: str) -> str:
        value = " ".join(self.cleaned_data[field].split())
        if not any(ch.isalpha() for ch in value) or any(ch in value for ch in "<>{}[]\\"):
            raise ValidationError(_("Please enter a name with letters."), code="name")
        return value

    def clean_date_of_birth(self):
        born: date = self.cleaned_data["date_of_birth"]
        today = clock.now_utc().date()
        if born > today:
            raise ValidationError(_("The date of birth cannot be in the future."), code="future")
        if age_in_years(born, today) > MAX_AGE_YEARS:
            raise ValidationError(_("Please check the year of birth."), code="too_old")
        return born

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone and not _PHONE.match(phone):
            raise ValidationError(
                _("Enter a phone number with digits only, like +1 555 123 4567."), code="phone"
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        unknown = set(self.data) - set(self.fields) - CONTROL_FIELDS
        if unknown:
            raise ValidationError(_("The form contained unexpected fields."), code="unknown")
        return cleaned

    def answers(self) -> IntakeAnswers:
        data = self.cleaned_data
        return IntakeAnswers(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            chief_complaint=data["chief_complaint"],
            symptoms=tuple(data["symptoms"]),
            pain_score=data["pain_score"],
            phone=data["phone"],
            onset=data["onset"],
            pregnant=data["pregnant"],
            allergies=data["allergies"],
            medications=data["medications"],
            conditions=data["conditions"],
            preferred_language=data["preferred_language"],
        )
