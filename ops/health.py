"""The checks behind /healthz: can the portal reach its database and broker, and are the
background processes alive?"""

import os
from dataclasses import asdict, dataclass

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ops.backup.schedule import backup_state
from ops.models import Heartbeat
from ops.selectors import heartbeat_last_seen


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str
    last_seen_at: str | None = None

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "down"; the type goes in the detail
        return CheckResult(ok=False, detail=f"unreachable ({type(error).__name__})")
    return CheckResult(ok=True, detail=connection.vendor)


def check_broker() -> CheckResult:
    for folder in settings.EMBEDDED_BROKER_DIRS:
        if not os.access(folder, os.W_OK):
            return CheckResult(ok=False, detail=f"embedded broker folder not writable: {folder.name}")
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            transport = conn.transport_cls
    except Exception as error:
        return CheckResult(ok=False, detail=f"unreachable ({type(error).__name__})")
    return CheckResult(ok=True, detail=str(transport))


def check_heartbeat(service: str, *, stale_after: int | None = None) -> CheckResult:
    try:
        last_seen = heartbeat_last_seen(service=service)
    except Exception as error:
        return CheckResult(ok=False, detail=f"unknown: database unreachable ({type(error).__name__})")
    if last_seen is None:
        return CheckResult(ok=False, detail="never seen")
    age = (timezone.now() - last_seen).total_seconds()
    ok = age <= (stale_after or settings.HEARTBEAT_STALE_SECONDS)
    detail = f"seen {int(age)} s ago" if ok else f"not seen for {int(age)} s"
    return CheckResult(ok=ok, detail=detail, last_seen_at=last_seen.isoformat())


def check_backup() -> CheckResult:
    """The "last backup" check: fine while the newest good backup is younger than BACKUP_STALE_HOURS."""
    try:
        state = backup_state()
    except Exception as error:
        return CheckResult(ok=False, detail=f"unknown: database unreachable ({type(error).__name__})")
    last = state.last_succeeded.finished_at.isoformat() if state.last_succeeded else None
    if state.age is not None:
        detail = f"last backup {int(state.age.total_seconds())} s ago"
        detail += "; overdue" if state.overdue else ""
    else:
        detail = "never backed up" + ("; overdue" if state.overdue else "; the first runs tonight")
    return CheckResult(ok=not state.overdue, detail=detail, last_seen_at=last)


def health_report() -> dict:
    checks = {
        "database": check_database(),
        "broker": check_broker(),
        "worker": check_heartbeat(Heartbeat.Service.WORKER),
        "beat": check_heartbeat(Heartbeat.Service.BEAT),
        "sweep": check_heartbeat(Heartbeat.Service.SWEEP, stale_after=settings.SWEEP_STALE_SECONDS),
        "backup": check_backup(),
    }
    return {
        "ok": all(result.ok for result in checks.values()),
        "checked_at": timezone.now().isoformat(),
        "checks": {name: result.as_dict() for name, result in checks.items()},
    }
