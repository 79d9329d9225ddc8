"""Writes about the portal's own running state."""

import socket

from django.utils import timezone

from ops.models import Heartbeat


def heartbeat_record(*, service: str, host: str | None = None) -> Heartbeat:
    """Record that ``service`` on ``host`` (this machine by default) is alive now."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        service=service,
        host=host or socket.gethostname(),
        defaults={"seen_at": timezone.now()},
    )
    return heartbeat
