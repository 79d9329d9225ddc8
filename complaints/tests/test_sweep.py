"""The sweep's handlers with time travel: before, at and after each due time, and twice in a row."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from accounts.models import StaffGroup
from accounts.tests.factories import PlanUserFactory, StaffFactory
from complaints.clocks import ClockName
from complaints.models import Letter, Notice, Status
from complaints.sweep import due_clocks, sweep_run
from complaints.tasks import SWEEP_LEASE, clock_sweep
from complaints.tests.drive import case_at
from ops.leases import lease_acquire, lease_release
from ops.models import Heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_case():
    case = case_at(Status.RESPONSE_REQUESTED)
    PlanUserFactory(health_plan=case.health_plan, email="compliance@plan.example.test")
    StaffFactory(groups=[StaffGroup.SUPERVISOR], email="boss@helpcenter.example.test")
    return case


def _sweep_at(moment, capture):
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return sweep_run(now=moment)


def _kinds(case):
    """The clock notices of the case (letters issued on the way send their own notices)."""
    return sorted(case.notices.exclude(kind=Notice.Kind.LETTER_WAITING).values_list("kind", flat=True))


def test_nothing_happens_long_before_the_plan_response_is_due(plan_case, django_capture_on_commit_callbacks):
    clock = plan_case.clocks.get(name=ClockName.PLAN_RESPONSE)
    report = _sweep_at(clock.due_at - timedelta(hours=30), django_capture_on_commit_callbacks)
    assert clock.id not in [c.id for c in due_clocks(now=clock.due_at - timedelta(hours=30))]
    assert report.notices_created == []
    assert _kinds(plan_case) == []


def test_the_plan_is_reminded_the_day_before_and_only_once(plan_case, django_capture_on_commit_callbacks):
    clock = plan_case.clocks.get(name=ClockName.PLAN_RESPONSE)
    moment = clock.due_at - timedelta(hours=20)
    _sweep_at(moment, django_capture_on_commit_callbacks)
    _sweep_at(moment + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert _kinds(plan_case) == [Notice.Kind.PLAN_REMINDER]
    reminder = plan_case.notices.get(kind=Notice.Kind.PLAN_REMINDER)
    assert reminder.sent_at is not None
    assert "compliance@plan.example.test" in reminder.recipients
    sent = [m for m in mail.outbox if "due soon" in m.subject]
    assert len(sent) == 1
    # No health information in the e-mail: not the treatment, not the patient's name.
    assert "Knee" not in sent[0].body
    assert "Delgado" not in sent[0].body
    assert plan_case.events.filter(kind="NOTICE_SENT", data__notice_id=reminder.id).count() == 1


def test_at_the_due_moment_it_is_not_yet_late(plan_case, django_capture_on_commit_callbacks):
    clock = plan_case.clocks.get(name=ClockName.PLAN_RESPONSE)
    _sweep_at(clock.due_at, django_capture_on_commit_callbacks)
    assert Notice.Kind.PLAN_LATE not in _kinds(plan_case)
    assert Notice.Kind.CLOCK_OVERDUE not in _kinds(plan_case)


def test_after_the_due_moment_the_plan_and_supervisors_hear_once(plan_case, django_capture_on_commit_callbacks):
    clock = plan_case.clocks.get(name=ClockName.PLAN_RESPONSE)
    for minutes in (1, 2, 60):
        _sweep_at(clock.due_at + timedelta(minutes=minutes), django_capture_on_commit_callbacks)
    kinds = _kinds(plan_case)
    assert kinds.count(Notice.Kind.PLAN_LATE) == 1
    overdue = plan_case.notices.filter(kind=Notice.Kind.CLOCK_OVERDUE)
    assert any("plan written response and records clock is overdue" in notice.subject for notice in overdue)
    assert all("boss@helpcenter.example.test" in notice.recipients for notice in overdue)


def test_an_extended_clock_that_runs_out_again_is_reported_again(plan_case, django_capture_on_commit_callbacks):
    from complaints.services.case_clocks import clock_extend

    clock = plan_case.clocks.get(name=ClockName.PLAN_RESPONSE)
    _sweep_at(clock.due_at + timedelta(minutes=5), django_capture_on_commit_callbacks)
    with time_machine.travel(clock.due_at + timedelta(minutes=10), tick=False):
        clock = clock_extend(
            clock=clock,
            new_due_at=clock.due_at + timedelta(days=2),
            reason="Records from a hospital",
            actor=StaffFactory(groups=[StaffGroup.SUPERVISOR]),
            now=clock.due_at + timedelta(minutes=10),
        )
    _sweep_at(clock.due_at + timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert _kinds(plan_case).count(Notice.Kind.PLAN_LATE) == 2


def test_a_met_clock_is_not_read_at_all(plan_case):
    from complaints.services.plan_responses import plan_response_submit

    clock = plan_case.clocks.get(name=ClockName.PLAN_RESPONSE)
    plan_response_submit(
        case=plan_case, statement="Attached.", files=[], actor=PlanUserFactory(health_plan=plan_case.health_plan)
    )
    assert clock.id not in [c.id for c in due_clocks(now=clock.due_at + timedelta(days=1))]


def test_historical_clocks_are_never_swept():
    case = case_at(Status.ACKNOWLEDGED, plan_decided=False, plan_decision_date=None)
    grievance = case.clocks.get(name=ClockName.PLAN_GRIEVANCE)
    assert grievance.is_running
    assert grievance.id not in [c.id for c in due_clocks(now=grievance.due_at + timedelta(days=400))]


def test_a_case_whose_receipt_work_was_lost_is_acknowledged_by_the_sweep(django_capture_on_commit_callbacks):
    case = case_at(Status.FILED)  # filed without its acknowledgement task ever running
    report = _sweep_at(case.received_at + timedelta(minutes=2), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == Status.ACKNOWLEDGED
    assert report.acknowledged == [case.id]
    assert case.letters.get(kind="ACKNOWLEDGEMENT").state == Letter.State.ISSUED
    again = _sweep_at(case.received_at + timedelta(minutes=3), django_capture_on_commit_callbacks)
    assert again.acknowledged == []
    assert case.events.filter(move="acknowledge").count() == 1


def test_a_new_filing_is_left_to_its_own_task_for_a_minute(django_capture_on_commit_callbacks):
    case = case_at(Status.FILED)
    report = _sweep_at(case.received_at + timedelta(seconds=30), django_capture_on_commit_callbacks)
    assert report.acknowledged == []


def test_a_second_sweep_stands_down_while_one_holds_the_lease():
    assert lease_acquire(name=SWEEP_LEASE, holder="other-beat", seconds=60)
    try:
        assert clock_sweep.apply().get() == {"skipped": True}
        assert not Heartbeat.objects.filter(service=Heartbeat.Service.SWEEP).exists()
    finally:
        lease_release(name=SWEEP_LEASE, holder="other-beat")
    result = clock_sweep.apply().get()
    assert "clocks_read" in result
    assert Heartbeat.objects.filter(service=Heartbeat.Service.SWEEP).exists()


def test_an_expired_lease_can_be_taken_over():
    with time_machine.travel("2026-11-20 10:00 -08:00", tick=False):
        assert lease_acquire(name="x", holder="a", seconds=60)
        assert not lease_acquire(name="x", holder="b", seconds=60)
    with time_machine.travel("2026-11-20 10:01:01 -08:00", tick=False):
        assert lease_acquire(name="x", holder="b", seconds=60)
