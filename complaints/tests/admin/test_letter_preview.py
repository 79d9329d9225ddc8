"""Staff preview a decision letter before they issue it: the letter the move would make, from the
proposed outcome and reasons, as a PDF nobody stores; nothing about the case changes."""

import subprocess
from datetime import datetime

import pytest
import time_machine

from complaints.clocks import LOCAL_TZ, ClockName, due_at
from complaints.models import Case, CaseEvent, Letter, Outcome, Status
from complaints.tests.drive import case_at
from complaints.tests.factories import patient_data

from .conftest import signed_in
from .support import case_url, page_text

pytestmark = pytest.mark.django_db

NOW = "2026-11-04 11:00 -08:00"


def preview_url(case, move: str) -> str:
    return f"/admin/complaints/case/{case.pk}/preview/{move}/"


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.outcome,
        case.outcome_reasons,
        case.carry_out_by_date,
        Letter.objects.count(),
        CaseEvent.objects.count(),
    )


@pytest.fixture
def complaint_in_review():
    return case_at(Status.IN_COMPLAINT_REVIEW, denial_reason="COVERAGE_BILLING")


def test_the_case_page_offers_a_preview_of_each_decision_letter(supervisor, complaint_in_review):
    page = signed_in(supervisor).get(case_url(complaint_in_review)).content.decode()
    action = f'formaction="{preview_url(complaint_in_review, "decide_complaint")}"'
    assert page.count(action) == 2
    assert 'value="ENROLLEE"' in page
    assert 'value="PLAN"' in page


def test_a_complaint_decision_is_previewed_from_the_proposed_outcome_and_nothing_is_saved(
    supervisor, complaint_in_review
):
    before = snapshot(complaint_in_review)
    with time_machine.travel(NOW, tick=False):
        response = signed_in(supervisor).post(
            preview_url(complaint_in_review, "decide_complaint"),
            {
                "recipient": "PLAN",
                "decide_complaint-outcome": Outcome.IN_FAVOUR,
                "decide_complaint-reason": "The plan must pay the ambulance bill in full.",
                "decide_complaint-carry_out_by": "2026-12-18",
            },
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "PREVIEW" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response.content)
    assert complaint_in_review.number in text
    assert "The plan must pay the ambulance bill in full." in text
    assert "December 18, 2026" in text
    assert "November 4, 2026" in text
    assert snapshot(complaint_in_review) == before


def test_the_enrollees_letter_is_previewed_in_their_language(supervisor):
    case = case_at(
        Status.IN_COMPLAINT_REVIEW, denial_reason="COVERAGE_BILLING", patient=patient_data(letter_language="es")
    )
    response = signed_in(supervisor).post(
        preview_url(case, "decide_complaint"),
        {
            "recipient": "ENROLLEE",
            "decide_complaint-outcome": Outcome.NOT_IN_FAVOUR,
            "decide_complaint-reason": "El plan siguió su contrato.",
        },
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Página 1 de" in text
    assert "El plan siguió su contrato." in text


def test_an_imr_decision_is_previewed_from_the_recorded_determination(supervisor):
    case = case_at(Status.DETERMINATION_RECEIVED)
    before = snapshot(case)
    with time_machine.travel(NOW, tick=False):
        response = signed_in(supervisor).post(preview_url(case, "issue_imr_decision"), {"recipient": "PLAN"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "The reviewers found the surgery necessary." in text
    # The plan must carry out an overturned decision by the day the move's clock would give.
    expected = due_at(ClockName.IMR_IMPLEMENTATION, datetime(2026, 11, 4, 11, 0, tzinfo=LOCAL_TZ))
    assert f"{expected:%B} {expected.day}, {expected.year}" in text
    assert snapshot(case) == before


def test_a_preview_needs_what_the_letter_needs(supervisor, complaint_in_review):
    client = signed_in(supervisor)
    no_reasons = client.post(
        preview_url(complaint_in_review, "decide_complaint"), {"decide_complaint-outcome": Outcome.NOT_IN_FAVOUR}
    )
    assert no_reasons.status_code == 400
    assert "Reasons for the decision (they go into the decision letters): This field is required." in page_text(
        no_reasons
    )
    no_date = client.post(
        preview_url(complaint_in_review, "decide_complaint"),
        {"decide_complaint-outcome": Outcome.IN_FAVOUR, "decide_complaint-reason": "Pay it."},
    )
    assert no_date.status_code == 400
    assert "needs the date the plan must carry it out by" in page_text(no_date)
    assert no_date["Content-Type"].startswith("text/html")


def test_only_someone_who_could_decide_may_preview(intake, complaint_in_review):
    response = signed_in(intake).post(
        preview_url(complaint_in_review, "decide_complaint"),
        {
            "decide_complaint-outcome": Outcome.NOT_IN_FAVOUR,
            "decide_complaint-reason": "Reasons.",
        },
    )
    assert response.status_code == 400
    assert "is not open to you on this case now" in page_text(response)


def test_previews_are_posted_and_only_for_decision_letters(supervisor, complaint_in_review):
    client = signed_in(supervisor)
    assert client.get(preview_url(complaint_in_review, "decide_complaint")).status_code == 405
    assert client.post(preview_url(complaint_in_review, "triage_imr"), {}).status_code == 404
    assert client.post(preview_url(complaint_in_review, "no_such_move"), {}).status_code == 404
