"""The nightly backup under a lease, its record (BackupRun), retention, and telling supervisors
when a backup failed or none succeeded for too long.

The database is the source of truth: the state shown in /healthz and on the dashboard is read
from BackupRun rows, and the watch that runs every 15 minutes finds an overdue backup however
the nightly one was lost (beat down, worker down, a crash mid-way).
"""

import logging
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from ops.backup import services, storage
from ops.leases import lease_acquire, lease_release
from ops.models import BackupNotice, BackupRun
from ops.selectors import backup_last_succeeded

logger = logging.getLogger(__name__)
LEASE = "backup"


def backup_run(*, trigger: str, key: bytes | None = None, progress=None) -> BackupRun:
    """Make one backup unless another is running (then return None), record how it went,
    prune old archives after a success, and notify supervisors of a failure."""
    holder = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
    if not lease_acquire(name=LEASE, holder=holder, seconds=settings.BACKUP_LEASE_SECONDS):
        logger.info("A backup is already running; this one is skipped.")
        return None
    try:
        key = key if key is not None else services.configured_key()
        name = services.archive_name_for(timezone.now(), encrypted=key is not None)
        run = BackupRun(trigger=trigger, host=socket.gethostname(), archive_name=name, started_at=timezone.now())
        run.full_clean()
        run.save()
        try:
            result = services.backup_create(name=name, key=key, progress=progress)
        except Exception as error:
            logger.exception("Backup %s failed", name)
            _finish(run, BackupRun.Status.FAILED, detail=f"{type(error).__name__}: {error}")
            backup_failure_notify(run=run)
            raise
        detail = f"{result.files:,} files, {result.rows:,} rows in {result.tables} tables, {result.seconds:.0f} s"
        if result.missing_files:
            detail += f"; {len(result.missing_files)} files named by the database were missing from the storage"
        pruned = storage.archives_prune(keep=settings.BACKUP_KEEP)
        if pruned:
            detail += f"; {len(pruned)} older archives deleted (keeping {settings.BACKUP_KEEP})"
        _finish(run, BackupRun.Status.SUCCEEDED, detail=detail, size_bytes=result.size, files=result.files)
        run.result = result
        return run
    finally:
        lease_release(name=LEASE, holder=holder)


def _finish(run: BackupRun, status: str, **values) -> None:
    run.status = status
    run.finished_at = timezone.now()
    for field, value in values.items():
        setattr(run, field, value)
    run.full_clean()
    run.save(update_fields=["status", "finished_at", *values])


def supervisor_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=settings.BACKUP_NOTIFY_GROUP)
    return list(users.order_by("email").values_list("email", flat=True).distinct())


def _notice_create(*, key: str, subject: str, body: str) -> BackupNotice | None:
    try:
        with transaction.atomic():
            notice = BackupNotice(
                key=key, recipients=supervisor_addresses(), subject=subject, body=body, created_at=timezone.now()
            )
            notice.full_clean(validate_unique=False)
            notice.save()
    except IntegrityError:
        return None  # made already
    backup_notice_send(notice_id=notice.id)
    return notice


def backup_failure_notify(*, run: BackupRun) -> BackupNotice | None:
    return _notice_create(
        key=f"backup-failed-{run.id}",
        subject="Help Center portal: the backup failed",
        body=(
            f"The backup that started at {timezone.localtime(run.started_at):%Y-%m-%d %H:%M %Z} "
            f"on {run.host} failed:\n\n"
            f"{run.detail}\n\nThe portal keeps running, but until a backup succeeds, a lost server would lose "
            f"everything since the last good one. Ask the operators to look at it.\n\n{settings.PORTAL_BASE_URL}/admin/"
        ),
    )


def backup_watch() -> BackupNotice | None:
    """Notify supervisors once per overdue stretch, and retry unsent backup notices."""
    for notice_id in BackupNotice.objects.filter(sent_at__isnull=True).order_by("id").values_list("id", flat=True):
        backup_notice_send(notice_id=notice_id)
    state = backup_state()
    if not state.overdue:
        return None
    since = state.last_succeeded.finished_at.isoformat() if state.last_succeeded else "never"
    return _notice_create(
        key=f"backup-overdue-since-{since}"[:100],
        subject="Help Center portal: no backup for too long",
        body=(
            f"{state.text}\n\nUntil a backup succeeds, a lost server would lose everything since the last good one. "
            f"Ask the operators to check the worker and beat processes and the backup storage.\n\n"
            f"{settings.PORTAL_BASE_URL}/admin/"
        ),
    )


def backup_notice_send(*, notice_id: int) -> None:
    """Send an unsent backup notice once: the row is locked, so a watch and a failing backup
    reaching it at the same moment send it once. A notice made when nobody was in the group goes
    to whoever is in it now. A failure counts the attempt; the next watch tries again."""
    with transaction.atomic():
        notice = (
            BackupNotice.objects.select_for_update(skip_locked=True).filter(id=notice_id, sent_at__isnull=True).first()
        )
        if notice is None:
            return
        notice.attempts += 1
        notice.recipients = notice.recipients or supervisor_addresses()
        if not notice.recipients:
            logger.error("Backup notice %s has no supervisor to go to: %s", notice.key, notice.subject)
        else:
            try:
                send_mail(notice.subject, notice.body, settings.DEFAULT_FROM_EMAIL, notice.recipients)
            except Exception:
                logger.exception("Could not send backup notice %s; the watch retries it", notice.key)
            else:
                notice.sent_at = timezone.now()
        notice.save(update_fields=["attempts", "recipients", "sent_at"])


class BackupState:
    """What /healthz and the dashboard say about backups."""

    def __init__(self, now=None):
        now = now or timezone.now()
        self.last_succeeded = backup_last_succeeded()
        self.last_failed = (
            BackupRun.objects.filter(status=BackupRun.Status.FAILED).order_by("-finished_at", "-id").first()
        )
        stale = timedelta(hours=settings.BACKUP_STALE_HOURS)
        if self.last_succeeded is not None:
            self.age = now - self.last_succeeded.finished_at
            self.overdue = self.age > stale
            when = f"{_hours(self.age)} ago ({timezone.localtime(self.last_succeeded.finished_at):%Y-%m-%d %H:%M %Z})"
            self.text = f"The last good backup finished {when}: {self.last_succeeded.archive_name}."
            if self.overdue:
                self.text = f"OVERDUE: {self.text} Backups are due every night."
        else:
            self.age = None
            installed = _installed_at()
            self.overdue = installed is None or now - installed > stale
            self.text = (
                "OVERDUE: no backup has ever succeeded." if self.overdue else "No backup yet; the first runs tonight."
            )
        failed_after_success = self.last_failed is not None and (
            self.last_succeeded is None or self.last_failed.finished_at > self.last_succeeded.finished_at
        )
        if failed_after_success:
            self.text += (
                f" The latest attempt failed at {timezone.localtime(self.last_failed.finished_at):%Y-%m-%d %H:%M %Z}: "
                f"{self.last_failed.detail[:300]}"
            )
        self.fault = self.overdue or failed_after_success


def backup_state(now=None) -> BackupState:
    return BackupState(now)


def _installed_at():
    from django.db.migrations.recorder import MigrationRecorder

    first = MigrationRecorder.Migration.objects.order_by("applied").values_list("applied", flat=True).first()
    return first


def _hours(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{int(age.total_seconds() // 60)} minutes" if hours < 1 else f"{hours:.1f} hours"
