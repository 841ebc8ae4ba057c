"""The real URLs plus probe views that exercise the access decorators."""

from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.urls import path

from accounts.decorators import require_membership, role_required
from accounts.domain import Role
from solace import cursors
from solace.urls import handler400, handler403, handler404, handler500  # noqa: F401
from solace.urls import urlpatterns as real_urlpatterns


@role_required(Role.ADMIN)
def admins_only(request):
    return HttpResponse("admin ok")


@role_required(Role.NURSE, Role.CHARGE_NURSE, Role.PHYSICIAN)
def hospital_page(request, hospital_id):
    require_membership(request, hospital_id)
    return HttpResponse("member ok")


def boom(request):
    raise RuntimeError("a bug")


def bad_request(request):
    raise BadRequest("unreadable")


@role_required(Role.NURSE, Role.CHARGE_NURSE, Role.PHYSICIAN, Role.ADMIN)
def signed_in_page(request):
    return HttpResponse("signed in")


@role_required(Role.NURSE, Role.CHARGE_NURSE, Role.PHYSICIAN, Role.ADMIN)
def signed_in_boom(request):
    raise RuntimeError("a bug after the session was read")


def paged(request):
    key = cursors.decode(request.GET.get("cursor"), scope="probe")
    return HttpResponse(f"page after {key}")


urlpatterns = [
    *real_urlpatterns,
    path("probe/admin/", admins_only),
    path("probe/hospital/<str:hospital_id>/", hospital_page),
    path("probe/paged/", paged),
    path("probe/boom/", boom),
    path("probe/bad-request/", bad_request),
    path("probe/signed-in/", signed_in_page),
    path("probe/signed-in-boom/", signed_in_boom),
]
