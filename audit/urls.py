from django.conf import settings
from django.urls import path

from audit import views

app_name = "audit"

# The archiver function (same image) receives stream batches at /events; the web function
# never routes that path.
urlpatterns = (
    [path("events", views.archive_events, name="events")] if settings.SOLACE_ARCHIVER else []
)
