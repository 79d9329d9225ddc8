"""My cases: status in plain words, what comes next with its date, the timeline meant for the
enrollee, letters, documents sent later, and withdrawal when the workflow offers it."""

from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from complaints.clocks import LOCAL_TZ
from complaints.models import CaseEvent, Document, Letter, Status
from complaints.services.letter_issue import letter_issue
from complaints.tests.drive import case_at
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF, WINDOWS_PROGRAM
from filing.case_text import EVENT_WORDS, STATUS_WORDS

pytestmark = pytest.mark.django_db


def test_every_status_has_plain_words_in_english_and_spanish():
    assert set(STATUS_WORDS) == set(Status)
    for status in Status:
        with translation.override("en"):
            english = str(STATUS_WORDS[status])
        with translation.override("es"):
            spanish = str(STATUS_WORDS[status])
        assert english != spanish, status
    assert set(EVENT_WORDS) == set(Status) - {Status.FILED}


def test_the_list_shows_only_my_cases_with_their_status(signed_in, enrollee):
    mine = file_case(enrollee=enrollee)
    other = file_case()
    page = signed_in.get("/my/").text
    assert mine.number in page
    assert other.number not in page
    assert "We received your application." in page


def test_a_new_case_says_when_the_acknowledgement_letter_is_due(signed_in, enrollee):
    # Filed on Friday 2026-11-20 in Los Angeles: 5 calendar days is Wednesday 2026-11-25.
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        case = file_case(enrollee=enrollee)
    page = signed_in.get(f"/my/{case.number}/").text
    assert "We will send you a letter confirming your case by Nov. 25, 2026." in page
    spanish = signed_in.get(f"/es/my/{case.number}/").text
    assert "a más tardar el 25 de noviembre de 2026" in spanish


def test_waiting_for_the_plan_names_the_plans_due_date_and_hides_staff_reasons(signed_in, enrollee):
    case = case_at(Status.RESPONSE_REQUESTED, enrollee=enrollee)
    due = case.clocks.get(name="PLAN_RESPONSE").due_at.astimezone(LOCAL_TZ).date()
    page = signed_in.get(f"/my/{case.number}/").text
    assert "We are waiting for your plan&#x27;s answer." in page
    from django.utils.formats import date_format

    assert f"Your plan must send us its answer and your records by {date_format(due, 'DATE_FORMAT')}." in page
    assert "We asked your plan for its answer and your records." in page
    for event in CaseEvent.objects.filter(case=case).exclude(reason=""):
        assert event.reason not in page
    assert "Clock started" not in page


def test_an_issued_letter_is_listed_and_downloads_as_a_pdf(signed_in, enrollee):
    case = case_at(Status.ACKNOWLEDGED, enrollee=enrollee)
    letter = letter_issue(letter_id=case.letters.get(kind="ACKNOWLEDGEMENT").id)
    page = signed_in.get(f"/my/{case.number}/").text
    assert "Letter confirming we received your application" in page
    response = signed_in.get(f"/my/{case.number}/letters/{letter.id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store, private"


def test_a_pending_letter_is_not_offered(signed_in, enrollee):
    case = case_at(Status.ACKNOWLEDGED, enrollee=enrollee)
    pending = case.letters.get(kind="ACKNOWLEDGEMENT")
    assert pending.state == Letter.State.PENDING
    assert signed_in.get(f"/my/{case.number}/letters/{pending.id}/").status_code == 404
    assert "No letters yet." in signed_in.get(f"/my/{case.number}/").text


def test_documents_can_be_added_later_and_a_refused_one_is_explained(signed_in, enrollee):
    case = file_case(enrollee=enrollee)
    response = signed_in.post(
        f"/my/{case.number}/documents/",
        {
            "kind": "BILL",
            "files": [SimpleUploadedFile("bill.pdf", PDF), SimpleUploadedFile("bill2.pdf", WINDOWS_PROGRAM)],
        },
    )
    assert response.status_code == 200
    assert "bill2.pdf: We accept PDF" in response.text
    document = case.documents.get()
    assert document.original_name == "bill.pdf"
    assert document.source == Document.Source.ENROLLEE
    assert document.uploaded_by == enrollee
    assert case.events.filter(kind=CaseEvent.Kind.DOCUMENT_ADDED, actor=enrollee).exists()
    response = signed_in.post(
        f"/my/{case.number}/documents/", {"kind": "BILL", "files": [SimpleUploadedFile("c.pdf", PDF)]}
    )
    assert response.status_code == 302
    page = signed_in.get(response["Location"]).text
    assert "1 document added to your case." in page
    assert "You sent a document: c.pdf." in page


def test_sending_no_file_is_explained_not_an_error(signed_in, enrollee):
    case = file_case(enrollee=enrollee)
    response = signed_in.post(f"/my/{case.number}/documents/", {"kind": "BILL"})
    assert response.status_code == 200
    assert "Choose at least one file." in response.text
    assert 'href="#id_files"' in response.text


def test_a_case_can_be_withdrawn_with_a_reason(signed_in, enrollee):
    case = case_at(Status.RESPONSE_REQUESTED, enrollee=enrollee)
    assert "Withdraw this case" in signed_in.get(f"/my/{case.number}/").text
    refused = signed_in.post(f"/my/{case.number}/withdraw/", {"reason": "", "confirm": ""})
    assert refused.status_code == 200
    assert "Tell us briefly why" in refused.text
    response = signed_in.post(
        f"/my/{case.number}/withdraw/", {"reason": "The plan approved the surgery.", "confirm": "on"}
    )
    assert response["Location"] == f"/my/{case.number}/"
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    move = case.events.get(move="withdraw")
    assert move.actor == enrollee
    assert move.reason == "The plan approved the surgery."
    page = signed_in.get(f"/my/{case.number}/").text
    assert "You withdrew this case. It is closed." in page
    assert "Withdraw this case" not in page


def test_a_decided_case_cannot_be_withdrawn(signed_in, enrollee):
    case = case_at(Status.DECISION_ISSUED, enrollee=enrollee)
    page = signed_in.get(f"/my/{case.number}/").text
    assert "Withdraw this case" not in page
    assert "The decision is in your favor." in page
    response = signed_in.post(f"/my/{case.number}/withdraw/", {"reason": "Changed my mind", "confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DECISION_ISSUED


def test_a_closed_case_takes_no_more_documents(signed_in, enrollee):
    case = case_at(Status.CLOSED, enrollee=enrollee)
    assert "Send these documents" not in signed_in.get(f"/my/{case.number}/").text
    response = signed_in.post(
        f"/my/{case.number}/documents/", {"kind": "BILL", "files": [SimpleUploadedFile("c.pdf", PDF)]}
    )
    assert response.status_code == 404
