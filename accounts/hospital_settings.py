"""Hospital and organization settings, each defined once.

A setting is one entry of HOSPITAL_SETTINGS: its name (the hospital item's attribute, and the
`update_hospital --<name>` flag), label, default and the form field that validates it. The admin
page `/admin/hospitals/<slug>/`, the `update_hospital` command, the repository and the
organization's defaults for new hospitals (`org_default=True`) all read this list, so adding a
setting is adding an entry (and reading `hospital.settings[name]` where it is used).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError

from accounts.domain import (
    DEFAULT_CALL_PLACES,
    DEFAULT_REGISTRATION_WINDOW_MINUTES,
    DEFAULT_REGISTRATIONS_PER_ADDRESS,
    DEFAULT_REGISTRATIONS_PER_HOSPITAL,
    CallPlace,
)
from solace.forms import CleanText


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class WaitTargetsField(forms.CharField):
    """Five whole numbers of minutes, for acuity levels 1 to 5 ("0,10,30,60,120")."""

    minimum = 0

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            targets = tuple(int(part.strip()) for part in text.split(","))
        except ValueError as exc:
            raise ValidationError(self._message()) from exc
        if len(targets) != 5 or any(t < self.minimum or t > 24 * 60 for t in targets):
            raise ValidationError(self._message())
        return targets

    def _message(self) -> str:
        return f"Enter five whole numbers of minutes separated by commas, {self.minimum} or more."

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ",".join(str(v) for v in value)
        return value


class ReassessmentTargetsField(WaitTargetsField):
    """Five whole numbers of minutes between reassessments, for levels 1 to 5 (1 or more)."""

    minimum = 1


class CallPlacesField(forms.CharField):
    """Places staff call patients to, English|Spanish, separated by ";" (or one per line):
    "Triage desk|Mesa de triaje; Fast track|Vía rápida"."""

    MAX_PLACES, MAX_LENGTH = 30, 40

    def to_python(self, value):
        text = super().to_python(value)
        places = []
        for entry in re.split(r"[;\n]", text or ""):
            if not entry.strip():
                continue
            name, _, name_es = (part.strip() for part in entry.partition("|"))
            if not name or len(name) > self.MAX_LENGTH or len(name_es) > self.MAX_LENGTH:
                raise ValidationError(
                    f"A place is 1 to {self.MAX_LENGTH} characters, then |, then its Spanish name."
                )
            places.append(CallPlace(name, name_es))
        if not places or len(places) > self.MAX_PLACES:
            raise ValidationError(f"Give 1 to {self.MAX_PLACES} places.")
        return tuple(places)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "; ".join(f"{p.name}|{p.name_es}" if p.name_es else p.name for p in value)
        return value


class OnOffField(forms.TypedChoiceField):
    """A switch: "on" / "off" in forms and at the command line, a boolean stored."""

    def __init__(self, *, label: str, on: str):
        super().__init__(
            label=label, choices=[("off", "Off"), ("on", on)], coerce=lambda v: v == "on"
        )

    def prepare_value(self, value):
        return ("on" if value else "off") if isinstance(value, bool) else value


def _count(label: str, low: int, high: int) -> Callable[[], forms.Field]:
    return lambda: forms.IntegerField(label=label, min_value=low, max_value=high)


@dataclass(frozen=True)
class Setting:
    name: str
    label: str
    help: str
    default: Any
    field: Callable[[], forms.Field]
    org_default: bool = False  # an organization sets it for its new hospitals
    from_item: Callable[[Any], Any] = lambda value: value  # stored value -> Python
    to_item: Callable[[Any], Any] = lambda value: value  # Python -> stored value

    def as_text(self, value: Any) -> str:
        return self.field().prepare_value(value) if value is not None else ""

    def clean(self, text: str) -> Any:
        """A value typed at a command line, validated like the form's (ValidationError)."""
        return self.field().clean(text)


