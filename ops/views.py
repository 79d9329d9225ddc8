"""/healthz: the load balancer's health check, and the operators' view of the running parts.

Anyone gets the status only: ``{"ok": true|false}`` with 200 or 503. The details (each check,
which database and broker run, when workers and beat were last seen) tell an attacker what to
aim at, so they go only to signed-in staff who passed the second factor, and to clients whose
address (``ops.network.client_ip``) is in ``HEALTHZ_DETAIL_ADDRESSES``.
"""

import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops.health import health_report
from ops.network import client_ip


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    status = 200 if report["ok"] else 503
    if not may_see_health_details(request):
        return JsonResponse({"ok": report["ok"]}, status=status)
    return JsonResponse(report, status=status)


def may_see_health_details(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff and user.is_verified():
        return True
    address = client_ip(request)
    if not address or not settings.HEALTHZ_DETAIL_ADDRESSES:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(allowed, strict=False) for allowed in settings.HEALTHZ_DETAIL_ADDRESSES)
