"""Request plumbing: request id, client address, the per-request JSON log line."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from solace import dynamodb, views

logger = logging.getLogger("solace.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Browser features no page of ours uses are off for every page (and anything it embeds). WebAuthn
# stays allowed for this origin: passkeys come later. Structured-header syntax: `()` allows
# nobody, `(self)` this origin.
PERMISSIONS_POLICY = ", ".join(
    [
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "autoplay",
                "camera",
                "display-capture",
                "encrypted-media",
                "geolocation",
                "gyroscope",
                "hid",
                "idle-detection",
                "magnetometer",
                "microphone",
                "midi",
                "payment",
                "picture-in-picture",
                "serial",
                "usb",
                "xr-spatial-tracking",
            )
        ),
        "publickey-credentials-create=(self)",
        "publickey-credentials-get=(self)",
    ]
)
_CLIENT_ERRORS = (
    (Http404, 404),
    (PermissionDenied, 403),
    (BadRequest, 400),
    (SuspiciousOperation, 400),  # solace.cursors.InvalidCursor among them
    (MultiPartParserError, 400),
)


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind N trusted proxies, the Nth address from the right."""
    hops = getattr(settings, "SOLACE_TRUSTED_PROXY_HOPS", 0)
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Outermost: tags the request with an id and logs one JSON line when it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        # The id is always the server's; a well-formed id the client sent is kept apart.
        request.request_id = uuid.uuid4().hex
        incoming = request.headers.get("X-Request-ID", "")
        request.client_request_id = incoming if _REQUEST_ID.match(incoming) else ""
        request.client_address = client_address(request)
        token = dynamodb.start_counting()
        try:
            response = self.get_response(request)
            calls = dynamodb.counted_calls()
            waited = dynamodb.seconds_in_calls()
        finally:
            dynamodb.stop_counting(token)
        response["X-Request-ID"] = request.request_id
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        match = getattr(request, "resolver_match", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                # The route pattern, never the path: paths carry patient ids.
                "route": match.route if match else "<unresolved>",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "request_id": request.request_id,
                "client_request_id": request.client_request_id or None,
                "dynamodb_requests": len(calls),
                "dynamodb_ms": round(waited * 1000, 1),
            },
        )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A view raised: DynamoDB unavailable is a 503 here; expected 4xx are one warning with
        the exception's class (never its text, which can carry the path); anything else is
        logged with its traceback and answered by handler500."""
        if isinstance(exception, dynamodb.DataStoreError):
            views.log_datastore_unavailable(request, exception)
            return views.datastore_unavailable(request)
        status = client_error_status(exception)
        if status is not None:
            logger.warning(
                "client error",
                extra={
                    "request_id": request.request_id,
                    "status": status,
                    "error": type(exception).__name__,
                },
            )
            return None  # Django answers with handler404/403/400
        views.log_unhandled(request, exception)
        return None


def client_error_status(exception: Exception) -> int | None:
    """The 4xx Django answers an exception with (None: not a client error)."""
    for kind, status in _CLIENT_ERRORS:
        if isinstance(exception, kind):
            return status
    return None
