"""Access checks for views: sign-in, role and hospital membership. Every staff URL uses them,
and every refusal is audited here, in one place (403 and 404 alike)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.domain import Role
from accounts.services import access_denied


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


def forbidden(request: HttpRequest, **kwargs) -> PermissionDenied:
    """Audit a refused page (with the patient id in its URL, if any) and return the 403."""
    patient_id = (getattr(request, "resolver_match", None) or _NoMatch).kwargs.get("patient_id")
    access_denied(request, status=403, patient_id=_short(patient_id), **kwargs)
    return PermissionDenied()


def not_found(request: HttpRequest, *, patient_id: str | None = None, detail: str = "") -> Http404:
    """Audit a look at something that is not this person's to see (another hospital's patient
    looks like no patient at all) and return the 404."""
    access_denied(request, status=404, patient_id=_short(patient_id), detail=detail)
    return Http404()


class _NoMatch:
    kwargs: dict = {}


def _short(patient_id: str | None) -> str | None:
    # Whatever was in the URL, bounded: a 64-character id at most reaches the trail.
    return patient_id[:64] if patient_id else None


def role_required(*roles: Role, when_locked: bool = False):
    """Signed in, with one of the given roles at some hospital (the view then checks the role at
    the hospital concerned: `require_role_at`); anyone else gets an audited 403. A locked session
    (idle too long) goes to the locked view, unless the view is one of the few open while
    locked (`when_locked`)."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.staff.is_authenticated:
                return _to_sign_in(request)
            if not request.staff.has_role(*allowed):
                raise forbidden(request)
            if not when_locked and request.session.locked:
                return _to_locked(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_membership(request: HttpRequest, hospital_id: str) -> None:
    """A hospital the staff member does not belong to looks like one that does not exist."""
    if not request.staff.is_member(hospital_id):
        raise not_found(request, detail=f"hospital={hospital_id[:64]}")


def require_role_at(request: HttpRequest, hospital_id: str, *roles: Role) -> None:
    """One of these roles at this hospital: not a member is a 404, another role a 403."""
    require_membership(request, hospital_id)
    if not request.staff.has_role_at(hospital_id, *roles):
        raise forbidden(request, detail=f"hospital={hospital_id}")
