"""ED operations reports: the dashboard, CSV exports of its tables, the call-back list, and
(in the rollup function only) the stream batches the Lambda Web Adapter passes through."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import forbidden, not_found, require_role_at, role_required
from accounts.domain import Role
from reports import selectors, services
from reports.domain import Table
from reports.forms import ReportFilterForm
from reports.selectors import Access
from reports.templatetags.reports import cell_text
from solace.context import RequestContext

# Signed in with any role; what each may see is selectors.reports_access's answer alone.
signed_in = role_required(*Role)
CLINICAL_TABLES = frozenset({"override_reasons"})  # free text a nurse wrote about a patient


def _filter(request: HttpRequest) -> tuple[ReportFilterForm, Access | None]:
    """The filter form over the hospitals whose reports this person may see. Another
    hospital's id looks like no hospital (404); a member without a reporting role gets 403."""
    hospitals = selectors.reportable_hospitals(request.staff)
    wanted = request.GET.get("hospital", "")
    if wanted and wanted not in {h.hospital_id for h in hospitals}:
        # Not a member: 404; a member without a reporting role THERE: 403 (both audited).
        require_role_at(request, wanted, *selectors.REPORT_ACCESS)
        raise not_found(request, detail=f"hospital={wanted[:64]}")
    if not hospitals:
        raise forbidden(request)
    form = ReportFilterForm(request.GET, hospitals=hospitals, today_of=selectors.local_today)
    access = None
    if form.is_valid():
        hospital_id = form.chosen_hospital.hospital_id
        access = selectors.reports_access(request.staff, hospital_id)
        if access is None:
            raise forbidden(request, detail=f"hospital={hospital_id}")
    return form, access


def _query(form: ReportFilterForm) -> str:
    data = form.cleaned_data
    return (
        f"hospital={data['hospital']}&date_from={data['date_from']}&date_to={data['date_to']}"
        f"&group={data['group']}"
    )


@require_GET
@signed_in
def dashboard(request: HttpRequest) -> HttpResponse:
    form, access = _filter(request)
    context = {"form": form, "access": access}
    if not form.is_valid():
        return render(request, "reports/dashboard.html", context, status=400)
    data, hospital = form.cleaned_data, form.chosen_hospital
    result = selectors.report(hospital, data["date_from"], data["date_to"], data["group"])
    services.report_viewed(
        request.staff,
        hospital.hospital_id,
        data["date_from"],
        data["date_to"],
        RequestContext.from_request(request),
    )
    context.update(
        hospital=hospital,
        report=result,
        tables=result.tables,
        charts=selectors.report_charts(result),
        query=_query(form),
        clinical=access == Access.CLINICAL,
        clinical_tables=CLINICAL_TABLES,
    )
    return render(request, "reports/dashboard.html", context)


def _csv(filename: str, headings: list[str], rows: list[list[str]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_safe(text: str) -> str:
    """A spreadsheet must not run text as a formula (names and reasons are typed by people)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def table_csv(table: Table) -> tuple[list[str], list[list[str]]]:
    headings = [c.heading for c in table.columns]
    rows = [
        [
            csv_safe(str(v)) if c.unit == "text" else cell_text(v, c.unit, with_unit=False)
            for v, c in zip(row, table.columns, strict=True)
        ]
        for row in table.rows
    ]
    return headings, rows


@require_GET
@signed_in
def export(request: HttpRequest, table_key: str) -> HttpResponse:
    form, access = _filter(request)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    data, hospital = form.cleaned_data, form.chosen_hospital
    if table_key in CLINICAL_TABLES and access != Access.CLINICAL:
        raise forbidden(request, detail=f"hospital={hospital.hospital_id} table={table_key}")
    result = selectors.report(hospital, data["date_from"], data["date_to"], data["group"])
    table = result.tables.get(table_key)
    if table is None:
        raise Http404
    services.report_viewed(
        request.staff,
        hospital.hospital_id,
        data["date_from"],
        data["date_to"],
        RequestContext.from_request(request),
        exported=table_key,
    )
    headings, rows = table_csv(table)
    filename = f"solace-{hospital.slug}-{table_key}-{data['date_from']}-{data['date_to']}.csv"
    return _csv(filename, headings, rows)


def _callbacks(request: HttpRequest, *, exported: bool):
    """The call-back list for the filter, audited as shown (one entry per patient)."""
    form, access = _filter(request)
    if form.is_valid() and access != Access.CLINICAL:
        # Names and phone numbers are for clinicians.
        raise forbidden(request, detail=f"hospital={form.chosen_hospital.hospital_id} callbacks")
    if not form.is_valid():
        return form, None, []
    data, hospital = form.cleaned_data, form.chosen_hospital
    result = selectors.report(hospital, data["date_from"], data["date_to"], data["group"])
    found = selectors.callbacks(hospital, result)
    services.callbacks_viewed(
        request.staff,
        hospital.hospital_id,
        data["date_from"],
        data["date_to"],
        [c.patient_id for c in found],
        RequestContext.from_request(request),
        exported=exported,
    )
    return form, result, found


@require_GET
@signed_in
def callbacks(request: HttpRequest) -> HttpResponse:
    form, result, found = _callbacks(request, exported=False)
    if result is None:
        return render(request, "reports/callbacks.html", {"form": form}, status=400)
    context = {
        "form": form,
        "hospital": form.chosen_hospital,
        "callbacks": found,
        "query": _query(form),
        "report": result,
    }
    return render(request, "reports/callbacks.html", context)


CALLBACK_HEADINGS = [
    "Name",
    "Phone",
    "Check-in code",
    "Level (ESI)",
    "Preferred language",
    "Arrived (local time)",
    "Left (local time)",
    "Waited (min)",
    "Chief complaint",
]


@require_GET
@signed_in
def callbacks_export(request: HttpRequest) -> HttpResponse:
    form, result, found = _callbacks(request, exported=True)
    if result is None:
        return render(request, "reports/callbacks.html", {"form": form}, status=400)
    data = form.cleaned_data
    rows = [
        [
            csv_safe(c.name),
            csv_safe(c.phone),
            c.check_in_code,
            str(c.level or ""),
            c.language,
            c.arrived_at.strftime("%Y-%m-%d %H:%M"),
            c.left_at.strftime("%Y-%m-%d %H:%M") if c.left_at else "",
            str(c.waited_minutes if c.waited_minutes is not None else ""),
            csv_safe(c.complaint),
        ]
        for c in found
    ]
    filename = (
        f"solace-{form.chosen_hospital.slug}-callbacks-{data['date_from']}-{data['date_to']}.csv"
    )
    return _csv(filename, CALLBACK_HEADINGS, rows)
