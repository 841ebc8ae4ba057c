"""request.staff from the session, and the idle deadline that real interaction moves."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from accounts.domain import ANONYMOUS, SignedInStaff
from accounts.session_backend import STAFF_SESSION_KEY


def passive(view):
    """Mark a view as passive (a poll): it never extends the session's idle deadline."""
    view.solace_passive = True
    return view


class StaffMiddleware:
    """Sets request.staff from the session (no extra read) and extends the idle deadline.

    Only a request whose view read the session moves the deadline, and never a 5xx: an error
    page (a DynamoDB outage) makes no data-store call, and a page that did not look at the
    session (public pages, a 404) costs no read of it. Every response to a signed-in staff
    member is `Cache-Control: no-store`: no browser, proxy or Back button keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.staff = SimpleLazyObject(lambda: _staff_from_session(request))
        response = self.get_response(request)
        staff_response = getattr(request, "solace_staff_read", False) and (
            request.staff.is_authenticated
        )
        if staff_response and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        if (
            staff_response
            and response.status_code < 500
            and not getattr(request, "solace_passive", False)
        ):
            request.session.touch()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "solace_passive", False):
            request.solace_passive = True


def _staff_from_session(request: HttpRequest):
    data = request.session.get(STAFF_SESSION_KEY)
    request.solace_staff_read = True
    return SignedInStaff.from_session(data) if data else ANONYMOUS
