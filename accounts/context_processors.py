from django.conf import settings


def staff(request):
    """The signed-in staff member, the poll interval, and for a staff session the seconds
    until it locks (the page's idle timer: a page that does not poll locks itself too)."""
    staff = getattr(request, "staff", None)  # lazy: a page that never asks reads nothing

    def idle_seconds_left():  # the template calls it only for a signed-in staff member
        return request.session.idle_seconds_left

    return {
        "staff": staff,
        "poll_seconds": settings.SOLACE_QUEUE_POLL_SECONDS,
        "idle_seconds_left": idle_seconds_left,
        "locked_url": settings.SOLACE_LOCKED_URL,
    }
