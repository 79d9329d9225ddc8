"""Background work on cases. Each task takes ids, loads rows and calls one service; running it
twice changes nothing the second time. Retries back off; long waits are never held in the
broker (the sweep finds what is due from the database)."""

import logging
import socket

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError
from django.utils import timezone

from complaints.errors import CaseError
from complaints.models import Case, Status
from complaints.scanning import ScannerUnavailable
from complaints.services.moves import case_move
from ops.leases import lease_acquire, lease_release
from ops.models import Heartbeat
from ops.services import heartbeat_record

logger = logging.getLogger(__name__)

RETRYING = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}
SWEEP_LEASE = "clock-sweep"


@shared_task(name="complaints.case_acknowledge", **RETRYING)
def case_acknowledge(case_id: int) -> None:
    """Acknowledge a newly filed case (the letter goes out with the move)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.status != Status.FILED:
        return
    try:
        case_move(case=case, move="acknowledge", actor=None)
    except CaseError as refusal:
        # Someone (staff, or a second run of this task) moved the case first: nothing to do.
        logger.info("Acknowledgement of case %s not needed: %s", case_id, refusal.message)


# A hard limit above the renderer's own (LETTERS_RENDER_TIME_LIMIT_SECONDS): a task killed by it
# is redelivered (acks late), and letter_issue's row lock and state make the rerun safe.
@shared_task(name="complaints.letter_render", time_limit=120, **RETRYING)
def letter_render(letter_id: int) -> None:
    """Render and store a pending letter. An issued letter is never rendered again."""
    from complaints.services.letter_issue import letter_issue

    letter_issue(letter_id=letter_id)


@shared_task(
    name="complaints.document_scan",
    autoretry_for=(ScannerUnavailable, DatabaseError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def document_scan_task(document_id: int) -> None:
    """Virus-scan a newly added document (complaints.scanning); a scanned one is left alone."""
    from complaints.scanning import document_scan

    document_scan(document_id=document_id)


@shared_task(name="complaints.documents_scan_pending")
def documents_scan_pending_task() -> None:
    from datetime import timedelta

    from django.conf import settings

    from complaints.scanning import documents_scan_pending

    documents_scan_pending(now=timezone.now(), grace=timedelta(seconds=settings.SWEEP_GRACE_SECONDS))


# Kept for messages queued by an earlier release; new work goes through notices_deliver_task.
@shared_task(name="complaints.notice_deliver", autoretry_for=(Exception,), retry_backoff=True, max_retries=6)
def notice_deliver_task(notice_id: int) -> None:
    from complaints.services.notices import notice_deliver

    notice_deliver(notice_id=notice_id)


class NoticesUndelivered(Exception):
    pass


@shared_task(name="complaints.notices_deliver", autoretry_for=(Exception,), retry_backoff=True, max_retries=6)
def notices_deliver_task(notice_ids: list[int]) -> None:
    """Send each notice once. One that fails does not hold up the others; the task then retries,
    and on the retry the notices already sent are left alone."""
    from complaints.services.notices import notice_deliver

    failed = []
    for notice_id in notice_ids:
        try:
            notice_deliver(notice_id=notice_id)
        except Exception:
            logger.exception("Notice %s not sent; it will be tried again.", notice_id)
            failed.append(notice_id)
    if failed:
        raise NoticesUndelivered(f"{len(failed)} of {len(notice_ids)} notices not sent: {failed[:20]}")


@shared_task(name="complaints.clock_sweep", time_limit=300)
def clock_sweep() -> dict:
    """Run one sweep unless another is running (a second beat, or a slow sweep): the lease makes
    sure the work is done once."""
    from complaints.sweep import sweep_run

    holder = f"{socket.gethostname()}:{clock_sweep.request.id or 'direct'}"
    if not lease_acquire(name=SWEEP_LEASE, holder=holder, seconds=280):
        logger.info("Another sweep is running; this one stands down.")
        return {"skipped": True}
    try:
        report = sweep_run(now=timezone.now())
        heartbeat_record(service=Heartbeat.Service.SWEEP)
    finally:
        lease_release(name=SWEEP_LEASE, holder=holder)
    logger.info(
        "Sweep: %s acknowledged, %s letters queued, %s clocks read, %s notices made, %s account e-mails queued",
        len(report.acknowledged), len(report.letters_queued), report.clocks_read, len(report.notices_created),
        len(report.account_emails_queued),
    )  # fmt: skip
    return {"clocks_read": report.clocks_read, "notices": len(report.notices_created)}


@worker_ready.connect
def _sweep_when_a_worker_starts(sender=None, **kwargs):
    # After an outage or a restart, catch up at once rather than at beat's next minute.
    from ops.queue import enqueue_now

    enqueue_now(clock_sweep)
