"""Clocks started together (``clocks_start``) are what starting them one by one made, and the
case's next due clock comes out the same whether it is read from the database or from the
clocks the service holds."""

import datetime as dt

import pytest

from complaints.clocks import ClockName
from complaints.models import Case, CaseEvent
from complaints.services.case_clocks import case_next_due_refresh, clock_meet, clock_start, clocks_stop
from complaints.tests.factories import file_case

pytestmark = pytest.mark.django_db


def _both_ways(case: Case):
    held = Case.objects.get(pk=case.pk)
    held.next_due_at, held.next_clock_name = None, ""
    case_next_due_refresh(case=held, clocks=list(case.clocks.all()))
    read = Case.objects.get(pk=case.pk)
    read.next_due_at, read.next_clock_name = None, ""
    case_next_due_refresh(case=read)
    return (held.next_due_at, held.next_clock_name), (read.next_due_at, read.next_clock_name)


@pytest.mark.parametrize("urgent", [False, True])
def test_the_next_due_clock_is_the_same_from_held_clocks_and_from_the_database(urgent):
    case = file_case(urgent=urgent, urgent_reason="Surgery next week" if urgent else "")
    now = case.received_at + dt.timedelta(hours=1)
    held, read = _both_ways(case)
    assert held == read
    assert read[1] in (ClockName.ACKNOWLEDGEMENT, ClockName.ELIGIBILITY_NOTICE)
    clock_meet(case=case, name=ClockName.ACKNOWLEDGEMENT, now=now)
    assert _both_ways(case)[0] == _both_ways(case)[1]
    clock_start(case=case, name=ClockName.COMPLAINT_DECISION, now=now)
    assert _both_ways(case)[0] == _both_ways(case)[1]
    clocks_stop(case=case, now=now)
    held, read = _both_ways(case)
    assert held == read == (None, "")


def test_a_started_clock_writes_one_event_and_starting_it_again_none():
    case = file_case()
    case.clocks.all().delete()
    events_before = case.events.count()
    now = case.received_at
    clock_start(case=case, name=ClockName.ACKNOWLEDGEMENT, now=now)
    started = list(case.events.filter(kind=CaseEvent.Kind.CLOCK_STARTED).order_by("id"))[-1:]
    assert [event.data["clock"] for event in started] == ["ACKNOWLEDGEMENT"]
    assert case.events.count() == events_before + 1
    assert clock_start(case=case, name=ClockName.ACKNOWLEDGEMENT, now=now).name == "ACKNOWLEDGEMENT"
    assert case.events.count() == events_before + 1
