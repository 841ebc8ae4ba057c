"""Times as people read them: in the hospital's time zone, with the zone named."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import template

from solace import clock

register = template.Library()


@register.filter
def local(iso_time: str | None, zone: str | None = "UTC") -> str:
    """ "2026-11-27 12:43:05 EST" from a stored UTC ISO time."""
    if not iso_time:
        return ""
    moment = clock.parse_iso(iso_time).astimezone(ZoneInfo(zone or "UTC"))
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z")


@register.filter
def local_minutes(iso_time: str | None, zone: str | None = "UTC") -> str:
    if not iso_time:
        return ""
    moment = clock.parse_iso(iso_time).astimezone(ZoneInfo(zone or "UTC"))
    return moment.strftime("%Y-%m-%d %H:%M %Z")


@register.filter
def local_epoch(epoch: int | None, zone: str | None = "UTC") -> str:
    if not epoch:
        return ""
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(int(epoch), UTC).astimezone(ZoneInfo(zone or "UTC"))
    return moment.strftime("%Y-%m-%d %H:%M %Z")
