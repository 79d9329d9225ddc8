"""Tasks through real Celery processes: the embedded folder broker always, Redis when reachable."""

import os

import pytest

from ops.models import Heartbeat
from ops.testing import Broker, start_beat, start_worker, unique_queue, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _probe_through_real_worker(broker: Broker) -> None:
    queue = unique_queue()
    worker = start_worker(broker, queue=queue)
    try:
        broker.send("ops.probe", queue=queue, kwargs={"host": queue})
        wait_until(
            lambda: Heartbeat.objects.filter(service=Heartbeat.Service.PROBE, host=queue).exists(),
            timeout=90,
            what=f"the probe task to run in the worker; worker log:\n{worker.log()}",
        )
        # The worker's boot step reported it alive too, under its own host name.
        assert Heartbeat.objects.filter(service=Heartbeat.Service.WORKER).exists()
    finally:
        worker.stop()


def test_a_task_runs_in_a_real_worker_on_the_embedded_broker(tmp_path):
    _probe_through_real_worker(Broker.embedded(tmp_path))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis is not reachable on this machine")
def test_a_task_runs_in_a_real_worker_through_redis(tmp_path):
    _probe_through_real_worker(Broker.redis(os.environ["REDIS_URL"], tmp_path))


def test_healthz_is_all_green_with_a_real_worker_and_beat_running(client, tmp_path, settings):
    settings.HEALTHZ_DETAIL_ADDRESSES = ["127.0.0.1"]  # the test client's address: details shown
    broker = Broker.embedded(tmp_path)
    worker = start_worker(broker)  # the default queue: beat's sweep must reach it
    beat = start_beat(broker)
    try:
        wait_until(
            lambda: client.get("/healthz").status_code == 200,
            timeout=90,
            what=f"/healthz to turn green; worker log:\n{worker.log()}\nbeat log:\n{beat.log()}",
        )
        checks = client.get("/healthz").json()["checks"]
        assert checks["worker"]["ok"]
        assert checks["beat"]["ok"]
        assert checks["sweep"]["ok"]
    finally:
        worker.stop()
        beat.stop()
