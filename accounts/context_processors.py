from django.conf import settings


def staff(request):
    """The signed-in staff member, the poll interval, and for a staff session the seconds
    until it locks (the page's idle timer: a page that does not poll locks itself too)."""
    staff = getattr(request, "staff", None)
    idle_seconds_left = None
    if staff is not None and staff.is_authenticated:
        idle_seconds_left = request.session.idle_seconds_left
    return {
        "staff": staff,
        "poll_seconds": settings.SOLACE_QUEUE_POLL_SECONDS,
        "idle_seconds_left": idle_seconds_left,
        "locked_url": settings.SOLACE_LOCKED_URL,
    }
