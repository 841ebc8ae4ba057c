from django.urls import path

from console import admin_views, intake_views, views

app_name = "console"

urlpatterns = [
    path("audit/", views.audit_page, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("audit/patients/<str:patient_id>/", views.access_report, name="access_report"),
    path("admin/staff/", admin_views.staff_list, name="staff"),
    path("admin/staff/new/", admin_views.staff_new, name="staff_new"),
    path("admin/staff/<str:staff_id>/", admin_views.staff_detail, name="staff_detail"),
    path(
        "admin/staff/<str:staff_id>/<slug:action>/",
        admin_views.staff_action,
        name="staff_action",
    ),
    path("admin/organization/", admin_views.organization, name="organization"),
    path("admin/hospitals/<slug:slug>/", admin_views.hospital_settings, name="hospital"),
    # Issue 14: kiosks and the QR poster.
    path("admin/kiosks/", intake_views.kiosks, name="kiosks"),
    path("admin/kiosks/<str:device_id>/revoke/", intake_views.kiosk_revoke, name="kiosk_revoke"),
    path("admin/hospitals/<slug:hospital_slug>/poster/", intake_views.poster, name="poster"),
]
