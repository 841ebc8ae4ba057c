from django.conf import settings
from django.urls import include, path

from solace import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.sign_in, name="sign_in"),
    path("accounts/logout/", views.sign_out, name="sign_out"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("intake.urls")),
    path("", include("cockpit.urls")),
    path("", include("audit.urls")),
]

if settings.SOLACE_ARCHIVER:
    from audit.views import archive_events

    urlpatterns.append(path("events", archive_events, name="archive_events"))

handler400 = "solace.views.bad_request"
handler403 = "solace.views.permission_denied"
handler404 = "solace.views.page_not_found"
handler500 = "solace.views.server_error"
