"""The IMR organization's clock on a real case: started when the file is sent, extended once by
up to 3 days with a reason, and swept: a reminder to the organization before it is due, a notice
to supervisors when it is late (test_clock_worker_real.py has a real worker do the same)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.clocks import ClockName
from complaints.errors import CaseError
from complaints.models import CaseEvent, Notice
from complaints.services.case_clocks import clock_extend
from complaints.sweep import sweep_run
from review.tests.factories import OrganizationFactory, attested, coordinator, reviewer, sent_case

pytestmark = pytest.mark.django_db


def test_staff_extend_it_once_by_up_to_three_days_with_a_reason():
    case = sent_case(OrganizationFactory())
    clock = case.clocks.get(name=ClockName.IMRO_DETERMINATION)
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    now = timezone.now()
    with pytest.raises(CaseError) as too_far:
        clock_extend(
            clock=clock, new_due_at=clock.due_at + timedelta(days=4), reason="Records late.", actor=staff, now=now
        )
    assert "new_due_at" in too_far.value.field_errors
    original = clock.due_at
    clock_extend(
        clock=clock,
        new_due_at=clock.due_at + timedelta(days=3),
        reason="Good cause: records late.",
        actor=staff,
        now=now,
    )
    clock.refresh_from_db()
    assert clock.due_at == original + timedelta(days=3)
    assert clock.extension_count == 1
    event = case.events.get(kind=CaseEvent.Kind.CLOCK_EXTENDED)
    assert event.reason == "Good cause: records late."
    with pytest.raises(CaseError, match="only once"):
        clock_extend(clock=clock, new_due_at=clock.due_at + timedelta(hours=1), reason="Again.", actor=staff, now=now)


def test_the_sweep_reminds_the_organization_then_tells_supervisors_when_late():
    org = OrganizationFactory(contact_email="cases@iro.example.test")
    case = sent_case(org, urgent=True, urgent_reason="Surgery scheduled this week.")
    boss, doctor = coordinator(org, email="boss@iro.example.test"), reviewer(org, email="doc@iro.example.test")
    attested(case, doctor, boss)
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR], email="sup@helpcenter.example.test")
    clock = case.clocks.get(name=ClockName.IMRO_DETERMINATION)
    with time_machine.travel(clock.due_at - timedelta(hours=6), tick=False):
        sweep_run(now=timezone.now())
        sweep_run(now=timezone.now())  # a second sweep sends nothing twice
    reminder = Notice.objects.get(case=case, kind=Notice.Kind.REVIEW_REMINDER)
    assert reminder.recipients == ["cases@iro.example.test", "boss@iro.example.test", "doc@iro.example.test"]
    assert "/review/" in reminder.body
    assert case.number in reminder.subject
    assert not Notice.objects.filter(case=case, kind=Notice.Kind.CLOCK_OVERDUE).exists()
    with time_machine.travel(clock.due_at + timedelta(minutes=5), tick=False):
        sweep_run(now=timezone.now())
    late = Notice.objects.get(case=case, kind=Notice.Kind.CLOCK_OVERDUE, key__contains=f"clock:{clock.id}:")
    assert supervisor.email in late.recipients
    assert "doc@iro.example.test" not in late.recipients
    assert "organization's determination clock is overdue" in late.subject
