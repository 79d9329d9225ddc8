"""One request budget per client address for the whole API (API_THROTTLE_RATE, e.g. "120/minute").

The address is the project's one rule for it (``ops.network.client_ip``: X-Forwarded-For only from
the proxies listed in TRUSTED_PROXIES), as for the audit log, the sign-in lockout and every other
throttle. Counts live in the shared
cache (Redis in production), so every web process shares them. Over budget: 429 with Retry-After.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from ops.network import client_ip


class PerClientThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read on every request (not once at import, as DRF's own classes do), so tests and
        # operators can change it.
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        # DRF's own get_ident trusts X-Forwarded-For by count; ours trusts proxies by address.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}
