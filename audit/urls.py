from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.audit_page, name="browse"),
    path("audit/export/", views.audit_export, name="export"),
]
