"""Request plumbing: request id, client address, the per-request JSON log line."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from solace import dynamodb

logger = logging.getLogger("solace.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


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
        if isinstance(exception, dynamodb.DataStoreError):
            # Retries are spent (botocore's standard mode): tell the user plainly, log the code.
            logger.warning(
                "datastore unavailable",
                extra={"request_id": request.request_id, "error": str(exception)},
            )
            from solace.views import datastore_unavailable

            return datastore_unavailable(request)
        logger.error(
            "unhandled error",
            exc_info=(type(exception), exception, exception.__traceback__),
            extra={"request_id": getattr(request, "request_id", None)},
        )
