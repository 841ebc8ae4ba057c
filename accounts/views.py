"""Staff sign-in (password, then a second factor; or a passkey on its own), sign-out, set-up
links, second-factor enrolment, the person's own security page, and the start page that sends
each role where it works."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import second_factors, selectors, services
from accounts.decorators import role_required
from accounts.domain import CLINICAL_ROLES, Refused, Role, Staff
from accounts.forms import CodeForm, SetPasswordForm, SignInForm, UnlockForm
from solace.context import RequestContext

MAX_CREDENTIAL_BYTES = 16 * 1024


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.staff.is_authenticated:
        return HttpResponseRedirect(reverse("sign_in"))
    if request.staff.has_role(*CLINICAL_ROLES):
        return HttpResponseRedirect(reverse("cockpit:queue_page"))
    if request.staff.has_role(Role.ADMIN):
        return HttpResponseRedirect(reverse("console:staff"))
    return HttpResponseRedirect(reverse("security"))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _throttled_message(exc: services.SignInThrottled) -> str:
    return _(
        "Too many failed attempts. Wait %(minutes)d minutes, then try again, "
        "or sign in with a passkey."
    ) % {"minutes": exc.wait_minutes}


# --- Sign-in ----------------------------------------------------------------------------------
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
            except services.SignInThrottled as exc:
                form.add_error(None, _throttled_message(exc))
                status = 429
            except services.SignInFailed:
                form.add_error(None, _("That email and password do not match an active account."))
            else:
                return _after_password(request, staff)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/sign_in.html", context, status=status)


def _after_password(request: HttpRequest, staff: Staff) -> HttpResponse:
    step = services.second_step(staff)
    next_url = _safe_next(request)
    if not step:
        services.staff_sign_in(request, staff, "password")
        return HttpResponseRedirect(next_url, status=303)
    services.pending_sign_in_start(request, staff, step, next_url)
    target = "sign_in_verify" if step == "verify" else "sign_in_enrol"
    return HttpResponseRedirect(reverse(target), status=303)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a plain form with a `code` field (TOTP or recovery code), or a passkey."""
    pending = services.pending_sign_in(request)
    if pending is None or pending[1]["step"] != "verify":
        return HttpResponseRedirect(reverse("sign_in"))
    staff, state = pending
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                method = services.staff_verify_code(request, staff, form.cleaned_data["code"])
            except services.SignInThrottled as exc:
                form.add_error(None, _throttled_message(exc))
                status = 429
            except services.FactorFailed:
                form.add_error("code", _("That code is not right, or it was used already."))
            else:
                services.staff_sign_in(request, staff, f"password+{method}")
                return HttpResponseRedirect(state["next"], status=303)
    context = {"form": form, "pending_staff": staff}
    return render(request, "accounts/verify.html", context, status=status)


@never_cache
@require_GET
def sign_in_enrol(request: HttpRequest) -> HttpResponse:
    """A second factor is required and none is enrolled: enrol one now to finish signing in."""
    pending = services.pending_sign_in(request)
    if pending is None or pending[1]["step"] != "enrol":
        return HttpResponseRedirect(reverse("sign_in"))
    return render(request, "accounts/enrol.html", {"enrolling": pending[0], "mode": "enrol"})


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


# --- Passkeys (JSON for static/solace/passkeys.js) ----------------------------------------------
def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _credential(request: HttpRequest) -> str | None:
    credential = request.POST.get("credential", "")
    if not credential or len(credential) > MAX_CREDENTIAL_BYTES:
        return None
    try:
        json.loads(credential)
    except ValueError:
        return None
    return credential


