"""Health check and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Readiness check of the Lambda Web Adapter: answers without touching DynamoDB."""
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("This form has expired. Go back, reload the page and try again.")
    return error_page(request, 403, message)


def error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    context = {"status": status, "message": message, "request_id": request.request_id}
    return render(request, "error.html", context, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400, _("The request could not be understood."))


def permission_denied(request, exception=None):
    return error_page(request, 403, _("You do not have access to this page."))


def page_not_found(request, exception=None):
    return error_page(request, 404, _("This page does not exist."))


def server_error(request):
    return error_page(request, 500, _("Something went wrong on our side. Please try again."))


def datastore_unavailable(request: HttpRequest) -> HttpResponse:
    response = error_page(
        request, 503, _("We could not save or load this just now. Please try again in a moment.")
    )
    response["Retry-After"] = "5"
    return response
