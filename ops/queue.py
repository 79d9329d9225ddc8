"""Enqueue background work after the database commits, without letting a broker outage fail
the request that asked for it.

The database is the source of truth: every task this portal enqueues is also found by the beat
sweep from the rows it left behind. So when the broker is down, the enqueue is logged and
dropped, and the sweep does the work once the broker is back.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` (a task, or a task's registered name, so that a service need not import the
    tasks module that imports it) with these arguments once the current transaction commits."""
    transaction.on_commit(lambda: enqueue_now(task, *args, **kwargs))


def enqueue_now(task, *args, **kwargs) -> bool:
    """Send ``task`` now. Returns False (and logs) if the broker cannot take it."""
    if isinstance(task, str):
        if task not in current_app.tasks:
            # The web process has not imported every app's tasks module; the worker has.
            current_app.loader.import_default_modules()
        task = current_app.tasks[task]
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception as error:  # kombu/redis raise many kinds; any of them means "not queued"
        if task.app.conf.task_always_eager:
            raise
        logger.warning("Could not queue %s%s (%s); the sweep will do it later.", task.name, args, error)
        return False
    return True
