"""The root URLconf. Apps are included by name: the infrastructure imports no app."""

from django.urls import include, path

from solace import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("intake.urls")),
    path("", include("cockpit.urls")),
    path("", include("console.urls")),
    path("", include("audit.urls")),
]

handler400 = "solace.views.bad_request"
handler403 = "solace.views.permission_denied"
handler404 = "solace.views.page_not_found"
handler500 = "solace.views.server_error"
