"""Access checks for views: sign-in, role, hospital membership. Every staff URL uses them."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.domain import Role


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    target = settings.LOGIN_URL
    if request.method == "GET" and not request.htmx:
        target += "?" + urlencode({"next": request.get_full_path()})
    if request.htmx:
        # A fragment must not render the sign-in page inside itself: send the whole page there.
        response = HttpResponse(status=401)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def role_required(*roles: Role):
    """Signed in, with one of the given roles; other roles get 403."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.staff.is_authenticated:
                return _to_sign_in(request)
            if request.staff.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_membership(request: HttpRequest, hospital_id: str) -> None:
    """A hospital the staff member does not belong to looks like one that does not exist."""
    if not request.staff.is_member(hospital_id):
        raise Http404
