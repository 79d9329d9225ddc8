"""Counting attempts per client (or per e-mail address) in the shared cache, to slow down
password guessing and form spam without a captcha service.

The cache is shared by every web process (Redis in production, a folder when embedded), so the
counts hold across processes. A count lives for its window, then starts again. Counts per client
are keyed by ``ops.network.client_ip``, the one rule for the client's address.
"""

import hashlib

from django.core.cache import cache


def _key(scope: str, key: str) -> str:
    return f"throttle:{scope}:{hashlib.sha256(key.lower().encode()).hexdigest()[:32]}"


def throttle_count(*, scope: str, key: str) -> int:
    return cache.get(_key(scope, key), 0)


def throttle_hit(*, scope: str, key: str, window_seconds: int) -> int:
    """Count one attempt and return the count within the window."""
    cache_key = _key(scope, key)
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        return 1


def throttle_exceeded(*, scope: str, key: str, limit: int) -> bool:
    return throttle_count(scope=scope, key=key) >= limit
