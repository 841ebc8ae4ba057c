from django.conf import settings
from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/export/<slug:table_key>.csv", views.export, name="export"),
    path("reports/callbacks/", views.callbacks, name="callbacks"),
    path("reports/callbacks.csv", views.callbacks_export, name="callbacks_export"),
]
# The rollup function (same image) receives stream batches here; the web function never
# routes this path.
if settings.SOLACE_ROLLUP:
    urlpatterns.append(path("rollup/events", views.rollup_events, name="rollup_events"))
