"""A worker boot step that records the worker's heartbeat while it runs.

It runs on the worker's own timer, so a worker reports itself alive even when beat is down.
"""

import logging

from celery import bootsteps
from django.conf import settings

logger = logging.getLogger(__name__)


def _record_worker_heartbeat() -> None:
    from django.db import close_old_connections

    from ops.models import Heartbeat
    from ops.services import heartbeat_record

    close_old_connections()
    try:
        heartbeat_record(service=Heartbeat.Service.WORKER)
    except Exception:
        # A database outage must not stop the worker; /healthz will show the stale heartbeat.
        logger.exception("Could not record the worker heartbeat")


class HeartbeatStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_entry = None

    def start(self, worker):
        _record_worker_heartbeat()
        self.timer_entry = worker.timer.call_repeatedly(settings.HEARTBEAT_INTERVAL_SECONDS, _record_worker_heartbeat)

    def stop(self, worker):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None
