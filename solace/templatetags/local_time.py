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