HOSPITAL_SETTINGS: tuple[Setting, ...] = (
    Setting(
        name="name",
        label="Name",
        help="As staff and patients see it.",
        default="",
        field=lambda: CleanText(label="Name", max_length=100),
    ),
    Setting(
        name="timezone",
        label="Time zone",
        help="Times on every page of this hospital, and its day for the audit trail.",
        default="UTC",
        field=lambda: forms.ChoiceField(label="Time zone", choices=timezone_choices()),
        org_default=True,
    ),
    Setting(
        name="wait_targets",
        label="Long-wait targets (minutes)",
        help="Minutes before a waiting patient is flagged, for levels 1 to 5, e.g. 0,10,30,60,120.",
        default=(0, 10, 30, 60, 120),
        field=lambda: WaitTargetsField(label="Long-wait targets (minutes)", max_length=40),
        org_default=True,
        from_item=lambda value: tuple(int(v) for v in value),
        to_item=list,
    ),
    Setting(
        name="reassessment_targets",
        label="Reassessment targets (minutes)",
        help="Minutes between reassessments of a patient not yet seen, for levels 1 to 5, "
        "e.g. 5,15,30,60,120.",
        default=(5, 15, 30, 60, 120),
        field=lambda: ReassessmentTargetsField(
            label="Reassessment targets (minutes)", max_length=40
        ),
        org_default=True,
        from_item=lambda value: tuple(int(v) for v in value),
        to_item=list,
    ),
    Setting(
        name="temperature_unit",
        label="Temperature unit",
        help="How staff pages show temperatures (C or F); a nurse may enter either.",
        default="C",
        field=lambda: forms.ChoiceField(
            label="Temperature unit", choices=[("C", "°C (Celsius)"), ("F", "°F (Fahrenheit)")]
        ),
    ),
    Setting(
        name="call_places",
        label="Call places",
        help="Where staff call patients to: English|Spanish, separated by ';'. "
        "A room can always be typed in as well.",
        default=DEFAULT_CALL_PLACES,
        field=lambda: CallPlacesField(
            label="Call places", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
        ),
        from_item=lambda value: tuple(CallPlace(p["name"], p.get("name_es") or "") for p in value),
        to_item=lambda value: [{"name": p.name, "name_es": p.name_es} for p in value],
    ),
    Setting(
        name="registrations_per_address",
        label="Check-ins per address",
        help="Self check-ins allowed from one client address per window (0: no limit). "
        "A waiting room shares one guest Wi-Fi: leave room for families.",
        default=DEFAULT_REGISTRATIONS_PER_ADDRESS,
        field=_count("Check-ins per address", 0, 100_000),
        org_default=True,
    ),
    Setting(
        name="registrations_per_hospital",
        label="Check-ins per hospital",
        help="Self check-ins allowed for the whole hospital per window (0: no limit).",
        default=DEFAULT_REGISTRATIONS_PER_HOSPITAL,
        field=_count("Check-ins per hospital", 0, 100_000),
        org_default=True,
    ),
    Setting(
        name="registration_window_minutes",
        label="Check-in limit window (minutes)",
        help="The window the two limits above are counted in.",
        default=DEFAULT_REGISTRATION_WINDOW_MINUTES,
        field=_count("Check-in limit window (minutes)", 1, 24 * 60),
        org_default=True,
    ),
    Setting(
        name="waiting_room_code",
        label="Waiting-room code",
        help="The form asks for the day's code shown on the waiting-room display "
        "(proves the person is in the waiting room).",
        default=False,
        field=lambda: OnOffField(
            label="Waiting-room code", on="On: the form asks for the day's code"
        ),
        from_item=bool,
    ),
)

SETTINGS_BY_NAME = {s.name: s for s in HOSPITAL_SETTINGS}


def hospital_defaults(organization_defaults: dict[str, Any]) -> dict[str, Any]:
    """Every setting's starting value for a new hospital of an organization."""
    return {
        s.name: organization_defaults.get(s.name, s.default) if s.org_default else s.default
        for s in HOSPITAL_SETTINGS
    }


def hospital_settings_form(*, initial: dict[str, Any], data=None) -> forms.Form:
    """A form with one field per setting (built from the list, nothing else)."""
    from solace.forms import Form

    form_class = type(
        "HospitalSettingsForm",
        (Form,),
        {s.name: _with_help(s) for s in HOSPITAL_SETTINGS},
    )
    return form_class(data, initial=initial)


def organization_defaults_fields() -> dict[str, forms.Field]:
    """Fields for the organization's defaults of new hospitals (`default_<name>`)."""
    fields = {}
    for s in HOSPITAL_SETTINGS:
        if s.org_default:
            field = _with_help(s)
            field.label = f"New hospitals: {s.label[0].lower()}{s.label[1:]}"
            field.required = False
            fields[f"default_{s.name}"] = field
    return fields


def _with_help(setting: Setting) -> forms.Field:
    field = setting.field()
    field.help_text = setting.help
    return field
