"""Numbers as the reports show them: whole minutes, percentages to one decimal, a dash for
"no data", and the unit written next to every value."""

from __future__ import annotations

from django import template

register = template.Library()


def cell_text(value, unit: str, *, with_unit: bool = True) -> str:
    if value is None or value == "":
        return "–" if with_unit else ""
    if unit == "text":
        return str(value)
    if unit == "min":
        text = str(round(value))
    elif unit == "%" or (isinstance(value, float) and not value.is_integer()):
        text = f"{value:.1f}"
    else:
        text = f"{int(value)}"
    if not with_unit or unit in ("", "visits"):
        return text
    return f"{text} {unit}"


@register.filter
def cell(value, unit: str) -> str:
    return cell_text(value, unit)


@register.filter
def signed(value, unit: str) -> str:
    """A change with its sign: +4 min, −1.2 %."""
    if value is None:
        return "–"
    text = cell_text(abs(value), unit)
    if round(value, 0 if unit == "min" else 1) == 0:
        return f"±{text}"
    return ("+" if value > 0 else "−") + text


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def svg(value) -> str:
    """A coordinate for SVG: always a dot decimal, whatever the page's locale."""
    return f"{float(value):.1f}"
