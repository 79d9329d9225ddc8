"""Background work of the packets app: tasks take ids and call one service."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from packets.services import packet_build, packets_pending_requeue


# A hard limit well above a normal build (seconds); a killed build is redelivered (acks late) and
# found PENDING again, and the row lock makes a duplicate wait and then do nothing.
@shared_task(name="packets.build", time_limit=600, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def packet_build_task(packet_id: int) -> None:
    packet_build(packet_id=packet_id)


@shared_task(name="packets.requeue_pending", time_limit=60)
def packets_requeue_pending_task() -> int:
    """Beat: packets whose build was lost are queued again (the database is the source of truth)."""
    return len(packets_pending_requeue(now=timezone.now(), grace=timedelta(seconds=settings.SWEEP_GRACE_SECONDS)))
