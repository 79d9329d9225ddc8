"""A packet built by a real Celery worker, asked for from a separate process as a web server
would: the request returns at once with a PENDING packet, the worker builds it after commit."""

import pytest

from ops.testing import run_django, start_worker, wait_until
from packets.models import Packet
from packets.tests.support import case_with_file, pdftotext_pages

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REQUEST = """
from complaints.models import Case
from packets.services import packet_request
from django.db import transaction
with transaction.atomic():
    packet = packet_request(case=Case.objects.get(pk={case_id}), requested_by=None)
print(packet.pk, packet.state)
"""


def test_a_real_worker_builds_the_packet_asked_for_by_another_process(broker):
    case = case_with_file()
    worker = start_worker(broker, SWEEP_GRACE_SECONDS="3600")
    try:
        asked = run_django(REQUEST.format(case_id=case.pk), broker)
        assert asked.returncode == 0, asked.stderr
        packet_id, state = asked.stdout.split()
        assert state == Packet.State.PENDING
        wait_until(
            lambda: Packet.objects.get(pk=packet_id).state != Packet.State.PENDING,
            timeout=120,
            what=f"the worker to build the packet; log:\n{worker.log()}",
        )
    finally:
        worker.stop()
    packet = Packet.objects.get(pk=packet_id)
    assert packet.state == Packet.State.READY, packet.error
    assert "Task packets.build[" in worker.log()
    pages = pdftotext_pages(packet)
    assert case.number in pages[0]
    assert pages[-1].strip() == "Utilization review page 3 of 3"
    assert packet.page_count == len(pages)
