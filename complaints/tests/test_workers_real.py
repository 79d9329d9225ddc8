"""Background work through real Celery processes: a broker outage during filings, a worker killed
in the middle of a letter, and two beats at once. Nothing is lost and nothing happens twice.

The broker is a Redis server of the test's own (so the test can stop it) when redis-server is
installed, otherwise the embedded folder broker."""

import re
import shutil
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, StaffFactory
from complaints.models import Case, CaseEvent, Letter, Notice, Status
from complaints.services.moves import case_move
from complaints.tests.factories import file_case
from ops.models import Heartbeat
from ops.testing import Broker, PrivateRedis, free_port, run_django, start_beat, start_worker, wait_until

LETTER_RECEIVED = re.compile(r"Task complaints\.letter_render\[[0-9a-f-]+\] received")
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FILE_THREE_CASES = """
from accounts.models import User
from complaints.tests.factories import file_case
enrollee = User.objects.get(pk={enrollee_id})
for _ in range(3):
    print(file_case(enrollee=enrollee).number)
"""


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed on this machine, so the test cannot stop and start one")
    server = PrivateRedis(port=free_port(), folder=tmp_path)
    server.start()
    yield server
    server.stop()


def test_filings_while_redis_is_down_lose_nothing_once_it_is_back(private_redis, tmp_path):
    broker = Broker.redis(private_redis.url, tmp_path)
    enrollee = EnrolleeFactory()
    private_redis.stop()

    started = time.monotonic()
    filed = run_django(FILE_THREE_CASES.format(enrollee_id=enrollee.id), broker)
    assert filed.returncode == 0, filed.stderr
    assert time.monotonic() - started < 45, "a filing must not hang on a broker outage"
    numbers = filed.stdout.split()
    assert len(numbers) == 3
    assert Case.objects.filter(number__in=numbers, status=Status.FILED).count() == 3
    assert "the sweep will do it later" in filed.stderr

    private_redis.start()
    worker = start_worker(broker, SWEEP_GRACE_SECONDS="0")
    try:
        wait_until(
            lambda: (
                Letter.objects.filter(
                    case__number__in=numbers, kind="ACKNOWLEDGEMENT", state=Letter.State.ISSUED
                ).count()
                == 3
            ),
            timeout=120,
            what=f"the acknowledgements after the outage; worker log:\n{worker.log()}",
        )
    finally:
        worker.stop()
    for case in Case.objects.filter(number__in=numbers):
        assert case.status == Status.ACKNOWLEDGED
        assert case.events.filter(move="acknowledge").count() == 1
        assert case.letters.filter(kind="ACKNOWLEDGEMENT").count() == 1
        assert case.clocks.get(name="ACKNOWLEDGEMENT").met_at is not None
        assert case.clocks.count() >= 3  # nothing lost: every clock of the filing is there


def test_a_worker_killed_in_the_middle_of_a_letter_leaves_it_issued_exactly_once(broker):
    enrollee = EnrolleeFactory()
    filed = run_django(FILE_THREE_CASES.format(enrollee_id=enrollee.id).replace("range(3)", "range(1)"), broker)
    assert filed.returncode == 0, filed.stderr
    case = Case.objects.get(number=filed.stdout.split()[0])

    first = start_worker(broker, name="-first", SWEEP_GRACE_SECONDS="3600")
    wait_until(
        lambda: LETTER_RECEIVED.search(first.log()) is not None,
        timeout=90,
        what=f"the letter task to reach the worker; log:\n{first.log()}",
    )
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    letter = case.letters.get(kind="ACKNOWLEDGEMENT")
    assert case.events.filter(kind=CaseEvent.Kind.LETTER_ISSUED).count() <= 1

    second = start_worker(broker, name="-second", SWEEP_GRACE_SECONDS="0")
    try:
        wait_until(
            lambda: Letter.objects.get(pk=letter.pk).state == Letter.State.ISSUED,
            timeout=120,
            what=f"the letter to be issued by the second worker; log:\n{second.log()}",
        )
        time.sleep(3)  # let any duplicate delivery run too
    finally:
        second.stop()
    letter.refresh_from_db()
    assert case.events.filter(kind=CaseEvent.Kind.LETTER_ISSUED, data__letter_id=letter.id).count() == 1
    assert case.notices.filter(kind=Notice.Kind.LETTER_WAITING).count() == 1
    import hashlib

    with letter.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == letter.sha256


def test_two_beats_at_once_do_the_work_once(broker, django_capture_on_commit_callbacks):
    StaffFactory(groups=[StaffGroup.SUPERVISOR])
    long_ago = timezone.now() - timedelta(days=10)
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    cases = []
    for _ in range(3):
        case = file_case(received_at=long_ago)
        PlanUserFactory(health_plan=case.health_plan)
        case.refresh_from_db()  # filed for real: the eager acknowledgement already ran after commit
        cases.append(case_move(case=case, move="request_plan_response", actor=intake, now=long_ago))

    fast = {"SWEEP_INTERVAL_SECONDS": "2", "SWEEP_GRACE_SECONDS": "0"}
    worker = start_worker(broker, **fast)
    beats = [start_beat(broker, name="-a", **fast), start_beat(broker, name="-b", **fast)]
    try:
        wait_until(
            lambda: worker.log().count("Sweep:") >= 4, timeout=120, what=f"several sweeps; worker log:\n{worker.log()}"
        )
    finally:
        for beat in beats:
            beat.stop()
        worker.stop()
    for case in cases:
        overdue = case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True, due_at__lt=timezone.now())
        overdue = overdue.exclude(name__in=["FILING_WINDOW", "PLAN_GRIEVANCE"])
        assert set(overdue.values_list("name", flat=True)) == {"PLAN_RESPONSE", "ELIGIBILITY_NOTICE"}
        assert case.notices.filter(kind=Notice.Kind.CLOCK_OVERDUE).count() == 2  # one per overdue clock
        assert case.notices.filter(kind=Notice.Kind.PLAN_LATE).count() == 1
        assert all(notice.sent_at for notice in case.notices.all())
        assert case.events.filter(kind=CaseEvent.Kind.NOTICE_SENT).count() == case.notices.count()
    assert Heartbeat.objects.filter(service=Heartbeat.Service.SWEEP).exists()
