from django.conf import settings


def staff(request):
    return {
        "staff": getattr(request, "staff", None),
        "poll_seconds": settings.SOLACE_QUEUE_POLL_SECONDS,
    }
