"""The Celery application shared by the web, worker and beat processes."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")

app = Celery("helpcenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _add_worker_steps(app: Celery) -> None:
    from ops.worker import HeartbeatStep

    app.steps["worker"].add(HeartbeatStep)


_add_worker_steps(app)
