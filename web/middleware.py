"""Response headers every page carries."""

import secrets

# Only our own origin: one stylesheet, no inline styles, no third-party anything. The single inline
# script (the conversation refresh) carries this request's nonce; data blocks (type=application/json)
# are not executed, so CSP does not need to allow them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Kamai needs none of these browser features; deny them to every page and any frame in it.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy with a fresh nonce per request (templates read `csp_nonce`) and
    Permissions-Policy, on every response a view did not set them on itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(nonce=request.csp_nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
