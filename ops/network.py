"""Where a request comes from: the one rule for the client's address, used by every throttle
(sign-up, password reset, the contact form), the sign-in lockout (django-axes'
``AXES_CLIENT_IP_CALLABLE``) and every audit row.

The socket's address (``REMOTE_ADDR``) is the client unless the connection comes from a proxy
listed in ``TRUSTED_PROXIES`` (addresses or networks, outermost first; none by default). Only
then is ``X-Forwarded-For`` read, and only from the right: each trusted proxy must have added its
entry, and the entry left of the last trusted one is the client. Entries further left were
written by the client and are never used. A header from anyone not listed is ignored, so a
client that reaches the web server directly cannot choose its address.

python-ipware does the parsing (ports, brackets, IPv4-mapped IPv6, junk entries) and the
matching of each hop against its trusted network.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from python_ipware import IpWare


@lru_cache(maxsize=4)
def _resolver(trusted_proxies: tuple[str, ...]) -> IpWare:
    if not trusted_proxies:
        return IpWare(precedence=("REMOTE_ADDR",))
    return IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_list=list(trusted_proxies))


def client_ip(request) -> str:
    """The client's IP address, or an empty string if none can be told."""
    trusted = tuple(getattr(settings, "TRUSTED_PROXIES", ()))
    socket_address = request.META.get("REMOTE_ADDR", "")
    meta = {"REMOTE_ADDR": socket_address}
    if trusted:
        # The socket's peer is the last hop: put it at the end of the chain, so that a header
        # reaching us from an address not in the list fails ipware's check and is ignored.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        meta = {"HTTP_X_FORWARDED_FOR": f"{forwarded}, {socket_address}" if forwarded else socket_address}
    address, _ = _resolver(trusted).get_client_ip(meta)
    if address is None:
        return _valid(socket_address)
    return str(address)


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""
