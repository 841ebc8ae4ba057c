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
# routes this path, nor imports the rollup's code.
if settings.SOLACE_ROLLUP:
    from reports import lambda_handler
    from solace.views import stream_batch_view

    urlpatterns.append(
        path("rollup/events", stream_batch_view(lambda_handler.handler), name="rollup_events")
    )
