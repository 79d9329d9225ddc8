"""Run the portal's code in a benchmark as a web or beat process runs it in production: tasks are
queued (to Kombu's in-memory broker, which costs about what a fast broker does) instead of run
on the spot, and e-mail goes to memory.

Benchmark runs set ``CELERY_TASK_ALWAYS_EAGER`` like the tests, so without this a filing would
also render its acknowledgement letter inside the request, and a sweep would send its e-mails.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import kombu.pools
from django.test import override_settings

from helpcenter.celery import app as celery_app


def _drop_cached_connections() -> None:
    # What Celery does after a fork, and more: Kombu keeps one pool per broker address in a
    # registry, so a pool closed here would be handed out again; empty the registry too.
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def tasks_queued_not_run() -> Iterator[None]:
    conf = celery_app.conf
    keys = ("task_always_eager", "broker_url", "broker_write_url", "broker_transport_options")
    saved = {key: conf.get(key) for key in keys}
    _drop_cached_connections()
    conf.update(task_always_eager=False, broker_url="memory://localhost//", broker_write_url="memory://localhost//",
                broker_transport_options={})  # fmt: skip
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        _drop_cached_connections()
        conf.update(saved)
