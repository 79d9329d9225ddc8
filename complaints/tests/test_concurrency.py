"""Two people acting on one case at the same moment: one wins, the other is refused, and nothing
is half-done. Runs on real transactions (PostgreSQL row locks, or SQLite's write lock)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.errors import CaseError
from complaints.models import Case, CaseEvent, Status
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS, case_at
from complaints.tests.factories import file_case

pytestmark = pytest.mark.django_db(transaction=True)


def _run_at_once(*calls):
    """Run each call in its own thread and database connection, all released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_triage_decisions_at_once_one_wins_and_one_is_refused():
    case = case_at(Status.RESPONSE_RECEIVED)
    first, second = StaffFactory(groups=[StaffGroup.INTAKE]), StaffFactory(groups=[StaffGroup.INTAKE])
    results = _run_at_once(
        lambda: case_move(case=case, move="triage_imr", actor=first, data=MOVE_INPUTS["triage_imr"]),
        lambda: case_move(case=case, move="triage_complaint", actor=second, data=MOVE_INPUTS["triage_complaint"]),
    )
    winners = [result for result in results if isinstance(result, Case)]
    refusals = [result for result in results if isinstance(result, CaseError)]
    assert len(winners) == 1, results
    assert len(refusals) == 1, results
    case.refresh_from_db()
    assert case.status == winners[0].status
    triage_events = CaseEvent.objects.filter(case=case, move__in=["triage_imr", "triage_complaint"])
    assert triage_events.count() == 1
    # The loser left nothing behind: exactly one decision clock started, one kind of letter.
    assert case.clocks.filter(name__in=["IMR_DECISION", "COMPLAINT_DECISION"]).count() == 1
    assert (
        case.letters.filter(kind__in=["IMR_ELIGIBILITY", "COMPLAINT_CONVERSION"]).values("kind").distinct().count() == 1
    )


def test_the_same_move_twice_at_once_happens_once():
    case = case_at(Status.ACKNOWLEDGED)
    staff = StaffFactory(groups=[StaffGroup.INTAKE])
    results = _run_at_once(
        lambda: case_move(case=case, move="request_plan_response", actor=staff),
        lambda: case_move(case=case, move="request_plan_response", actor=staff),
    )
    assert sum(isinstance(result, Case) for result in results) == 1, results
    assert CaseEvent.objects.filter(case=case, move="request_plan_response").count() == 1
    assert case.clocks.filter(name="PLAN_RESPONSE").count() == 1
    assert case.letters.filter(kind="RESPONSE_REQUEST").count() == 1


def test_filings_at_the_same_moment_get_different_numbers():
    received = timezone.now() - timedelta(minutes=1)
    cases = _run_at_once(*(lambda: file_case(received_at=received) for _ in range(4)))
    assert all(isinstance(case, Case) for case in cases), cases
    numbers = {case.number for case in cases}
    assert len(numbers) == 4
