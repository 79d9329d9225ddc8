"""The "overdue" filter of the work queue reads each case's stored next due time (the earliest
running clock, kept by the clock services) instead of searching the clocks: it must show exactly
the cases that have a running clock past its due time, at the same cost for 5 cases as for 40,
without reading the clock table for the page."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.clocks import HISTORICAL_CLOCKS, LOCAL_TZ
from complaints.models import Case, Status
from complaints.services.case_clocks import clock_extend
from complaints.tests.drive import case_at

from .conftest import signed_in
from .support import QUEUE_URL, queue_numbers

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=LOCAL_TZ)


def overdue_by_the_clocks(now) -> set[str]:
    """The cases with a running (not historical) clock past its due time, read from the clocks."""
    return {
        case.number
        for case in Case.objects.prefetch_related("clocks")
        if case.is_open
        and any(
            clock.is_running and clock.name not in HISTORICAL_CLOCKS and clock.due_at < now
            for clock in case.clocks.all()
        )
    }


def _cases(count: int, at: datetime) -> list[Case]:
    with time_machine.travel(at, tick=False):
        stages = [Status.RESPONSE_REQUESTED, Status.ACKNOWLEDGED, Status.IN_COMPLAINT_REVIEW]
        return [case_at(stages[i % 3]) for i in range(count)]


def test_overdue_shows_exactly_the_cases_with_a_running_clock_past_due(supervisor):
    old = _cases(3, MONDAY - timedelta(days=10))  # their plan response and eligibility notice ran out
    new = _cases(3, MONDAY)
    later = MONDAY + timedelta(days=1)
    extended = old[0]  # every running clock of this one is extended past "later"
    with time_machine.travel(MONDAY, tick=False):
        for clock in extended.clocks.filter(met_at__isnull=True, stopped_at__isnull=True).exclude(
            name__in=HISTORICAL_CLOCKS
        ):
            clock_extend(
                clock=clock, new_due_at=later + timedelta(days=20), reason="Records were mailed.", actor=supervisor,
                now=MONDAY,
            )  # fmt: skip
    client = signed_in(supervisor)
    with time_machine.travel(later, tick=False):
        shown = set(queue_numbers(client.get(QUEUE_URL, {"due": "overdue"})))
        expected = overdue_by_the_clocks(later)
    assert shown == expected
    # Acknowledged 11 days ago: its 7-day eligibility notice ran out. In complaint review: 30 days.
    assert shown == {old[1].number}
    assert {case.number for case in new}.isdisjoint(shown)


def _overdue_page_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE_URL, {"due": "overdue"})
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_overdue_page_costs_the_same_for_5_and_40_cases_and_reads_no_clocks(supervisor):
    client = signed_in(supervisor)
    _cases(5, MONDAY - timedelta(days=10))
    client.get(QUEUE_URL)  # the session and caches settle on the first request
    with time_machine.travel(MONDAY, tick=False):
        with_five = _overdue_page_queries(client)
    _cases(35, MONDAY - timedelta(days=10))
    with time_machine.travel(MONDAY, tick=False):
        with_forty = _overdue_page_queries(client)
    assert len(with_forty) == len(with_five)
    case_queries = [sql for sql in with_forty if 'FROM "complaints_case"' in sql]
    assert case_queries
    assert not any('"complaints_clock"' in sql for sql in case_queries)
    assert any('"next_due_at" <' in sql for sql in case_queries)
