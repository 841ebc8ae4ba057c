from django.conf import settings
from django.urls import path

app_name = "audit"

# The archiver function (same image) receives stream batches at /events; the web function
# never routes that path, nor imports the archiver's code.
urlpatterns = []
if settings.SOLACE_ARCHIVER:
    from audit import lambda_handler
    from solace.views import stream_batch_view

    urlpatterns = [path("events", stream_batch_view(lambda_handler.handler), name="events")]
