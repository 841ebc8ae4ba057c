"""Admin pages of the patient journey (issue 14): kiosks (enrolled with a one-time link,
revocable) and each hospital's QR poster. Admins only, for the hospitals they administer;
every change and every poster is audited."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import repository as accounts_repository
from accounts.decorators import role_required
from accounts.domain import Hospital, Role
from accounts.selectors import hospital_by_slug
from accounts.services import actor_of
from audit.domain import Action
from audit.services import audit_record
from intake import selectors as intake_selectors
from intake import services as intake_services
from solace.context import RequestContext
from solace.forms import CleanText, Form

admins_only = role_required(Role.ADMIN)
NEW_LINK_SESSION_KEY = "console_new_kiosk_link"


class KioskForm(Form):
    hospital = forms.ChoiceField(label="Hospital")
    name = CleanText(
        label="Kiosk name",
        max_length=60,
        help_text="Where it stands, as staff call it: for example “Lobby kiosk 1”.",
    )

    def __init__(self, *args, hospitals: list[Hospital], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].choices = [(h.hospital_id, h.name) for h in hospitals]


def _hospitals(request: HttpRequest) -> list[Hospital]:
    return accounts_repository.hospitals_get_many(request.staff.hospital_ids)


def _absolute(request: HttpRequest, path: str) -> str:
    """A link for another device: the public domain when configured, else this request's host."""
    if settings.SOLACE_DOMAIN:
        return f"https://{settings.SOLACE_DOMAIN}{path}"
    return request.build_absolute_uri(path)


@never_cache
@require_http_methods(["GET", "POST"])
@admins_only
def kiosks(request: HttpRequest) -> HttpResponse:
    """The kiosks of the admin's hospitals; a new kiosk gets a one-time enrolment link (shown
    once, good for a day) to open on the device itself."""
    hospitals = _hospitals(request)
    form = KioskForm(request.POST or None, hospitals=hospitals)
    if request.method == "POST" and form.is_valid():
        hospital = next(h for h in hospitals if h.hospital_id == form.cleaned_data["hospital"])
        kiosk, token = intake_services.kiosk_create(
            staff=request.staff,
            hospital=hospital,
            name=form.cleaned_data["name"],
            context=RequestContext.from_request(request),
        )
        link = _absolute(request, reverse("intake:kiosk_enrol", args=[hospital.slug, token]))
        request.session[NEW_LINK_SESSION_KEY] = {"name": kiosk.name, "link": link}
        return HttpResponseRedirect(reverse("console:kiosks"), status=303)
    names = {h.hospital_id: h.name for h in hospitals}
    context = {
        "form": form,
        "kiosks": [
            (kiosk, names.get(kiosk.hospital_id, ""))
            for kiosk in intake_selectors.kiosks([h.hospital_id for h in hospitals])
        ],
        "new_link": request.session.pop(NEW_LINK_SESSION_KEY, None),
        "hospitals": hospitals,
    }
    return render(request, "console/kiosks.html", context, status=400 if form.errors else 200)


@require_POST
@admins_only
def kiosk_revoke(request: HttpRequest, device_id: str) -> HttpResponse:
    kiosk = intake_selectors.kiosk(device_id)
    if kiosk is None or not request.staff.is_member(kiosk.hospital_id):
        raise Http404
    intake_services.kiosk_revoke(
        staff=request.staff, kiosk=kiosk, context=RequestContext.from_request(request)
    )
    return HttpResponseRedirect(reverse("console:kiosks"), status=303)


@require_GET
@admins_only
def poster(request: HttpRequest, hospital_slug: str) -> HttpResponse:
    """A print-styled page (English and Spanish) whose QR code opens the hospital's form."""
    hospital = hospital_by_slug(hospital_slug)
    if hospital is None or not request.staff.is_member(hospital.hospital_id):
        raise Http404
    form_url = _absolute(request, reverse("intake:form", args=[hospital.slug]))
    import segno  # the poster only: kept out of every cold start

    qr = segno.make(form_url, error="m")
    audit_record(
        hospital_id=hospital.hospital_id,
        actor=actor_of(request.staff, hospital.hospital_id),
        action=Action.POSTER_VIEWED,
        context=RequestContext.from_request(request),
        detail=hospital.slug,
    )
    context = {
        "hospital": hospital,
        "form_url": form_url,
        "qr_svg": qr.svg_inline(scale=1, omitsize=True, border=2, lineclass="qr-line"),
    }
    return render(request, "console/poster.html", context)
