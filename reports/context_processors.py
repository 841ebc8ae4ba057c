from reports.selectors import sees_reports


def nav(request):
    """Whether the top bar offers Reports. A callable, so it is only worked out where the staff
    navigation is drawn: error pages must not read the session."""
    staff = getattr(request, "staff", None)
    return {"reports_nav": lambda: bool(staff is not None and sees_reports(staff))}
