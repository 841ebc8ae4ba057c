"""The patient intake form: every field validated, capped and normalized before any write."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from intake.domain import IntakeAnswers
from patients.domain import age_in_years
from solace import clock
from solace.forms import CleanText, Form
from triage import COMPANION_SYMPTOMS, SYMPTOMS

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
# Posted with the form but not answers: the token, the key, which step, the language buttons.
CONTROL_FIELDS = frozenset({"csrfmiddlewaretoken", "idempotency_key", "step", "back", "language"})


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


REGISTERING_CHOICES = [
    ("me", _("Myself (I am the patient)")),
    ("someone_else", _("Someone else (for example my child, or a person who cannot fill this in)")),
]


class DatePartsWidget(forms.MultiWidget):
    """Day, month and year as three labelled controls, in the order the reader's language
    writes dates (month first in English, day first in Spanish): the help text says the same."""

    template_name = "intake/widgets/date_parts.html"
    ORDER = {"es": (0, 1, 2)}  # day, month, year
    DEFAULT_ORDER = (1, 0, 2)  # month, day, year

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric", "pattern": "[0-9]*", "class": "date-part"}
        widgets = {
            "day": forms.TextInput(attrs={**number, "maxlength": "2", "autocomplete": "bday-day"}),
            "month": forms.Select(
                choices=[("", _("Month")), *[(str(n), MONTHS[n]) for n in range(1, 13)]],
                attrs={"autocomplete": "bday-month", "class": "date-part"},
            ),
            "year": forms.TextInput(
                attrs={**number, "maxlength": "4", "autocomplete": "bday-year"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = (_("Day"), _("Month"), _("Year"))
        order = self.ORDER.get(get_language(), self.DEFAULT_ORDER)
        subwidgets = context["widget"]["subwidgets"]
        context["widget"]["parts"] = [(labels[i], subwidgets[i]) for i in order]
        return context


class DatePartsHiddenWidget(forms.MultiWidget):
    """The three parts carried as hidden inputs while the other step is on screen."""

    def __init__(self, attrs=None):
        hidden = forms.HiddenInput
        super().__init__({"day": hidden, "month": hidden, "year": hidden}, attrs)

    def decompress(self, value):
        return DatePartsWidget.decompress(self, value)


class DatePartsField(forms.MultiValueField):
    widget = DatePartsWidget
    hidden_widget = DatePartsHiddenWidget
    default_error_messages = {
        "incomplete": _("Enter the day, month and year of birth."),
        "invalid": _("Please check the date of birth: the day is 1 to 31, the year has 4 numbers."),
        "no_such_date": _("That date does not exist. Please check the day and month."),
    }

    def __init__(self, **kwargs):
        parts = (
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1000, max_value=9999),
        )
        super().__init__(parts, require_all_fields=True, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            codes = {e.code for e in error.error_list}
            if codes & {"incomplete", "required"}:
                message = self.error_messages["incomplete"]
                raise ValidationError(message, code="incomplete") from error
            if "no_such_date" in codes:
                raise
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error

    def compress(self, data_list):
        if not data_list:
            return None
        day, month, year = data_list
        try:
            return date(year, month, day)
        except ValueError as error:
            message = self.error_messages["no_such_date"]
            raise ValidationError(message, code="no_such_date") from error


# The two steps of the form: who the patient is, then why they came. A POST without a step
# (or from the second step) registers; "Next" on the first checks only its own answers.
STEP_ONE = (
    "waiting_room_code",
    "registering_for",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "preferred_language",
)
STEP_TWO = (
    "companion_symptoms",
    "chief_complaint",
    "symptoms",
    "pain_score",
    "onset",
    "pregnant",
    "allergies",
    "medications",
    "conditions",
)


class IntakeForm(Form):
    waiting_room_code = forms.CharField(
        label=_("Waiting-room code"),
        max_length=8,
        help_text=_("The 4 numbers shown on the screen in the waiting room."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    registering_for = forms.ChoiceField(
        label=_("Who are you registering?"),
        choices=REGISTERING_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    given_name = _text(_("First name"), 80, required=True)
    family_name = _text(_("Last name"), 80, required=True)
    date_of_birth = DatePartsField(
        label=_("Date of birth"),
        # The same order as the three fields on screen, in each language.
        help_text=_("Month, day and year. For example: April 23 1980."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, widget=forms.RadioSelect)
    phone = _text(
        _("Mobile phone"), 30, help_text=_("Optional. Only used if we need to reach you.")
    )
    companion_symptoms = forms.MultipleChoiceField(
        label=_("Right now, is the person you are registering…"),
        choices=[(code, _(label)) for code, label in COMPANION_SYMPTOMS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("If any of these is true, go to the front desk now."),
        error_messages={"invalid_choice": _("Please choose only from the list.")},
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

    def __init__(self, *args, code_check: Callable[[str], bool] | None = None, **kwargs):
        """`code_check`: the hospital asks for the waiting-room code of the day (None: not)."""
        super().__init__(*args, **kwargs)
        self.code_check = code_check
        if code_check is None:
            del self.fields["waiting_room_code"]
        for field in self.fields.values():
            field.template_name = "intake/field.html"

    @classmethod
    def redisplay(cls, data, **kwargs) -> IntakeForm:
        """The answers as sent, shown again without judging them (a language switch, "Back",
        the next step): an unbound form whose initial values are the posted ones."""
        form = cls(**kwargs)
        form.initial = {
            name: field.widget.value_from_datadict(data, None, form.add_prefix(name))
            for name, field in form.fields.items()
        }
        return form

    def posted_names(self) -> frozenset[str]:
        """Every input name the form may post (the date's three parts, the controls)."""
        names = set(CONTROL_FIELDS)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.MultiWidget):
                names.update(name + suffix for suffix in widget.widgets_names)
            else:
                names.add(name)
        return frozenset(names)

    def fields_of(self, step: int) -> list:
        """The bound fields shown on a step."""
        names = STEP_ONE if step == 1 else STEP_TWO
        return [self[name] for name in names if name in self.fields]

    def hidden_of(self, step: int) -> list:
        """The other step's answers, carried along as hidden inputs."""
        return self.fields_of(2 if step == 1 else 1)

    def errors_of(self, step: int) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) of each error shown on a step: the error summary links
        each to its field. Errors that belong to no field come first, without a link."""
        names = STEP_ONE if step == 1 else STEP_TWO
        found = [("", "", str(error)) for error in self.non_field_errors()]
        for name in names:
            if name in self.errors:
                anchor = self._anchor(name)
                label = str(self.fields[name].label)
                found += [(anchor, label, str(error)) for error in self.errors[name]]
        return found

    def step_with_errors(self) -> int:
        """The first step holding an error (or 1 for errors of no field)."""
        if self.non_field_errors() or any(name in self.errors for name in STEP_ONE):
            return 1
        return 2

    def step_one_valid(self) -> bool:
        return not self.non_field_errors() and not any(n in self.errors for n in STEP_ONE)

    def _anchor(self, name: str) -> str:
        bound = self[name]
        widget = bound.field.widget
        if isinstance(widget, DatePartsWidget):
            first = widget.ORDER.get(get_language(), widget.DEFAULT_ORDER)[0]
            return f"{bound.auto_id}_{first}"
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"{bound.auto_id}_0"
        return bound.auto_id

    @property
    def companion(self) -> bool:
        return self.cleaned_data.get("registering_for") == "someone_else"

    def clean_waiting_room_code(self):
        code = "".join(self.cleaned_data["waiting_room_code"].split())
        if self.code_check is not None and not self.code_check(code):
            raise ValidationError(
                _("This code does not match the screen in the waiting room. Please check it."),
                code="wrong_code",
            )
        return code

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
        unknown = set(self.data) - self.posted_names()
        if unknown:
            raise ValidationError(_("The form contained unexpected fields."), code="unknown")
        if cleaned.get("companion_symptoms") and cleaned.get("registering_for") != "someone_else":
            self.add_error(
                "companion_symptoms",
                ValidationError(
                    _("These are only for someone registering another person."), code="companion"
                ),
            )
        return cleaned

    @property
    def wrong_code(self) -> bool:
        return self.has_error("waiting_room_code", "wrong_code")

    def answers(self) -> IntakeAnswers:
        data = self.cleaned_data
        return IntakeAnswers(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            chief_complaint=data["chief_complaint"],
            symptoms=tuple(sorted({*data["symptoms"], *data.get("companion_symptoms", ())})),
            pain_score=data["pain_score"],
            phone=data["phone"],
            onset=data["onset"],
            pregnant=data["pregnant"],
            allergies=data["allergies"],
            medications=data["medications"],
            conditions=data["conditions"],
            preferred_language=data["preferred_language"],
            companion=self.companion,
        )
