"""Health check and the error pages.

Error pages make no data-store call, for anyone: they are what a DynamoDB outage looks like, so
they never read the session (no staff navigation) and 503 says when to try again.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from solace import dynamodb

logger = logging.getLogger("solace.request")
RETRY_AFTER_SECONDS = 5


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Readiness check of the Lambda Web Adapter: answers without touching DynamoDB."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico by themselves (pages link the icon under /static/)."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@functools.cache
def _favicon() -> bytes:
    from django.contrib.staticfiles import finders

    return Path(finders.find("solace/favicon.ico")).read_bytes()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("This form has expired. Go back, reload the page and try again.")
    return error_page(request, 403, message)


# Pages under /h/<hospital>/ are patients' (and the waiting room's): their error pages lead back
# to that hospital's check-in form, never to the staff sign-in.
_PATIENT_PATH = re.compile(r"^/h/([a-z0-9-]{1,64})/")


def home_url(request: HttpRequest) -> str:
    match = _PATIENT_PATH.match(request.path)
    return f"/h/{match.group(1)}/intake/" if match else "/"


def error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    context = {
        "status": status,
        "message": message,
        "home_url": home_url(request),
        "request_id": getattr(request, "request_id", ""),
        # Whoever is signed in, the page does not ask: reading the session is a DynamoDB call.
        "staff": None,
    }
    return render(request, "error.html", context, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400, _("The request could not be understood."))


def permission_denied(request, exception=None):
    return error_page(request, 403, _("You do not have access to this page."))


def page_not_found(request, exception=None):
    return error_page(request, 404, _("This page does not exist."))


def server_error(request):
    """handler500, for exceptions from views and from middleware alike. A view's exception was
    logged by RequestContextMiddleware already; a middleware's is logged here. DynamoDB failing
    after the view (saving the session, moving its idle deadline) is an outage: 503."""
    exception = sys.exc_info()[1]
    if isinstance(exception, dynamodb.DataStoreError):
        if getattr(request, "solace_logged_exception", None) is not exception:
            log_datastore_unavailable(request, exception)
        return datastore_unavailable(request)
    if exception is not None and getattr(request, "solace_logged_exception", None) is not exception:
        log_unhandled(request, exception)
    return error_page(request, 500, _("Something went wrong on our side. Please try again."))


def datastore_unavailable(request: HttpRequest) -> HttpResponse:
    response = error_page(
        request, 503, _("We could not save or load this just now. Please try again in a moment.")
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def log_datastore_unavailable(request: HttpRequest, exception: Exception) -> None:
    # Retries are spent (botocore's standard mode): the error code is enough, no traceback.
    request.solace_logged_exception = exception
    logger.warning(
        "datastore unavailable",
        extra={"request_id": getattr(request, "request_id", None), "error": str(exception)},
    )


def log_unhandled(request: HttpRequest, exception: Exception) -> None:
    request.solace_logged_exception = exception
    logger.error(
        "unhandled error",
        exc_info=(type(exception), exception, exception.__traceback__),
        extra={"request_id": getattr(request, "request_id", None)},
    )


def stream_batch_view(
    handler: Callable[[dict, Any], dict],
) -> Callable[[HttpRequest], JsonResponse]:
    """A function of the same image that consumes a DynamoDB stream (the audit archiver, the
    reports' rollup) gets each batch as a POST passed through by the Lambda Web Adapter, and
    answers with the handler's batch-item failures. Routed only in that function, which has no
    public URL (hence no CSRF token)."""

    @csrf_exempt
    @require_POST
    def receive(request: HttpRequest) -> JsonResponse:
        try:
            event = json.loads(request.body)
        except ValueError:
            return JsonResponse({"error": "not JSON"}, status=400)
        return JsonResponse(handler(event, None))

    return receive
