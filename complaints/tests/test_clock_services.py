from datetime import timedelta

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import PlanUserFactory, StaffFactory
from complaints.clocks import ClockName
from complaints.errors import CaseError
from complaints.models import CaseEvent, Status
from complaints.services.case_clocks import clock_extend
from complaints.tests.drive import case_at

pytestmark = pytest.mark.django_db


def _plan_response_clock():
    case = case_at(Status.RESPONSE_REQUESTED)
    return case, case.clocks.get(name=ClockName.PLAN_RESPONSE)


def test_staff_extend_a_clock_with_a_reason_and_the_timeline_says_so():
    case, clock = _plan_response_clock()
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    old_due = clock.due_at
    new_due = old_due + timedelta(days=2)
    extended = clock_extend(
        clock=clock,
        new_due_at=new_due,
        reason="Plan asked for records from a hospital.",
        actor=staff,
        now=clock.started_at + timedelta(hours=1),
    )
    assert extended.due_at == new_due
    assert extended.extension_count == 1
    extension = extended.extensions.get()
    assert extension.previous_due_at == old_due
    assert extension.extended_by == staff
    event = case.events.get(kind=CaseEvent.Kind.CLOCK_EXTENDED)
    assert event.reason == "Plan asked for records from a hospital."
    assert event.actor == staff


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_extension_without_a_reason_is_refused(reason):
    _, clock = _plan_response_clock()
    with pytest.raises(CaseError) as refused:
        clock_extend(
            clock=clock,
            new_due_at=clock.due_at + timedelta(days=1),
            reason=reason,
            actor=StaffFactory(groups=[StaffGroup.INTAKE]),
            now=clock.started_at,
        )
    assert "reason" in refused.value.field_errors
    clock.refresh_from_db()
    assert clock.extension_count == 0


def test_an_extension_must_move_the_due_time_later():
    _, clock = _plan_response_clock()
    with pytest.raises(CaseError, match="later"):
        clock_extend(
            clock=clock,
            new_due_at=clock.due_at - timedelta(hours=1),
            reason="x",
            actor=StaffFactory(groups=[StaffGroup.INTAKE]),
            now=clock.started_at,
        )


def test_only_staff_extend_clocks():
    case, clock = _plan_response_clock()
    with pytest.raises(CaseError, match="Only Help Center staff"):
        clock_extend(
            clock=clock,
            new_due_at=clock.due_at + timedelta(days=1),
            reason="please",
            actor=PlanUserFactory(health_plan=case.health_plan),
            now=clock.started_at,
        )


def test_a_met_clock_cannot_be_extended():
    case = case_at(Status.RESPONSE_RECEIVED)
    clock = case.clocks.get(name=ClockName.PLAN_RESPONSE)
    assert clock.met_at is not None
    with pytest.raises(CaseError, match="no longer runs"):
        clock_extend(
            clock=clock,
            new_due_at=clock.due_at + timedelta(days=1),
            reason="x",
            actor=StaffFactory(groups=[StaffGroup.INTAKE]),
            now=clock.started_at,
        )


def test_clocks_of_a_filed_case_count_from_receipt():
    case = case_at(Status.FILED)
    names = set(case.clocks.values_list("name", flat=True))
    assert names == {"ACKNOWLEDGEMENT", "ELIGIBILITY_NOTICE", "FILING_WINDOW", "PLAN_GRIEVANCE"}
    assert case.clocks.get(name="ACKNOWLEDGEMENT").started_at == case.received_at
    window = case.clocks.get(name="FILING_WINDOW")
    assert window.met_at == case.received_at
    assert window.met_on_time is True


def test_the_case_keeps_its_next_due_clock_for_the_queue():
    case = case_at(Status.FILED)
    running = case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True).exclude(
        name__in=["FILING_WINDOW", "PLAN_GRIEVANCE"]
    )
    first = running.order_by("due_at", "id").first()
    case.refresh_from_db()
    assert (case.next_due_at, case.next_clock_name) == (first.due_at, first.name)

    case = case_at(Status.RESPONSE_REQUESTED)
    clock = case.clocks.get(name=ClockName.PLAN_RESPONSE)
    later = clock.due_at + timedelta(days=30)
    clock_extend(
        clock=clock,
        new_due_at=later,
        reason="Waiting for hospital records",
        actor=StaffFactory(groups=[StaffGroup.SUPERVISOR]),
        now=clock.started_at,
    )
    case.refresh_from_db()
    assert case.next_due_at == min(
        c.due_at
        for c in case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True)
        if c.name not in ("FILING_WINDOW", "PLAN_GRIEVANCE")
    )

    closed = case_at(Status.CLOSED)
    closed.refresh_from_db()
    assert closed.next_due_at is None
    assert closed.next_clock_name == ""
