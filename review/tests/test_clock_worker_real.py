"""The IMR organization's clock swept by a real Celery worker: the organization is reminded before
its determination is due and supervisors are told when it is late, each exactly once however
often the sweep runs, and the e-mails really leave the worker.

The worker is another process, so time travel cannot reach it: the test moves the clock's due
time in the database instead, and sends the sweep task (what beat sends every minute) to the
worker through its broker."""

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.clocks import ClockName
from complaints.models import Clock, Notice
from ops.testing import CeleryProcess, start_worker, wait_until
from review.tests.factories import OrganizationFactory, attested, coordinator, reviewer, sent_case

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Each wait is for one sweep or one delivery, which take well under a second on an idle machine.
WAIT = 30
SWEPT = "Sweep:"  # the worker's log line after each sweep (complaints.tasks.clock_sweep)


def _sweep(broker, worker: CeleryProcess) -> None:
    """Have the worker run one more sweep, as beat would, and wait until it is done."""
    before = worker.log().count(SWEPT)
    broker.send("complaints.clock_sweep", queue="celery", kwargs={})
    wait_until(lambda: worker.log().count(SWEPT) > before, timeout=WAIT, what=f"a sweep; log:\n{worker.log()}")


def _mails(folder: Path) -> list[Message]:
    """The e-mails the worker sent (Django's file backend: one file per connection, messages
    separated by a line of dashes)."""
    mails = []
    for path in sorted(folder.glob("*")) if folder.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                mails.append(message_from_bytes(chunk.strip(), policy=policy.default))
    return mails


def _sent_to(mails: list[Message], subject_part: str) -> list[list[str]]:
    return [
        sorted(address.addr_spec for address in mail["To"].addresses)
        for mail in mails
        if subject_part in mail["Subject"]
    ]


def test_the_worker_reminds_the_organization_then_tells_supervisors_it_is_late_once_each(broker, tmp_path):
    org = OrganizationFactory(contact_email="cases@iro.example.test")
    case = sent_case(org)
    boss = coordinator(org, email="boss@iro.example.test")
    doctor = reviewer(org, email="doc@iro.example.test")
    attested(case, doctor, boss)
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR], email="sup@helpcenter.example.test")
    clock = case.clocks.get(name=ClockName.IMRO_DETERMINATION)
    assert not clock.urgent  # reminded 24 hours ahead
    # The file went out weeks ago and the determination is due in six hours: the organization's
    # reminder is due now.
    now = timezone.now()
    Clock.objects.filter(pk=clock.pk).update(started_at=now - timedelta(days=29), due_at=now + timedelta(hours=6))
    mail = tmp_path / "mail"
    organization = sorted(["cases@iro.example.test", "boss@iro.example.test", "doc@iro.example.test"])

    worker = start_worker(broker, SWEEP_GRACE_SECONDS="0", EMAIL_URL=f"filemail:///{mail}")
    try:
        # The worker sweeps as soon as it is ready (catching up after a restart).
        wait_until(
            lambda: Notice.objects.filter(case=case, kind=Notice.Kind.REVIEW_REMINDER, sent_at__isnull=False).exists(),
            timeout=120,  # the worker's start-up on a busy machine; the sweep itself is quick
            what=f"the organization's reminder to be sent; log:\n{worker.log()}",
        )
        _sweep(broker, worker)  # again: nothing new
        assert Notice.objects.filter(case=case, kind=Notice.Kind.REVIEW_REMINDER).count() == 1
        assert not Notice.objects.filter(case=case, kind=Notice.Kind.CLOCK_OVERDUE).exists()

        # Five minutes past due, with no determination: the supervisors are told.
        Clock.objects.filter(pk=clock.pk).update(due_at=timezone.now() - timedelta(minutes=5))
        _sweep(broker, worker)
        wait_until(
            lambda: Notice.objects.filter(case=case, kind=Notice.Kind.CLOCK_OVERDUE, sent_at__isnull=False).exists(),
            timeout=WAIT,
            what=f"the supervisors' late notice to be sent; log:\n{worker.log()}",
        )
        _sweep(broker, worker)
        _sweep(broker, worker)
        wait_until(
            lambda: not Notice.objects.filter(sent_at__isnull=True).exists(), timeout=WAIT, what="every notice sent"
        )
    finally:
        worker.stop()

    reminder = Notice.objects.get(case=case, kind=Notice.Kind.REVIEW_REMINDER)
    assert sorted(reminder.recipients) == organization
    assert "/review/" in reminder.body
    late = Notice.objects.get(case=case, kind=Notice.Kind.CLOCK_OVERDUE)
    assert late.key.startswith(f"clock:{clock.id}:")
    assert supervisor.email in late.recipients
    assert not set(late.recipients) & set(organization)
    assert Notice.objects.filter(case=case, kind=Notice.Kind.REVIEW_REMINDER).count() == 1
    # What left the worker: one reminder to the organization's people, one late notice to supervisors.
    mails = _mails(mail)
    assert _sent_to(mails, "independent review determination is due soon") == [organization]
    assert _sent_to(mails, "organization's determination clock is overdue") == [sorted(late.recipients)]
    assert all(case.number in sent["Subject"] for sent in mails if "determination" in sent["Subject"])
