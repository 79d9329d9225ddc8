"""The case list as the work queue: what is due first, each filter, search, and a page that costs
the same whatever the number of cases."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import StaffGroup
from accounts.tests.factories import HealthPlanFactory, StaffFactory
from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import Case, Outcome, ReviewUnit, Status
from complaints.services.case_clocks import clock_meet
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS, case_at, drive
from complaints.tests.factories import file_case, patient_data
from complaints.workflow import MoveInput

from .conftest import signed_in
from .support import QUEUE_URL, page_text, queue_numbers

pytestmark = pytest.mark.django_db

# A Monday in California; no holiday nearby.
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=LOCAL_TZ)


def next_running(case: Case):
    return (
        case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True)
        .exclude(name__in=[ClockName.FILING_WINDOW, ClockName.PLAN_GRIEVANCE])
        .order_by("due_at")
        .first()
    )


def test_overdue_reads_in_words_and_the_queue_puts_what_is_due_first(supervisor):
    with time_machine.travel(MONDAY, tick=False):
        later = file_case()  # acknowledgement and eligibility clocks due next week
    with time_machine.travel(MONDAY - timedelta(days=9), tick=False):
        earlier = file_case()  # its clocks fell due before MONDAY
    with time_machine.travel(MONDAY - timedelta(days=1), tick=False):
        nothing_running = drive(file_case(denial_reason="COVERAGE_BILLING"), ["acknowledge"])
        for clock in nothing_running.clocks.filter(met_at__isnull=True, stopped_at__isnull=True):
            clock_meet(case=nothing_running, name=clock.name, now=MONDAY - timedelta(days=1))
    overdue_clock = next_running(earlier)
    with time_machine.travel(overdue_clock.due_at + timedelta(hours=3), tick=False):
        response = signed_in(supervisor).get(QUEUE_URL)
    assert queue_numbers(response) == [earlier.number, later.number, nothing_running.number]
    text = page_text(response)
    assert f"{earlier.number} Rosa M. Delgado" in text
    assert "OVERDUE by 3 h" in text
    assert f"OVERDUE by 3 h {overdue_clock.get_name_display()}" in text
    assert "No clock running" in text
    # The time left of the later case is counted from the same moment.
    left = next_running(later).due_at - (overdue_clock.due_at + timedelta(hours=3))
    assert f"{left.days} d" in text


def test_a_clock_due_within_two_days_says_due_soon(supervisor):
    with time_machine.travel(MONDAY, tick=False):
        case = file_case()
    due = next_running(case).due_at
    with time_machine.travel(due - timedelta(hours=5), tick=False):
        text = page_text(signed_in(supervisor).get(QUEUE_URL))
    assert "DUE SOON: 5 h left" in text


def test_closed_cases_leave_the_queue_but_can_be_listed(supervisor):
    open_case = file_case()
    withdrawn = drive(file_case(), ["withdraw"])
    client = signed_in(supervisor)
    assert queue_numbers(client.get(QUEUE_URL)) == [open_case.number]
    assert set(queue_numbers(client.get(QUEUE_URL, {"status": "ALL"}))) == {open_case.number, withdrawn.number}
    assert queue_numbers(client.get(QUEUE_URL, {"status": Status.WITHDRAWN})) == [withdrawn.number]
    assert queue_numbers(client.get(QUEUE_URL, {"status": Status.FILED})) == [open_case.number]


def test_filters_for_track_urgency_plan_unit_and_person(supervisor):
    kaiser = HealthPlanFactory(name="Kaiser Foundation Health Plan")
    imr = case_at(Status.TRIAGED_IMR, health_plan_id=kaiser.id)
    urgent = file_case(urgent=True, urgent_reason="Surgery is scheduled for Friday.")
    complaint = case_at(Status.TRIAGED_COMPLAINT, denial_reason="COVERAGE_BILLING")
    lawyer = StaffFactory(groups=[StaffGroup.LEGAL], full_name="Lee Lawyer")
    case_move(
        case=complaint,
        move="assign_review",
        actor=supervisor,
        data=MoveInput(review_unit=ReviewUnit.LEGAL, assignee=lawyer),
    )
    unassigned = case_at(Status.IN_COMPLAINT_REVIEW, denial_reason="COVERAGE_BILLING")  # clinical, nobody
    client = signed_in(supervisor)

    def shown(**params):
        return set(queue_numbers(client.get(QUEUE_URL, params)))

    assert shown(track__exact="IMR") == {imr.number}
    assert shown(track__exact="COMPLAINT") == {complaint.number, unassigned.number}
    assert shown(urgent__exact="1") == {urgent.number}
    assert shown(health_plan__id__exact=str(kaiser.id)) == {imr.number}
    assert shown(review_unit__exact="LEGAL") == {complaint.number}
    assert shown(review_unit__exact="CLINICAL") == {unassigned.number}
    assert shown(assignee=str(lawyer.id)) == {complaint.number}
    assert complaint.number not in shown(assignee="NOBODY")
    assert shown(assignee="ME") == set()
    me = signed_in(lawyer).get(QUEUE_URL, {"assignee": "ME"})
    assert queue_numbers(me) == [complaint.number]
    # The urgent case says so in words.
    assert "URGENT" in page_text(client.get(QUEUE_URL, {"urgent__exact": "1"}))


def test_clock_filters_overdue_due_today_and_this_week_in_california_time(supervisor):
    # The plan's response clock: 3 business days from the request.
    with time_machine.travel(MONDAY, tick=False):
        asked_monday = case_at(Status.RESPONSE_REQUESTED)  # plan response due Thursday 23:59
    with time_machine.travel(MONDAY - timedelta(days=7), tick=False):
        asked_last_week = case_at(Status.RESPONSE_REQUESTED)  # due last Thursday: overdue
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        asked_thursday = case_at(Status.RESPONSE_REQUESTED)  # due next Tuesday: not this week
    due_thursday = asked_monday.clocks.get(name=ClockName.PLAN_RESPONSE).due_at
    assert due_thursday.astimezone(LOCAL_TZ).date() == date(2026, 11, 5)

    client = signed_in(supervisor)

    def shown(at, **params):
        with time_machine.travel(at, tick=False):
            return set(queue_numbers(client.get(QUEUE_URL, {"clock": ClockName.PLAN_RESPONSE, **params})))

    thursday_noon = datetime(2026, 11, 5, 12, 0, tzinfo=LOCAL_TZ)
    assert shown(thursday_noon, due="overdue") == {asked_last_week.number}
    assert shown(thursday_noon, due="today") == {asked_monday.number}
    assert shown(thursday_noon, due="week") == {asked_monday.number}
    assert shown(thursday_noon) == {asked_monday.number, asked_last_week.number, asked_thursday.number}
    # At 11:30 p.m. on Thursday in California it is already Friday in UTC: still "today" here.
    late_thursday = datetime(2026, 11, 5, 23, 30, tzinfo=LOCAL_TZ)
    assert shown(late_thursday, due="today") == {asked_monday.number}
    # A minute after its due time, it is overdue, and no longer due today.
    just_after = due_thursday + timedelta(minutes=1)
    assert shown(just_after, due="overdue") == {asked_monday.number, asked_last_week.number}
    assert shown(just_after, due="today") == set()
    # Next Monday, the Tuesday clock is due this week.
    assert shown(datetime(2026, 11, 9, 9, 0, tzinfo=LOCAL_TZ), due="week") == {asked_thursday.number}


def test_search_by_case_number_name_member_id_and_email(supervisor):
    ana = file_case(
        patient=patient_data(first_name="Ana", last_name="Quintero", email="ana.q@example.test"),
        member_id="QX-4471",
    )
    other = file_case(patient=patient_data(first_name="Bea", last_name="Nakamura", email="bea@example.test"))
    client = signed_in(supervisor)

    def found(term):
        return queue_numbers(client.get(QUEUE_URL, {"q": term}))

    assert found(ana.number) == [ana.number]
    assert found(ana.number.lower()) == [ana.number]
    assert found("Quintero") == [ana.number]
    assert found("quint") == [ana.number]
    assert found("Ana") == [ana.number]
    assert found("qx-4471") == [ana.number]
    assert found("ANA.Q@example.test") == [ana.number]
    assert found("Nakamura") == [other.number]
    assert found("nobody-like-this") == []


def _queue_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE_URL, {"status": "ALL"})
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _many_cases(count: int, supervisor) -> None:
    plans = [HealthPlanFactory(), HealthPlanFactory()]
    reviewer = StaffFactory(groups=[StaffGroup.CLINICAL])
    for i in range(count):
        if i % 3 == 0:
            case = file_case(health_plan_id=plans[i % 2].id, urgent=i % 2 == 0, urgent_reason="Pain.")
        elif i % 3 == 1:
            case = file_case(health_plan_id=None, plan_name_not_listed="Some employer plan")
        else:
            case = drive(
                file_case(health_plan_id=plans[0].id, denial_reason="COVERAGE_BILLING"),
                ["acknowledge", "request_plan_response", "receive_plan_response", "triage_complaint"],
                actor=supervisor,
            )
            case_move(
                case=case,
                move="assign_review",
                actor=supervisor,
                data=MoveInput(review_unit=ReviewUnit.CLINICAL, assignee=reviewer),
            )


def test_a_page_costs_the_same_queries_for_5_and_60_cases_and_never_counts_the_table(supervisor):
    client = signed_in(supervisor)
    _many_cases(5, supervisor)
    client.get(QUEUE_URL)  # the session and caches settle on the first request
    with_five = _queue_queries(client)
    _many_cases(55, supervisor)
    with_sixty = _queue_queries(client)
    assert len(with_sixty) == len(with_five)
    # Ten for the page, and one the audit log's row of who looked at the queue.
    assert len(with_five) <= 11
    assert sum('INSERT INTO "audit_auditevent"' in sql for sql in with_five) == 1
    counts = [sql for sql in with_sixty if "COUNT(" in sql.upper()]
    assert counts, "the page counts its rows up to a limit"
    # Every count reads at most a bounded number of rows: never COUNT(*) over the whole table.
    assert all("LIMIT" in sql.upper() for sql in counts)
    # The patient and the plan are joined only for the rows of the page, never for the whole queue.
    joined = [sql for sql in with_sixty if 'JOIN "complaints_patient"' in sql]
    assert len(joined) == 1
    assert '"complaints_case"."id" IN (' in joined[0]


def test_a_long_queue_says_more_rather_than_a_wrong_total(supervisor, monkeypatch):
    case_admin = admin.site._registry[Case]
    monkeypatch.setattr(case_admin, "list_per_page", 2)
    for _ in range(12):
        file_case()
    client = signed_in(supervisor)
    first = client.get(QUEUE_URL)
    assert len(queue_numbers(first)) == 2
    assert "More than 10 cases" in page_text(first)
    # Further pages count further ahead, and the last page has the exact total.
    last = client.get(QUEUE_URL, {"p": "6"})
    assert len(queue_numbers(last)) == 2
    assert "12 cases" in page_text(last)
    assert "More than" not in page_text(last)


def test_a_complaint_decided_against_the_enrollee_has_no_clock_to_show(supervisor):
    case = case_at(Status.IN_COMPLAINT_REVIEW, denial_reason="COVERAGE_BILLING")
    case = case_move(
        case=case,
        move="decide_complaint",
        actor=supervisor,
        data=MoveInput(outcome=Outcome.NOT_IN_FAVOUR, reason=MOVE_INPUTS["decide_complaint"].reason),
    )
    text = page_text(signed_in(supervisor).get(QUEUE_URL))
    assert f"{case.number}" in text
    assert "No clock running" in text
