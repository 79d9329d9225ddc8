from celery import shared_task

from ops.models import Heartbeat
from ops.services import heartbeat_record


@shared_task(name="ops.probe")
def probe(*, host: str) -> None:
    """Record a probe heartbeat under ``host``: proof that a task went through broker and worker."""
    heartbeat_record(service=Heartbeat.Service.PROBE, host=host)
