from django.urls import path

from cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("cockpit/", views.queue_page, name="queue_page"),
    path("cockpit/queue/", views.queue_rows, name="queue_rows"),
    path("cockpit/hospital/", views.choose_hospital, name="choose_hospital"),
    path("cockpit/arrivals/new/", views.quick_arrival, name="quick_arrival"),
    path("cockpit/displays/", views.displays, name="displays"),
    path("locked/", views.locked_page, name="locked"),
    path("locked/rows/", views.locked_rows, name="locked_rows"),
    path("cockpit/check-ins/", views.check_ins, name="check_ins"),
    path("cockpit/check-ins/change/", views.check_ins_change, name="check_ins_change"),
    path("cockpit/patients/<str:patient_id>/", views.patient_page, name="patient"),
    path("cockpit/patients/<str:patient_id>/end/", views.confirm_end, name="confirm_end"),
    path(
        "cockpit/patients/<str:patient_id>/<slug:action>/",
        views.patient_action,
        name="patient_action",
    ),
    path("h/<slug:hospital_slug>/board/", views.board_page, name="board"),
    path("h/<slug:hospital_slug>/board/rows/", views.board_rows, name="board_rows"),
]
