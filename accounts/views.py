"""Staff sign-in and sign-out, and the start page that sends each role where it works."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.decorators import role_required
from accounts.domain import Role
from accounts.forms import SignInForm, UnlockForm
from solace.context import RequestContext


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.staff.is_authenticated:
        return HttpResponseRedirect(reverse("sign_in"))
    if request.staff.role == Role.ADMIN:
        return HttpResponseRedirect(reverse("console:audit"))
    return HttpResponseRedirect(reverse("cockpit:queue_page"))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            attempt = services.SignInAttempt(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                context=RequestContext.from_request(request),
            )
            try:
                staff = services.staff_authenticate(attempt)
            except services.SignInThrottled:
                form.add_error(
                    None,
                    _("Too many failed sign-in attempts. Wait 15 minutes, then try again."),
                )
                status = 429
            except services.SignInFailed:
                form.add_error(None, _("That email and password do not match an active account."))
            else:
                services.staff_sign_in(request, staff)
                return HttpResponseRedirect(_safe_next(request), status=303)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/sign_in.html", context, status=status)


@require_POST
@role_required(*Role, when_locked=True)
def unlock(request: HttpRequest) -> HttpResponse:
    """Unlock a locked screen with the password, back to the page it was on. A refusal goes
    back to the locked view, which says why; the password is never echoed."""
    back = _safe_next(request)
    if not request.session.locked:
        return HttpResponseRedirect(back, status=303)
    form = UnlockForm(request.POST)
    error = "missing"
    if form.is_valid():
        try:
            services.staff_unlock(request, form.cleaned_data["password"])
        except services.SignInThrottled:
            error = "throttled"
        except services.SignInFailed:
            error = "wrong"
        else:
            return HttpResponseRedirect(back, status=303)
    locked = settings.SOLACE_LOCKED_URL + "?" + urlencode({"next": back, "error": error})
    return HttpResponseRedirect(locked, status=303)


@require_POST
@role_required(*Role, when_locked=True)
def keepalive(request: HttpRequest) -> JsonResponse:
    """Someone is typing or clicking on a page that has not asked the server for a while
    (a long form): this request is the activity that keeps the screen from locking."""
    request.session.touch()
    return JsonResponse({"idle_seconds_left": request.session.idle_seconds_left})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.staff_sign_out(request)
    return HttpResponseRedirect(reverse("sign_in") + "?signed_out=1", status=303)
