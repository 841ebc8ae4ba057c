"""Times as people read them: in the hospital's time zone, relative where it helps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template

from solace import clock

register = template.Library()


def _moment(value: str | datetime | None, zone: str) -> datetime | None:
    if not value:
        return None
    moment = clock.parse_iso(value) if isinstance(value, str) else value
    return moment.astimezone(ZoneInfo(zone or "UTC"))


@register.filter
def local_time(value: str | None, zone: str) -> str:
    """ "14:02" today, "Thu 26 Nov 14:02" another day (hospital time)."""
    moment = _moment(value, zone)
    if moment is None:
        return ""
    if moment.date() == clock.now_utc().astimezone(moment.tzinfo).date():
        return moment.strftime("%H:%M")
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


@register.filter
def local_datetime(value: str | None, zone: str) -> str:
    """ "Thu 26 Nov 2026, 14:02" (hospital time)."""
    moment = _moment(value, zone)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}" if moment else ""


@register.filter
def time_ago(value: str | None) -> str:
    """ "just now", "38 min ago", "2 h 5 min ago", "3 days ago"."""
    if not value:
        return ""
    minutes = int((clock.now_utc() - clock.parse_iso(value)).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min ago" if rest else f"{hours} h ago"
    days = minutes // (24 * 60)
    return "1 day ago" if days == 1 else f"{days} days ago"


@register.filter
def zone_name(zone: str) -> str:
    """'America/New_York' as people say it: 'New York time'."""
    if "/" not in zone:
        return zone
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


@register.simple_tag
def now_local(zone: str) -> str:
    """The time now, "14:02:11" (hospital time): a screen's "last updated"."""
    return clock.now_utc().astimezone(ZoneInfo(zone or "UTC")).strftime("%H:%M:%S")


@register.filter
def minutes_since(value: str | None) -> int:
    if not value:
        return 0
    return max(0, int((clock.now_utc() - clock.parse_iso(value)).total_seconds() // 60))


@register.filter
def due_text(value: str | None) -> str:
    """ "due in 12 min", "due now", "overdue by 5 min" (a reassessment's due time)."""
    if not value:
        return ""
    minutes = int((clock.parse_iso(value) - clock.now_utc()).total_seconds() // 60)
    if minutes > 0:
        return f"due in {minutes} min"
    if minutes == 0:
        return "due now"
    return f"overdue by {-minutes} min"


@register.filter
def rule_label(rule_id: str) -> str:
    """A triage rule id in words: "B.stroke_signs" -> "rule B: stroke signs" (the exact id
    stays in the page's markup for looking it up in docs/TRIAGE.md)."""
    point, _, name = (rule_id or "").partition(".")
    return f"rule {point}: {name.replace('_', ' ')}" if name else rule_id
