from accounts.models import Hat


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"active_hat": user.active_hat, "hats": Hat.choices}
