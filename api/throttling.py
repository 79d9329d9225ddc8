"""One request budget per client address for the whole API (API_THROTTLE_RATE, e.g. "120/minute").

The address comes from X-Forwarded-For past the trusted proxies (REST_FRAMEWORK's NUM_PROXIES is
TRUSTED_PROXY_COUNT), as for the audit log and the sign-in lockout. Counts live in the shared
cache (Redis in production), so every web process shares them. Over budget: 429 with Retry-After.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerClientThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read on every request (not once at import, as DRF's own classes do), so tests and
        # operators can change it.
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