@never_cache
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    """Options for navigator.credentials.get(). Purposes: `sign_in` (any passkey of this site),
    `second_factor` (the pending sign-in's), `reauthenticate` (the signed-in person's: the
    cockpit's locked view uses this)."""
    purpose = request.POST.get("purpose", "")
    staff = None
    if purpose == "second_factor":
        pending = services.pending_sign_in(request)
        if pending is None:
            return _json_error(_("Sign in again."), 401)
        staff = pending[0]
    elif purpose == "reauthenticate":
        if not request.staff.is_authenticated:
            return _json_error(_("Sign in again."), 401)
        staff = selectors.staff_by_id(request.staff.staff_id)
    elif purpose != "sign_in":
        return _json_error("unknown purpose")
    options = services.passkey_options(request, purpose, staff)
    return HttpResponse(options, content_type="application/json")


@never_cache
@require_POST
def passkey_verify(request: HttpRequest) -> HttpResponse:
    purpose = request.POST.get("purpose", "")
    credential = _credential(request)
    if credential is None:
        return _json_error(_("The passkey did not answer."))
    failed = _("That passkey was not accepted. Try again, or use your password.")
    if purpose == "reauthenticate":
        if not request.staff.is_authenticated:
            return _json_error(_("Sign in again."), 401)
        if services.staff_reauthenticate(request, passkey_credential=credential):
            if request.session.locked:  # the locked view: the passkey opens it too
                request.session.unlock()
            return JsonResponse({"ok": True})
        return _json_error(failed)
    next_url = reverse("home")
    if purpose == "second_factor":
        pending = services.pending_sign_in(request)
        if pending is None:
            return _json_error(_("Sign in again."), 401)
        next_url = pending[1]["next"]
    elif purpose != "sign_in":
        return _json_error("unknown purpose")
    else:
        next_url = _safe_next(request)
    try:
        staff = services.passkey_verify(request, purpose, credential)
    except services.FactorFailed:
        return _json_error(failed)
    services.staff_sign_in(request, staff, "passkey")
    return JsonResponse({"redirect": next_url})


def _enrolling(request: HttpRequest) -> tuple[Staff, str] | None:
    """Who is adding a second factor, and where they are: signed in ("security"), following
    their set-up link ("setup") or signing in without the factor they need ("enrol")."""
    if request.staff.is_authenticated:
        staff = selectors.staff_by_id(request.staff.staff_id)
        return (staff, "security") if staff else None
    key = request.session.get(services.SETUP_KEY)
    if key:
        staff = services.setup_staff(key)
        if staff is not None and staff.password_hash:
            return staff, "setup"
    pending = services.pending_sign_in(request)
    if pending is not None and pending[1]["step"] == "enrol":
        return pending[0], "enrol"
    return None


def _after_enrolment(request: HttpRequest, staff: Staff, mode: str) -> str:
    """Where to go once a second factor was added: recovery codes come with the first one."""
    staff = selectors.staff_by_id(staff.staff_id)
    services.enrolment_finished(request, staff)
    if mode == "setup":
        if not services.setup_finish(request, staff, request.session[services.SETUP_KEY]):
            return reverse("sign_in")
    elif mode == "enrol":
        next_url = request.session[services.PENDING_KEY]["next"]
        services.staff_sign_in(request, staff, "password+new factor")
        request.session["after_codes"] = next_url
    if request.session.get(services.NEW_CODES_KEY):
        return reverse("recovery_codes")
    return reverse("security")


@never_cache
@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    enrolling = _enrolling(request)
    if enrolling is None:
        return _json_error(_("Sign in again."), 401)
    options = services.passkey_register_options(request, enrolling[0])
    return HttpResponse(options, content_type="application/json")


@never_cache
@require_POST
def passkey_register(request: HttpRequest) -> HttpResponse:
    enrolling = _enrolling(request)
    if enrolling is None:
        return _json_error(_("Sign in again."), 401)
    credential = _credential(request)
    if credential is None:
        return _json_error(_("The passkey did not answer."))
    staff, mode = enrolling
    try:
        services.passkey_register(request, staff, credential)
    except services.FactorFailed:
        return _json_error(_("The passkey could not be added. Try again."))
    return JsonResponse({"redirect": _after_enrolment(request, staff, mode)})


