from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("h/<slug:hospital_slug>/intake/", views.intake_page, name="form"),
    path("h/<slug:hospital_slug>/intake/status/", views.status_page, name="status"),
    path("h/<slug:hospital_slug>/intake/status/visit/", views.status_visit, name="visit"),
    path("h/<slug:hospital_slug>/intake/status/worse/", views.report_worse, name="worse"),
    path("h/<slug:hospital_slug>/intake/status/left/", views.report_left, name="left"),
    path("h/<slug:hospital_slug>/intake/finish/", views.finish, name="finish"),
    path(
        "h/<slug:hospital_slug>/kiosk/enrol/<str:token>/",
        views.kiosk_enrol,
        name="kiosk_enrol",
    ),
]
