"""The real URLs plus probe views that exercise the access decorators."""

from django.http import HttpResponse
from django.urls import path

from accounts.decorators import require_membership, role_required
from accounts.domain import Role
from solace import cursors
from solace.urls import urlpatterns as real_urlpatterns


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
    path("probe/admin/", admins_only),
    path("probe/hospital/<str:hospital_id>/", hospital_page),
    path("probe/paged/", paged),
]
