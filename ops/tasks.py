from celery import shared_task

from ops.backup.schedule import backup_run
from ops.backup.schedule import backup_watch as backup_watch_run
from ops.models import BackupRun, Heartbeat
from ops.services import heartbeat_record


@shared_task(name="ops.probe")
def probe(*, host: str) -> None:
    """Record a probe heartbeat under ``host``: proof that a task went through broker and worker."""
    heartbeat_record(service=Heartbeat.Service.PROBE, host=host)


@shared_task(name="ops.backup_nightly")
def backup_nightly() -> None:
    """The nightly backup (beat). A second one while one runs does nothing (the lease)."""
    backup_run(trigger=BackupRun.Trigger.SCHEDULE)


@shared_task(name="ops.backup_watch")
def backup_watch() -> None:
    """Tell supervisors when no backup succeeded for BACKUP_STALE_HOURS; retry unsent notices."""
    backup_watch_run()
