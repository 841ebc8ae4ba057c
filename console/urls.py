from django.urls import path

from console import intake_views, views

app_name = "console"

urlpatterns = [
    path("audit/", views.audit_page, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    # Issue 14: kiosks and the QR poster.
    path("admin/kiosks/", intake_views.kiosks, name="kiosks"),
    path("admin/kiosks/<str:device_id>/revoke/", intake_views.kiosk_revoke, name="kiosk_revoke"),
    path("admin/hospitals/<slug:hospital_slug>/poster/", intake_views.poster, name="poster"),
]
