"""Access checks for views: sign-in, role, hospital membership. Every staff URL uses them."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode, urlsplit

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


def _same_site_path(request: HttpRequest, url: str) -> str:
    """The path (and query) of a URL of this site, or "" for anything else."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        return ""
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else ""


def _to_locked(request: HttpRequest) -> HttpResponse:
    """A locked session: to the locked view, which comes back to this page once unlocked."""
    if request.method == "GET" and not request.htmx:
        back = request.get_full_path()
    else:  # a fragment or a form: come back to the page it belongs to
        back = _same_site_path(
            request, request.headers.get("HX-Current-URL") or request.headers.get("Referer", "")
        )
    target = settings.SOLACE_LOCKED_URL + ("?" + urlencode({"next": back}) if back else "")
    if request.htmx:
        response = HttpResponse(status=401)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target, status=303)


def is_locked(request: HttpRequest) -> bool:
    return request.staff.is_authenticated and request.session.locked


def role_required(*roles: Role, when_locked: bool = False):
    """Signed in, with one of the given roles; other roles get 403. A locked session (idle too
    long) goes to the locked view, unless the view is one of the few open while locked."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.staff.is_authenticated:
                return _to_sign_in(request)
            if request.staff.role not in allowed:
                raise PermissionDenied
            if not when_locked and request.session.locked:
                return _to_locked(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_membership(request: HttpRequest, hospital_id: str) -> None:
    """A hospital the staff member does not belong to looks like one that does not exist."""
    if not request.staff.is_member(hospital_id):
        raise Http404
