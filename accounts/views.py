"""Staff sign-in and sign-out, and the start page that sends each role where it works."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.domain import Role
from accounts.forms import SignInForm
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
def sign_out(request: HttpRequest) -> HttpResponse:
    services.staff_sign_out(request)
    return HttpResponseRedirect(reverse("sign_in") + "?signed_out=1", status=303)
