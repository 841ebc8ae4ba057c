"""Hospital and organization settings, each defined once.

A setting is one entry of HOSPITAL_SETTINGS: its name (the hospital item's attribute, and the
`update_hospital --<name>` flag), label, default and the form field that validates it. The admin
page `/admin/hospitals/<slug>/`, the `update_hospital` command, the repository and the
organization's defaults for new hospitals (`org_default=True`) all read this list, so adding a
setting is adding an entry (and reading `hospital.settings[name]` where it is used).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError

from solace.forms import CleanText


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class WaitTargetsField(forms.CharField):
    """Five whole numbers of minutes, for acuity levels 1 to 5 ("0,10,30,60,120")."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            targets = tuple(int(part.strip()) for part in text.split(","))
        except ValueError as exc:
            raise ValidationError(
                "Enter five whole numbers of minutes separated by commas, 0 or more."
            ) from exc
        if len(targets) != 5 or any(t < 0 or t > 24 * 60 for t in targets):
            raise ValidationError(
                "Enter five whole numbers of minutes separated by commas, 0 or more."
            )
        return targets

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ",".join(str(v) for v in value)
        return value


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
        name="temperature_unit",
        label="Temperature unit",
        help="How staff pages show temperatures (C or F); a nurse may enter either.",
        default="C",
        field=lambda: forms.ChoiceField(
            label="Temperature unit", choices=[("C", "°C (Celsius)"), ("F", "°F (Fahrenheit)")]
        ),
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
