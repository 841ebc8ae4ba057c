from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("audit/", views.audit_page, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
