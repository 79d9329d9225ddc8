"""What plan users read: the queue (late first, due times in California time, a fixed number of
queries) and the case page (what the plan needs, and nothing else)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import Patient, Status
from complaints.services.plan_responses import plan_response_submit
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case, patient_data
from complaints.tests.samples import PDF
from planportal.tests.conftest import complaint_decided_in_favour, issue_letters

pytestmark = pytest.mark.django_db


def _row_order(page: str, numbers: list[str]) -> list[str]:
    return sorted(numbers, key=page.index)


def test_the_queue_puts_late_cases_first_then_the_soonest_due(plan, plan_client):
    start = timezone.now()
    # Received in this order; due in the opposite order (the urgent one has 24 hours).
    with time_machine.travel(start, tick=False):
        overturned = drive(file_case(health_plan_id=plan.id), PATHS[Status.DECISION_ISSUED])
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        normal = drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        urgent = drive(
            file_case(health_plan_id=plan.id, urgent=True, urgent_reason="Surgery is scheduled this week."),
            PATHS[Status.RESPONSE_REQUESTED],
        )
    urgent_due = urgent.clocks.get(name=ClockName.PLAN_RESPONSE).due_at
    normal_due = normal.clocks.get(name=ClockName.PLAN_RESPONSE).due_at
    overturned_due = overturned.clocks.get(name=ClockName.IMR_IMPLEMENTATION).due_at
    assert urgent_due < normal_due < overturned_due
    with time_machine.travel(urgent_due + timedelta(minutes=1), tick=False):
        page = plan_client.get("/plan/").text
    queue = page.split("<table", 1)[1].split("</table>", 1)[0]
    assert _row_order(queue, [overturned.number, normal.number, urgent.number]) == [
        urgent.number,
        normal.number,
        overturned.number,
    ]
    # Only the urgent case is late, and it says LATE in words.
    urgent_row = queue.split(urgent.number, 1)[0].rsplit("<tr", 1)[1]
    assert "LATE" in urgent_row
    assert queue.count(">LATE<") == 1
    assert "1 case is LATE" in page
    # Due times are California time: the 24-hour clock to the minute, day clocks at 11:59 PM.
    local = urgent_due.astimezone(LOCAL_TZ)
    assert f"{local:%b} {local.day}, {local.year}, {local:%-I:%M %p}" in urgent_row
    assert "11:59 PM P" in queue
    assert "Carry out the decision and confirm it" in queue


def test_a_case_answered_or_carried_out_leaves_the_queue(plan_client, plan_user, waiting_case, overturned_case):
    page = plan_client.get("/plan/").text.split("All open cases", 1)[0]
    assert waiting_case.number in page
    assert overturned_case.number in page
    plan_response_submit(case=waiting_case, statement="Answer.", files=[("a.pdf", PDF)], actor=plan_user)
    page = plan_client.get("/plan/").text.split("All open cases", 1)[0]
    assert waiting_case.number not in page
    assert overturned_case.number in page


def test_the_queue_costs_the_same_number_of_queries_for_one_case_or_many(plan, plan_client):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert plan_client.get("/plan/").status_code == 200
        return len(queries)

    drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])
    one = count()
    for status in (Status.RESPONSE_REQUESTED, Status.DECISION_ISSUED, Status.RESPONSE_RECEIVED):
        drive(file_case(health_plan_id=plan.id), PATHS[status])
    complaint_decided_in_favour(health_plan_id=plan.id)
    assert count() == one


def test_the_case_page_costs_the_same_number_of_queries_however_much_it_holds(plan_client, plan_user, waiting_case):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert plan_client.get(f"/plan/cases/{waiting_case.number}/").status_code == 200
        return len(queries)

    issue_letters(waiting_case)
    before = count()
    plan_response_submit(
        case=waiting_case, statement="Answer.", files=[("a.pdf", PDF), ("b.pdf", PDF)], actor=plan_user
    )
    plan_response_submit(case=waiting_case, statement="More.", files=[("c.pdf", PDF)], actor=plan_user)
    after = count()
    # The page now also offers fewer actions (one query fewer is fine); it never grows with rows.
    assert after <= before


def test_the_case_page_shows_what_the_plan_needs(plan_client, waiting_case):
    issue_letters(waiting_case)
    page = plan_client.get(f"/plan/cases/{waiting_case.number}/").text
    for needed in (
        "Rosa M. Delgado",  # the member's name
        "April 2, 1968",  # date of birth
        "M123456",  # member ID
        "Plan X Health",
        "Can&#x27;t get a medicine or treatment",
        "Knee replacement surgery",
        "not medically necessary",  # what happened, in the member's words
        "Approve the surgery my surgeon ordered.",
        "denial-letter.pdf",  # shared with the plan
        "Request for written response",  # the letter to the plan
        "Send the written response and records",
    ):
        assert needed in page, needed


def test_the_case_page_shows_nothing_the_plan_does_not_need(plan_client, waiting_case):
    Patient.objects.filter(case=waiting_case).update(race_ethnicity="Pacific Islander", phone="916-555-0177")
    issue_letters(waiting_case)
    page = plan_client.get(f"/plan/cases/{waiting_case.number}/").text
    for hidden in (
        "Pacific Islander",  # race/ethnicity
        "916-555-0177",  # the member's phone
        "1200 K Street",  # the member's address
        "rosa@example.test",  # the member's e-mail
        "private-note.png",  # a document the member did not share with the plan
        "Acknowledgement",  # a letter to the member
        "Dr. Ahmed",  # not in the plan's list
    ):
        assert hidden not in page, hidden


def test_staff_reasons_stay_out_of_the_history_the_plan_reads(plan, plan_client):
    case = drive(file_case(health_plan_id=plan.id), PATHS[Status.TRIAGED_IMR])
    page = plan_client.get(f"/plan/cases/{case.number}/").text
    history = page.split("<h2>History</h2>", 1)[1]
    assert "Triage: Independent Medical Review" in history
    assert "Medical necessity denial after a decided grievance." not in page  # the staff reason
    assert "(the Help Center)" in history
    # Staff are never named to the plan.
    supervisor = case.events.filter(actor_role="SUPERVISOR").first().actor
    assert supervisor.full_name not in page
    assert supervisor.email not in page


def test_plan_pages_are_english_and_never_cached(plan_client, waiting_case):
    for path in ("/plan/", f"/plan/cases/{waiting_case.number}/", f"/es/plan/cases/{waiting_case.number}/"):
        response = plan_client.get(path)
        assert response.status_code == 200
        assert '<html lang="en">' in response.text
        assert "no-store" in response["Cache-Control"]
        assert 'hreflang="es"' not in response.text


def test_documents_download_as_attachments_that_browsers_do_not_run(plan_client, waiting_case):
    document = waiting_case.documents.get(original_name="denial-letter.pdf")
    response = plan_client.get(f"/plan/cases/{waiting_case.number}/documents/{document.id}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_open_cases_list_pages_through_many_cases(plan, plan_client):
    from planportal import views

    cases = [
        drive(
            file_case(health_plan_id=plan.id, patient=patient_data(last_name=f"Member{i}")),
            PATHS[Status.RESPONSE_RECEIVED],
        )
        for i in range(3)
    ]
    original = views.OPEN_CASES_PER_PAGE
    views.OPEN_CASES_PER_PAGE = 2
    try:
        first = plan_client.get("/plan/").text
        second = plan_client.get("/plan/?page=2").text
    finally:
        views.OPEN_CASES_PER_PAGE = original
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    newest_first = sorted(cases, key=lambda case: case.received_at, reverse=True)
    assert newest_first[0].number in first
    assert newest_first[2].number not in first
    assert newest_first[2].number in second
