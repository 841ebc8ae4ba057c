from reports.selectors import sees_reports


def nav(request):
    """Whether the top bar offers Reports (what each person may see there is the views')."""
    staff = getattr(request, "staff", None)
    return {"reports_nav": bool(staff is not None and sees_reports(staff))}
