"""The real URLs plus probe views that exercise the access decorators."""

from django.http import HttpResponse
from django.urls import path

from solace import cursors
from solace.decorators import require_membership, role_required, staff_required
from solace.domain import Role
from solace.urls import urlpatterns as real_urlpatterns


@staff_required
def any_staff(request):
    return HttpResponse("staff ok")


@role_required(Role.ADMIN)
def admins_only(request):
    return HttpResponse("admin ok")


@role_required(Role.NURSE, Role.CHARGE_NURSE, Role.PHYSICIAN)
def hospital_page(request, hospital_id):
    require_membership(request, hospital_id)
    return HttpResponse("member ok")


def paged(request):
    key = cursors.decode(request.GET.get("cursor"), scope="probe")
    return HttpResponse(f"page after {key}")


urlpatterns = [
    *real_urlpatterns,
    path("probe/staff/", any_staff),
    path("probe/admin/", admins_only),
    path("probe/hospital/<str:hospital_id>/", hospital_page),
    path("probe/paged/", paged),
]
