"""The top bar's Reports link (base.html), offered only to staff with a reporting role at the
hospital the page is about, or, on pages about no single hospital, at some hospital."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from accounts.domain import Role
from reports.selectors import reports_access, sees_reports

register = template.Library()


@register.simple_tag(takes_context=True)
def reports_nav_url(context) -> str:
    """The Reports link's address ("" for no link). Only called where the staff navigation is
    drawn, so error pages never read the session for it."""
    staff = context.get("staff")
    if staff is None or not staff.is_authenticated:
        return ""
    hospital_id = getattr(context.get("hospital"), "hospital_id", None)
    if hospital_id:
        if reports_access(staff, hospital_id) is None:
            return ""
        return reverse("reports:dashboard") + "?" + urlencode({"hospital": hospital_id})
    return reverse("reports:dashboard") if sees_reports(staff) else ""


@register.filter
def has_role_anywhere(staff, roles: str) -> bool:
    """Whether the staff member holds one of these roles ("nurse,admin") at some hospital: for
    links to pages that then check the role at the hospital concerned."""
    wanted = [Role(r.strip()) for r in roles.split(",")]
    return bool(staff is not None and staff.is_authenticated and staff.has_role(*wanted))
