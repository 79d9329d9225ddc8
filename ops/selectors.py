"""Reads about the portal's own running state."""

from datetime import datetime

from django.db.models import Max

from ops.models import BackupRun, Heartbeat


def heartbeat_last_seen(*, service: str) -> datetime | None:
    """The most recent moment any host reported ``service`` alive, or None if never."""
    return Heartbeat.objects.filter(service=service).aggregate(last=Max("seen_at"))["last"]


def backup_last_succeeded() -> BackupRun | None:
    """The newest backup that succeeded, or None."""
    return BackupRun.objects.filter(status=BackupRun.Status.SUCCEEDED).order_by("-finished_at", "-id").first()
