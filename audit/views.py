"""The archiver's only route: stream batches passed through by the Lambda Web Adapter."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit import lambda_handler


@csrf_exempt
@require_POST
def archive_events(request: HttpRequest) -> JsonResponse:
    """Routed only in the archiver function (SOLACE_ARCHIVER=1), which has no public URL."""
    try:
        event = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    return JsonResponse(lambda_handler.handler(event, None))
