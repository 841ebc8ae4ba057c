"""The audit trail, browsed and exported by admins of the hospitals concerned, and the patient
access report (printable page, CSV and JSONL)."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import repository as accounts_repository
from accounts.decorators import not_found, require_role_at, role_required
from accounts.domain import Role
from audit import repository as audit_repository
from console import selectors, services
from console.forms import AccessReportForm, AuditFilterForm
from patients import repository as patients_repository
from solace import clock
from solace.context import RequestContext

admins_only = role_required(Role.ADMIN)


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    """The hospital choices are exactly what this admin may see: any other value is invalid.
    The default is the hospital they used last."""
    staff = request.staff
    hospitals = accounts_repository.hospitals_get_many(staff.hospitals_with(Role.ADMIN))
    by_id = {h.hospital_id: h for h in hospitals}
    partitions = selectors.visible_partitions(staff)
    choices = [(p, by_id[p].name if p in by_id else "Account events") for p in partitions]
    zones = {h.hospital_id: h.timezone for h in hospitals}
    zones[selectors.ALL] = hospitals[0].timezone if hospitals else "UTC"
    zones[partitions[-1]] = zones[selectors.ALL]
    remembered = services.remembered_partition(request)
    default = remembered if remembered in {*partitions, selectors.ALL} else partitions[0]
    return AuditFilterForm(
        request.GET, partitions=choices, default=default, zones=zones, staff=staff
    )


def _link(query, **changes) -> str:
    """This page's query with some filters set (a click on a person, patient or action)."""
    linked = query.copy()
    for name, value in changes.items():
        linked[name] = value
    linked.pop("cursor", None)
    return "?" + linked.urlencode()


@require_GET
@admins_only
def audit_page(request: HttpRequest) -> HttpResponse:
    """Filters and the newest 50 entries; with a cursor, the next (older) 50. htmx asks for
    just the rows, appended below the ones on screen; without JavaScript the page reloads."""
    form = _filter_form(request)
    if not form.is_valid():
        context = {"form": form, "rows": [], "cursor": None}
        return render(request, "console/audit.html", context, status=400)
    audit_filter = form.audit_filter()
    if "hospital" in request.GET:
        services.remember_partition(request, audit_filter.partition)
    entries, cursor = selectors.audit_page(request.staff, audit_filter, request.GET.get("cursor"))
    names = selectors.names_for(request.staff, entries)
    rows = [selectors.present(e, names) for e in entries]
    services.audit_viewed(
        request.staff,
        audit_filter,
        RequestContext.from_request(request),
        exported=False,
        names_shown=selectors.patient_names_shown(rows, names),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    query["hospital"] = audit_filter.partition
    for row in rows:
        row["actor_link"] = _link(query, actor=row["actor_id"])
        row["action_link"] = _link(query, action=row["action"])
        if row["patient_id"]:
            row["patient_link"] = _link(query, patient=row["patient_id"])
    context = {
        "form": form,
        "rows": rows,
        "cursor": cursor,
        "query": query.urlencode(),
        "filter": audit_filter,
    }
    template = "console/audit.html#rows" if request.htmx else "console/audit.html"
    return render(request, template, context)


@require_GET
@admins_only
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered range as JSON Lines (ids, as stored), streamed as it is read."""
    form = _filter_form(request)
    if not form.is_valid():
        return render(request, "console/audit.html", {"form": form, "rows": []}, status=400)
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


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (names are typed by
    people, patients included)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@admins_only
def access_report(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Every access to one patient's record: who, when, what, from which workstation. A page to
    print, or `?format=csv` / `?format=jsonl`. Admins of the patient's hospital only."""
    patient = patients_repository.patient_get(patient_id) if len(patient_id) <= 64 else None
    if patient is None:
        raise not_found(request, patient_id=patient_id)
    require_role_at(request, patient.hospital_id, Role.ADMIN)
    hospital = accounts_repository.hospital_get(patient.hospital_id)
    first_day = clock.parse_iso(patient.created_at).date()
    form = AccessReportForm(request.GET, first_day=first_day)
    output = request.GET.get("format", "html")
    if output not in ("html", "csv", "jsonl") or not form.is_valid():
        context = {"form": form, "report": None, "patient_id": patient_id}
        return render(request, "console/access_report.html", context, status=400)
    report = selectors.access_report(
        request.staff,
        patient,
        hospital,
        form.cleaned_data["date_from"],
        form.cleaned_data["date_to"],
    )
    services.access_report_made(
        request.staff, patient, report, RequestContext.from_request(request), output
    )
    records = [selectors.report_record(row) for row in report.rows]
    filename = f"access-report-{patient.check_in_code}-{report.date_from}-{report.date_to}"
    if output == "jsonl":
        body = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
        response = HttpResponse(body, content_type="application/x-ndjson")
        response["Content-Disposition"] = f'attachment; filename="{filename}.jsonl"'
        return response
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=selectors.REPORT_FIELDS)
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in r.items()} for r in records)
        uncovered = "; ".join(f"{a} to {b}" for a, b in report.uncovered)
        if uncovered:
            buffer.write(f"# not covered (archive not readable): {uncovered}\n")
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    context = {"form": form, "report": report, "patient_id": patient_id, "query": query.urlencode()}
    return render(request, "console/access_report.html", context)
