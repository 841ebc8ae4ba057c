def staff(request):
    return {"staff": getattr(request, "staff", None)}