# --- TOTP enrolment ---------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    enrolling = _enrolling(request)
    if enrolling is None:
        return HttpResponseRedirect(reverse("sign_in"))
    staff, mode = enrolling
    secret = services.totp_enrol_secret(request)
    form = CodeForm(
        request.POST or None, help_text=_("The 6-digit code your app shows for Solace.")
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.totp_enrol(request, staff, form.cleaned_data["code"])
            except services.FactorFailed:
                form.add_error("code", _("That code does not match. Check the app and try again."))
            else:
                return HttpResponseRedirect(_after_enrolment(request, staff, mode), status=303)
    uri = second_factors.totp_uri(secret, staff.email)
    context = {
        "form": form,
        "qr": second_factors.qr_data_uri(uri),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "mode": mode,
    }
    return render(request, "accounts/totp.html", context, status=status)


# --- Set-up links -----------------------------------------------------------------------------
def _link_gone(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/setup_gone.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, key: str) -> HttpResponse:
    """Step 1 of a set-up link: choose a password."""
    staff = services.setup_staff(key)
    if staff is None:
        return _link_gone(request)
    form = SetPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.setup_set_password(staff, form.cleaned_data["password"])
            except ValidationError as exc:
                form.add_error("password", exc)
            else:
                request.session.flush()
                request.session[services.SETUP_KEY] = key
                return HttpResponseRedirect(reverse("setup_factor", args=[key]), status=303)
    context = {"form": form, "person": staff}
    return render(request, "accounts/setup.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def setup_factor(request: HttpRequest, key: str) -> HttpResponse:
    """Step 2: a passkey or an authenticator app (required for admins, and for clinicians when
    the organization says so; otherwise it can wait)."""
    staff = services.setup_staff(key)
    if staff is None or request.session.get(services.SETUP_KEY) != key:
        return _link_gone(request)
    if not staff.password_hash:
        return HttpResponseRedirect(reverse("setup", args=[key]))
    required = services.second_factor_required(staff)
    if request.method == "POST":
        if required or not services.setup_finish(request, staff, key):
            return _link_gone(request)
        return HttpResponseRedirect(reverse("home"), status=303)
    context = {"enrolling": staff, "mode": "setup", "required": required, "setup_key": key}
    return render(request, "accounts/enrol.html", context)


# --- The person's own second factors ------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    if not request.staff.is_authenticated:
        return HttpResponseRedirect(reverse("sign_in") + "?next=" + reverse("security"))
    staff = selectors.staff_by_id(request.staff.staff_id)
    context = RequestContext.from_request(request)
    error = None
    if request.method == "POST":
        try:
            if "remove_passkey" in request.POST:
                credential_id = request.POST["remove_passkey"]
                if staff.passkey(credential_id) is not None:
                    services.passkey_remove(staff, credential_id, context)
            elif "disable_totp" in request.POST and staff.totp_enabled_at:
                services.totp_disable(staff, context)
            elif "new_codes" in request.POST and staff.has_second_factor:
                request.session[services.NEW_CODES_KEY] = services.recovery_codes_create(
                    staff, context
                )
                return HttpResponseRedirect(reverse("recovery_codes"), status=303)
        except Refused as exc:
            error = str(exc)
        else:
            return HttpResponseRedirect(reverse("security"), status=303)
    page = {
        "person": staff,
        "required": services.second_factor_required(staff),
        "error": error,
    }
    return render(request, "accounts/security.html", page, status=400 if error else 200)


@never_cache
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once."""
    if not request.staff.is_authenticated:
        return HttpResponseRedirect(reverse("sign_in"))
    codes = request.session.pop(services.NEW_CODES_KEY, None)
    if not codes:
        return HttpResponseRedirect(reverse("security"))
    next_url = request.session.pop("after_codes", None) or reverse("home")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
