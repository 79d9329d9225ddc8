"""The beat scheduler: Celery's own, plus a heartbeat so /healthz can tell that beat runs."""

import logging
import time

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self._last_heartbeat = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= settings.HEARTBEAT_INTERVAL_SECONDS:
            self._record_heartbeat()
            self._last_heartbeat = now
        # Wake at least once per heartbeat interval even when no task is due sooner.
        return min(super().tick(*args, **kwargs), settings.HEARTBEAT_INTERVAL_SECONDS)

    @staticmethod
    def _record_heartbeat() -> None:
        import django

        django.setup()
        from django.db import close_old_connections

        from ops.models import Heartbeat
        from ops.services import heartbeat_record

        close_old_connections()
        try:
            heartbeat_record(service=Heartbeat.Service.BEAT)
        except Exception:
            logger.exception("Could not record the beat heartbeat")
