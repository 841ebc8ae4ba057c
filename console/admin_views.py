"""The admin console's people and settings: staff of the organization (create, roles,
deactivate, reactivate, new set-up link), the organization's settings and each hospital's.
Admins only; each change goes through one accounts service, which audits it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.decorators import not_found, require_role_at, role_required
from accounts.domain import DuplicateError, NotFound, Refused, Role
from accounts.hospital_settings import HOSPITAL_SETTINGS, hospital_settings_form
from console.forms import NewStaffForm, OrganizationForm, StaffRolesForm
from solace.context import RequestContext

admins_only = role_required(Role.ADMIN)
SETUP_LINK_KEY = "console_setup_link"


def _my_hospitals(request: HttpRequest):
    """The hospitals this admin administers (the only ones they can grant or change)."""
    return accounts_selectors.staff_hospitals(request.staff, (Role.ADMIN,))


def _zone(hospitals) -> str:
    return hospitals[0].timezone if hospitals else "UTC"


def _setup_url(request: HttpRequest, key: str) -> str:
    return request.build_absolute_uri(reverse("setup", args=[key]))


# --- Staff ------------------------------------------------------------------------------------
@require_GET
@admins_only
def staff_list(request: HttpRequest) -> HttpResponse:
    hospitals = _my_hospitals(request)
    people = accounts_selectors.organization_staff(request.staff.organization_id)
    names = {h.hospital_id: h.name for h in accounts_selectors.staff_hospitals(request.staff)}
    other_ids = {h for p in people for h in p["roles"]} - set(names)
    names.update({h.hospital_id: h.name for h in accounts_selectors.hospitals_by_id(other_ids)})
    mine = {h.hospital_id for h in hospitals}
    rows = [
        {
            **person,
            "role_list": sorted(
                (names.get(h, "another hospital"), role.label)
                for h, role in person["roles"].items()
            ),
            "manageable": bool(set(person["roles"]) & mine),
        }
        for person in people
    ]
    context = {"rows": rows, "zone": _zone(hospitals), "now": accounts_services.clock.now_epoch()}
    return render(request, "console/staff_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@admins_only
def staff_new(request: HttpRequest) -> HttpResponse:
    hospitals = _my_hospitals(request)
    form = NewStaffForm(request.POST or None, hospitals=hospitals)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            roles = {h: r for h, r in form.roles().items() if r is not None}
            try:
                staff, key = accounts_services.staff_create(
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    roles=roles,
                    actor=request.staff,
                    context=RequestContext.from_request(request),
                )
            except DuplicateError:
                form.add_error("email", "That email already has an account.")
            except Refused as exc:
                form.add_error(None, str(exc))
            else:
                request.session[SETUP_LINK_KEY] = _setup_url(request, key)
                return HttpResponseRedirect(
                    reverse("console:staff_detail", args=[staff.staff_id]), status=303
                )
    return render(request, "console/staff_new.html", {"form": form}, status=status)


def _person_or_404(request: HttpRequest, staff_id: str):
    """A member of this admin's organization with a role at a hospital they administer; anyone
    else looks like nobody (and the look is audited)."""
    person = accounts_selectors.staff_by_id(staff_id) if len(staff_id) <= 64 else None
    mine = request.staff.hospitals_with(Role.ADMIN)
    if (
        person is None
        or person.organization_id != request.staff.organization_id
        or not set(person.roles) & mine
    ):
        raise not_found(request, detail=f"staff={staff_id[:64]}")
    return person


def _render_person(request, person, *, form=None, error=None, status=200) -> HttpResponse:
    hospitals = _my_hospitals(request)
    mine = {h.hospital_id for h in hospitals}
    others = accounts_selectors.hospitals_by_id(set(person.roles) - mine)
    context = {
        "person": person,
        "form": form or StaffRolesForm(hospitals=hospitals, current=person.roles),
        "other_roles": [(h.name, person.roles[h.hospital_id].label) for h in others],
        "is_me": person.staff_id == request.staff.staff_id,
        "setup_link": request.session.pop(SETUP_LINK_KEY, None),
        "error": error,
        "zone": _zone(hospitals),
        "now": accounts_services.clock.now_epoch(),
    }
    return render(request, "console/staff_detail.html", context, status=status)


@never_cache
@require_GET
@admins_only
def staff_detail(request: HttpRequest, staff_id: str) -> HttpResponse:
    return _render_person(request, _person_or_404(request, staff_id))


@require_POST
@admins_only
def staff_action(request: HttpRequest, staff_id: str, action: str) -> HttpResponse:
    """roles | deactivate | reactivate | reset: one service each; refusals are explained."""
    person = _person_or_404(request, staff_id)
    context = RequestContext.from_request(request)
    form = None
    try:
        if action == "roles":
            form = StaffRolesForm(request.POST, hospitals=_my_hospitals(request))
            if not form.is_valid():
                return _render_person(request, person, form=form, status=400)
            accounts_services.staff_change_roles(
                staff_id, form.roles(), actor=request.staff, context=context
            )
        elif action == "deactivate":
            accounts_services.staff_deactivate(staff_id, actor=request.staff, context=context)
        elif action == "reactivate":
            accounts_services.staff_reactivate(staff_id, actor=request.staff, context=context)
        elif action == "reset":
            key = accounts_services.staff_reset(staff_id, actor=request.staff, context=context)
            request.session[SETUP_LINK_KEY] = _setup_url(request, key)
        else:
            raise not_found(request, detail=f"staff={staff_id} action={action[:20]}")
    except Refused as exc:
        return _render_person(request, person, form=form, error=str(exc), status=400)
    except NotFound as exc:
        raise not_found(request, detail=f"staff={staff_id}") from exc
    return HttpResponseRedirect(reverse("console:staff_detail", args=[staff_id]), status=303)


# --- Organization and hospitals -----------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
@admins_only
def organization(request: HttpRequest) -> HttpResponse:
    org = accounts_selectors.organization(request.staff.organization_id)
    initial = {
        "name": org.name,
        "clinicians_need_second_factor": org.clinicians_need_second_factor,
        **{f"default_{k}": v for k, v in org.hospital_defaults.items()},
    }
    form = OrganizationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            accounts_services.organization_update(
                org.organization_id,
                name=form.cleaned_data["name"],
                clinicians_need_second_factor=form.cleaned_data["clinicians_need_second_factor"],
                hospital_defaults_values=form.hospital_defaults(),
                actor=request.staff,
                context=RequestContext.from_request(request),
            )
            return HttpResponseRedirect(reverse("console:organization") + "?saved=1", status=303)
    context = {"form": form, "organization": org, "hospitals": _my_hospitals(request)}
    return render(request, "console/organization.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@admins_only
def hospital_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The settings of HOSPITAL_SETTINGS (the same as `update_hospital`), for its admins."""
    hospital = accounts_selectors.hospital_by_slug_fresh(slug)
    if hospital is None:
        raise not_found(request, detail=f"hospital={slug[:64]}")
    require_role_at(request, hospital.hospital_id, Role.ADMIN)
    form = hospital_settings_form(initial=dict(hospital.settings), data=request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                accounts_services.hospital_update(
                    slug,
                    {s.name: form.cleaned_data[s.name] for s in HOSPITAL_SETTINGS},
                    actor=request.staff,
                    context=RequestContext.from_request(request),
                )
            except (ValidationError, ValueError) as exc:
                form.add_error(None, str(exc))
            else:
                url = reverse("console:hospital", args=[slug]) + "?saved=1"
                return HttpResponseRedirect(url, status=303)
    return render(
        request, "console/hospital.html", {"form": form, "hospital": hospital}, status=status
    )
