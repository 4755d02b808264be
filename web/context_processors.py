from accounts.models import Hat


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"active_hat": user.active_hat, "hats": Hat.choices}


def csp_nonce(request):
    """The nonce an inline <script> needs to run under the Content-Security-Policy."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
