"""The case page: the people, the problem, documents opened through a checked view, plan
responses, clocks with their due times and extensions, letters and the timeline."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import CaseEvent, Document, FilerRelationship, Status
from complaints.services.documents import document_add
from complaints.services.filing import RepresentativeData
from complaints.services.plan_responses import plan_response_submit
from complaints.tests.drive import case_at
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF, PDF_WITH_JAVASCRIPT, PNG, WINDOWS_PROGRAM

from .conftest import signed_in
from .support import case_url, errors_next_to, page_text

pytestmark = pytest.mark.django_db


def extend_url(case, clock) -> str:
    return f"/admin/complaints/case/{case.pk}/clocks/{clock.pk}/extend/"


def test_the_page_shows_the_patient_the_filer_and_the_problem(supervisor):
    case = file_case(
        filer_relationship=FilerRelationship.AUTHORIZED_ASSISTANT,
        representative=RepresentativeData(
            relationship=FilerRelationship.AUTHORIZED_ASSISTANT,
            full_name="Tomás Reyes",
            phone="916-555-0111",
            relationship_to_patient="Son",
            patient_signed_name="Rosa M Delgado",
            patient_signed_date=date(2026, 10, 1),
            assistant_signed_name="Tomás Reyes",
            assistant_signed_date=date(2026, 10, 1),
        ),
        plan_decision_date=date(2026, 1, 5),
        late_filing_reason="I was in the hospital for two months.",
    )
    text = page_text(signed_in(supervisor).get(case_url(case)))
    assert "Patient First name Rosa" in text
    assert "Last name Delgado" in text
    assert "Full name Tomás Reyes" in text
    assert "Relationship to patient Son" in text
    assert "Knee replacement surgery" in text
    assert "Not medically necessary" in text
    assert "Reason given for filing more than 6 months after the plan's decision: I was in the hospital" in text
    assert "Accepted: not decided yet." in text


def test_documents_open_through_the_checked_view_only(supervisor, intake):
    case = file_case()
    other = file_case()
    document = document_add(
        case=case,
        name="denial letter.pdf",
        data=PDF,
        kind=Document.Kind.DENIAL_LETTER,
        source=Document.Source.ENROLLEE,
        actor=case.filed_by,
        actor_role="ENROLLEE",
    )
    client = signed_in(intake)
    page = client.get(case_url(case))
    url = f"/admin/complaints/case/{case.pk}/documents/{document.pk}/"
    assert f'href="{url}"' in page.content.decode()
    assert "denial letter.pdf Plan's denial letter Enrollee" in page_text(page)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert {"no-store", "private"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    # The same document asked for under another case is not found.
    assert client.get(f"/admin/complaints/case/{other.pk}/documents/{document.pk}/").status_code == 404
    # Nobody outside the admin gets it from here.
    outsider = signed_in(case.filed_by).get(url)
    assert outsider.status_code == 302


def test_staff_add_a_document_that_came_by_mail_and_bad_files_are_refused(intake):
    case = file_case()
    client = signed_in(intake)
    upload_url = f"/admin/complaints/case/{case.pk}/documents/add/"
    added = client.post(
        upload_url,
        {
            "document-file": SimpleUploadedFile("bill.png", PNG, content_type="image/png"),
            "document-kind": Document.Kind.BILL,
        },
        follow=True,
    )
    assert "Document added: bill.png." in page_text(added)
    document = case.documents.get()
    assert (document.source, document.kind, document.uploaded_by, document.shared_with_plan) == (
        "STAFF",
        "BILL",
        intake,
        False,
    )
    refused = client.post(
        upload_url,
        {
            "document-file": SimpleUploadedFile("scan.pdf", WINDOWS_PROGRAM, content_type="application/pdf"),
            "document-kind": Document.Kind.OTHER,
            "document-shared_with_plan": "on",
        },
        follow=True,
    )
    assert "The document was not added:" in page_text(refused)
    assert case.documents.count() == 1


def test_staff_see_what_was_removed_from_a_disarmed_document(intake):
    case = file_case()
    client = signed_in(intake)
    added = client.post(
        f"/admin/complaints/case/{case.pk}/documents/add/",
        {
            "document-file": SimpleUploadedFile("fax.pdf", PDF_WITH_JAVASCRIPT, content_type="application/pdf"),
            "document-kind": Document.Kind.OTHER,
        },
        follow=True,
    )
    text = page_text(added)
    assert "Document added: fax.pdf. Disarmed: removed JavaScript." in text
    assert "fax.pdf Disarmed: removed JavaScript. Other Help Center staff" in text
    assert "Document added: Other (disarmed; removed: JavaScript)" in text


def test_plan_responses_show_the_statement_and_their_records(supervisor):
    case = case_at(Status.RESPONSE_REQUESTED)
    recorder = StaffFactory(groups=[StaffGroup.INTAKE], full_name="Ivy Intake")
    plan_response_submit(
        case=case,
        statement="We denied the surgery because physical therapy was not tried first.",
        files=[("records.pdf", PDF)],
        actor=recorder,
    )
    text = page_text(signed_in(supervisor).get(case_url(case)))
    assert "by Ivy Intake We denied the surgery because physical therapy was not tried first." in text
    assert "records.pdf" in text


def test_clocks_show_their_due_times_in_california_time_and_what_is_left(supervisor):
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        case = file_case()
        text = page_text(signed_in(supervisor).get(case_url(case)))
    # 5 calendar days from Monday Nov 2 is Saturday Nov 7: the next working day is Monday Nov 9.
    assert (
        "Acknowledgement letter Mon Nov 2, 2026, 10:00 a.m. PST Mon Nov 9, 2026, 11:59 p.m. PST 7 d 13 h left" in text
    )
    with time_machine.travel(datetime(2026, 11, 10, 2, 0, tzinfo=LOCAL_TZ), tick=False):
        later = page_text(signed_in(supervisor).get(case_url(case)))
    assert "Mon Nov 9, 2026, 11:59 p.m. PST OVERDUE by 2 h" in later


def test_a_clock_is_extended_only_with_a_reason_and_the_timeline_says_why(intake):
    case = file_case()
    clock = case.clocks.get(name=ClockName.ELIGIBILITY_NOTICE)
    before = clock.due_at
    client = signed_in(intake)
    new_due = (before + timedelta(days=3)).astimezone(LOCAL_TZ).replace(tzinfo=None, second=0)
    field = f"extend-{clock.pk}"

    missing = client.post(extend_url(case, clock), {f"{field}-new_due_at": new_due.strftime("%Y-%m-%dT%H:%M")})
    assert missing.status_code == 400
    assert errors_next_to(missing, f"{field}-reason") == "This field is required."
    earlier = client.post(
        extend_url(case, clock),
        {
            f"{field}-new_due_at": (before - timedelta(days=1)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
            f"{field}-reason": "x",
        },
    )
    assert earlier.status_code == 400
    assert errors_next_to(earlier, f"{field}-new_due_at") == "Choose a later time."
    clock.refresh_from_db()
    assert clock.due_at == before

    done = client.post(
        extend_url(case, clock),
        {
            f"{field}-new_due_at": new_due.strftime("%Y-%m-%dT%H:%M"),
            f"{field}-reason": "The plan asked for three more days to send records.",
        },
        follow=True,
    )
    assert "IMR eligibility notice clock extended." in page_text(done)
    clock.refresh_from_db()
    # The time typed is California time.
    assert clock.due_at == new_due.replace(tzinfo=LOCAL_TZ)
    assert clock.extension_count == 1
    event = case.events.get(kind=CaseEvent.Kind.CLOCK_EXTENDED)
    assert event.reason == "The plan asked for three more days to send records."
    assert event.actor == intake
    text = page_text(done)
    assert "The plan asked for three more days to send records." in text
    assert "Extended" in text


def test_a_stopped_or_historical_clock_cannot_be_extended(supervisor):
    case = file_case()
    window = case.clocks.get(name=ClockName.FILING_WINDOW)
    response = signed_in(supervisor).post(
        extend_url(case, window),
        {
            f"extend-{window.pk}-new_due_at": "2030-01-01T12:00",
            f"extend-{window.pk}-reason": "Trying to move history.",
        },
    )
    assert response.status_code == 400
    assert "This clock no longer runs" in page_text(response)
    other = file_case()
    assert signed_in(supervisor).get(extend_url(other, window)).status_code == 404


def test_letters_are_listed_and_issued_ones_open(supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case()  # the worker acknowledges it and issues the letter
    case.refresh_from_db()
    assert case.status == Status.ACKNOWLEDGED
    letter = case.letters.get()
    client = signed_in(supervisor)
    page = client.get(case_url(case))
    url = f"/admin/complaints/case/{case.pk}/letters/{letter.pk}/"
    assert f'href="{url}"' in page.content.decode()
    assert "Acknowledgement Enrollee en Issued" in page_text(page)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert {"no-store", "private"} <= set(response["Cache-Control"].replace(" ", "").split(","))


def test_a_pending_letter_says_it_is_waiting(supervisor):
    case = case_at(Status.ACKNOWLEDGED)
    letter = case.letters.get()
    page = signed_in(supervisor).get(case_url(case))
    assert "Acknowledgement Enrollee en Waiting to be rendered" in page_text(page)
    assert f"/letters/{letter.pk}/" not in page.content.decode()
    assert signed_in(supervisor).get(f"/admin/complaints/case/{case.pk}/letters/{letter.pk}/").status_code == 404


def test_the_timeline_lists_every_event_with_who_did_it(supervisor):
    case = case_at(Status.RESPONSE_RECEIVED)
    text = page_text(signed_in(supervisor).get(case_url(case)))
    assert f"Filed online; case number {case.number}" in text
    for summary in ("Acknowledge receipt", "Ask the plan for its written response", "Plan response received"):
        assert summary in text
    assert "(supervisor)" in text


def test_a_case_that_does_not_exist_is_not_found(supervisor):
    client = signed_in(supervisor)
    assert client.get("/admin/complaints/case/999999/move/acknowledge/").status_code == 404
    assert client.get("/admin/complaints/case/999999/documents/1/").status_code == 404
