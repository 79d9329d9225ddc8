"""Where a request comes from: the client's address and browser, as the audit log and the
sign-in lockout record them.

Behind the production load balancer the client's address is the entry that the trusted proxies
added to X-Forwarded-For: ``TRUSTED_PROXY_COUNT`` entries from the right. Entries further left come
from the client and can be forged, so they are never used. With no trusted proxy, the socket's
address is used and the header is ignored.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's IP address, or an empty string if none can be told."""
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    address = request.META.get("REMOTE_ADDR", "")
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return _valid(address)


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""
