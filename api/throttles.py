"""The API's rate limit: the same per-user counters as the pages (common/throttles.py), so DRF answers 429
with a Retry-After header from them."""

from rest_framework.throttling import BaseThrottle

from common.throttles import throttle_hit


class PerUserThrottle(BaseThrottle):
    """Signed-in callers are counted per user ("api"); anonymous ones per client address ("api_anon")."""

    def allow_request(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            self.refusal = throttle_hit("api", str(request.user.pk))
        else:
            self.refusal = throttle_hit("api_anon", self.get_ident(request))
        return self.refusal is None

    def wait(self) -> int | None:  # whole seconds, for Retry-After
        return self.refusal.retry_after if self.refusal else None
