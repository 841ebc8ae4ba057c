"""The admin console: the audit trail, browsed and exported by admins of the hospitals concerned."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import repository as accounts_repository
from accounts.decorators import role_required
from accounts.domain import Role
from audit import repository as audit_repository
from console import selectors, services
from console.forms import AuditFilterForm
from solace.context import RequestContext

admins_only = role_required(Role.ADMIN)


def _partition_choices(staff) -> list[tuple[str, str]]:
    hospitals = accounts_repository.hospitals_get_many(staff.hospitals_with(Role.ADMIN))
    names = {h.hospital_id: h.name for h in hospitals}
    return [
        (p, names.get(p) or f"Account events ({p.removeprefix('org:')})")
        for p in selectors.visible_partitions(staff)
    ]


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    # The hospital choices are exactly what this admin may see: any other value is invalid.
    return AuditFilterForm(request.GET, partitions=_partition_choices(request.staff))


@require_GET
@admins_only
def audit_page(request: HttpRequest) -> HttpResponse:
    """Filters and the newest 50 entries; with a cursor, the next (older) 50. htmx asks for
    just the rows, appended below the ones on screen; without JavaScript the page reloads."""
    form = _filter_form(request)
    if not form.is_valid():
        context = {"form": form, "entries": [], "cursor": None}
        return render(request, "console/audit.html", context, status=400)
    audit_filter = form.audit_filter()
    entries, cursor = selectors.audit_page(request.staff, audit_filter, request.GET.get("cursor"))
    services.audit_viewed(
        request.staff, audit_filter, RequestContext.from_request(request), exported=False
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "entries": entries, "cursor": cursor, "query": query.urlencode()}
    template = "console/audit.html#rows" if request.htmx else "console/audit.html"
    return render(request, template, context)


@require_GET
@admins_only
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered range as JSON Lines, streamed as it is read."""
    form = _filter_form(request)
    if not form.is_valid():
        return render(request, "console/audit.html", {"form": form, "entries": []}, status=400)
    audit_filter = form.audit_filter()
    services.audit_viewed(
        request.staff, audit_filter, RequestContext.from_request(request), exported=True
    )
    lines = (
        json.dumps(audit_repository.public_record(entry), sort_keys=True) + "\n"
        for entry in selectors.audit_all(request.staff, audit_filter)
    )
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
    filename = f"solace-audit-{audit_filter.date_from}-{audit_filter.date_to}.jsonl"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
