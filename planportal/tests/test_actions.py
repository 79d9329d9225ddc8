"""The plan's three actions from the browser's side: the response with its records, the plan's
own reversal, and the decision carried out. Each is a workflow move, meets its clock and lands in
the timeline; a second click adds nothing; a bad file stores nothing and says which file to
choose again."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.clocks import ClockName
from complaints.models import CaseEvent, Document, Outcome, PlanResponse, Status
from complaints.tests import pdfs
from complaints.tests.samples import PDF, PDF_WITH_JAVASCRIPT, PNG, WINDOWS_PROGRAM, docx
from planportal.tests.conftest import complaint_decided_in_favour

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def field_errors(response, field: str) -> str:
    """The text of the error list shown next to ``field`` (Django's id_<field>_error)."""
    html = response.content.decode()
    marker = f'id="id_{field}_error"'
    assert marker in html, f"no error shown next to {field}"
    return html.split(marker, 1)[1].split("</ul>", 1)[0]


# ------------------------------------------------------------------------------------------------
# The written response
# ------------------------------------------------------------------------------------------------
def test_the_plan_sends_its_response_with_several_files_and_the_clock_is_met(plan_client, plan_user, waiting_case):
    files = [upload("response.pdf"), upload("records.png", PNG), upload("notes.docx", docx())]
    response = plan_client.post(
        f"/plan/cases/{waiting_case.number}/respond/",
        {"statement": "The surgery was denied because the criteria were not met.", "files": files},
        follow=True,
    )
    assert response.status_code == 200
    assert response.text.count("was received on") == 1  # shown once, not by both page frames
    assert "with 3 documents" in response.text
    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.RESPONSE_RECEIVED
    answer = PlanResponse.objects.get(case=waiting_case)
    assert answer.submitted_by == plan_user
    assert sorted(answer.documents.values_list("original_name", flat=True)) == [
        "notes.docx",
        "records.png",
        "response.pdf",
    ]
    assert set(answer.documents.values_list("source", flat=True)) == {Document.Source.PLAN}
    clock = waiting_case.clocks.get(name=ClockName.PLAN_RESPONSE)
    assert clock.met_at is not None
    assert clock.met_on_time
    move = waiting_case.events.get(kind=CaseEvent.Kind.MOVE, move="receive_plan_response")
    assert move.actor == plan_user
    assert move.actor_role == "PLAN"
    # The page now shows the response, the clock met on time, and the step in the history.
    assert "criteria were not met" in response.text
    assert "(on time)" in response.text
    assert "Plan response received" in response.text
    assert "Send the plan&#x27;s written response" not in response.text  # the form is no longer offered


def test_a_second_submission_adds_nothing_and_says_so(plan_client, waiting_case):
    data = {"statement": "Our response."}
    plan_client.post(f"/plan/cases/{waiting_case.number}/respond/", {**data, "files": [upload("a.pdf")]})
    again = plan_client.post(
        f"/plan/cases/{waiting_case.number}/respond/", {**data, "files": [upload("a.pdf")]}, follow=True
    )
    assert "Nothing was changed" in again.text
    assert PlanResponse.objects.filter(case=waiting_case).count() == 1
    assert waiting_case.documents.filter(source=Document.Source.PLAN).count() == 1
    assert waiting_case.events.filter(move="receive_plan_response").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        pytest.param("records.pdf", WINDOWS_PROGRAM, "We accept PDF, JPEG, PNG", id="renamed-exe"),
        pytest.param("empty.pdf", b"", "This file is empty", id="empty"),
        pytest.param("locked.pdf", b"%PDF-1.7\nnot readable", "We could not check this PDF", id="unreadable-pdf"),
        pytest.param("broken.docx", docx()[:-30], "We could not open this Word file", id="unreadable-word"),
        pytest.param("huge.pdf", PDF + b"0" * 3000, "larger than", id="too-big"),
    ],
)
def test_a_bad_file_is_named_next_to_the_field_and_nothing_is_stored(
    plan_client, waiting_case, settings, name, data, message
):
    settings.UPLOAD_MAX_FILE_BYTES = 2048
    documents_before = Document.objects.count()
    response = plan_client.post(
        f"/plan/cases/{waiting_case.number}/respond/",
        {"statement": "Our response.", "files": [upload("good.pdf"), upload(name, data)]},
    )
    assert response.status_code == 400
    errors = field_errors(response, "files")
    assert name in errors
    assert message in errors
    # Both files must be chosen again, the good one too: the browser dropped them.
    rechoose = response.text.split('id="files-rechoose"', 1)[1].split("</p>", 1)[0]
    assert "good.pdf" in rechoose
    assert name in rechoose
    assert "Nothing was saved" in rechoose
    # What was typed is kept.
    assert "Our response." in response.text
    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.RESPONSE_REQUESTED
    assert PlanResponse.objects.count() == 0
    assert Document.objects.count() == documents_before


def test_an_empty_statement_keeps_the_files_named_for_choosing_again(plan_client, waiting_case):
    response = plan_client.post(
        f"/plan/cases/{waiting_case.number}/respond/", {"statement": "  ", "files": [upload("records.pdf")]}
    )
    assert response.status_code == 400
    assert "This field is required" in field_errors(response, "statement")
    assert "records.pdf" in response.text.split('id="files-rechoose"', 1)[1].split("</p>", 1)[0]
    assert PlanResponse.objects.count() == 0


def test_the_case_s_document_limit_refuses_the_whole_response(plan_client, waiting_case, settings):
    settings.UPLOAD_MAX_FILES_PER_CASE = waiting_case.documents.count() + 1
    response = plan_client.post(
        f"/plan/cases/{waiting_case.number}/respond/",
        {"statement": "Our response.", "files": [upload("one.pdf"), upload("two.pdf")]},
    )
    assert response.status_code == 400
    assert "mail the rest" in field_errors(response, "files")
    assert PlanResponse.objects.count() == 0
    assert not waiting_case.documents.filter(source=Document.Source.PLAN).exists()


# ------------------------------------------------------------------------------------------------
# The plan reversed its own decision
# ------------------------------------------------------------------------------------------------
def test_the_plan_reverses_its_decision_and_the_case_closes_in_the_member_s_favour(
    plan_client, plan_user, waiting_case
):
    response = plan_client.post(
        f"/plan/cases/{waiting_case.number}/reversed/",
        {"reason": "We approved the knee surgery on November 20.", "confirm": "on"},
        follow=True,
    )
    assert "the plan reversed its decision" in response.text
    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.PLAN_REVERSED
    assert waiting_case.outcome == Outcome.PLAN_REVERSED
    assert waiting_case.enrollee_won
    assert not waiting_case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True).exists()
    event = waiting_case.events.get(move="plan_reversed")
    assert event.actor == plan_user
    assert event.reason == "We approved the knee surgery on November 20."
    again = plan_client.post(
        f"/plan/cases/{waiting_case.number}/reversed/", {"reason": "Again.", "confirm": "on"}, follow=True
    )
    assert "Nothing was changed" in again.text
    assert waiting_case.events.filter(move="plan_reversed").count() == 1


def test_the_reversal_needs_a_reason_and_the_confirmation(plan_client, waiting_case):
    response = plan_client.post(f"/plan/cases/{waiting_case.number}/reversed/", {"reason": ""})
    assert response.status_code == 400
    assert "This field is required" in field_errors(response, "reason")
    assert "This field is required" in field_errors(response, "confirm")
    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.RESPONSE_REQUESTED


# ------------------------------------------------------------------------------------------------
# The decision carried out
# ------------------------------------------------------------------------------------------------
def test_the_plan_confirms_an_overturned_imr_was_carried_out(plan_client, plan_user, overturned_case):
    today = timezone.localdate()
    response = plan_client.post(
        f"/plan/cases/{overturned_case.number}/carried-out/",
        {"carried_out_date": today.isoformat(), "proofs": [upload("authorization.pdf"), upload("letter.png", PNG)]},
        follow=True,
    )
    assert "recorded as carried out" in response.text
    overturned_case.refresh_from_db()
    assert overturned_case.status == Status.CARRIED_OUT
    assert overturned_case.carried_out_date == today
    clock = overturned_case.clocks.get(name=ClockName.IMR_IMPLEMENTATION)
    assert clock.met_at is not None
    assert clock.met_on_time
    proofs = overturned_case.documents.filter(kind=Document.Kind.PROOF_OF_IMPLEMENTATION)
    assert sorted(proofs.values_list("original_name", flat=True)) == ["authorization.pdf", "letter.png"]
    assert set(proofs.values_list("uploaded_by", flat=True)) == {plan_user.id}
    assert overturned_case.events.filter(move="confirm_carried_out", actor=plan_user).count() == 1
    assert "authorization.pdf" in response.text
    again = plan_client.post(
        f"/plan/cases/{overturned_case.number}/carried-out/",
        {"carried_out_date": today.isoformat(), "proofs": [upload("again.pdf")]},
        follow=True,
    )
    assert "Nothing was changed" in again.text
    assert proofs.count() == 2


def test_a_bad_proof_file_leaves_no_move_and_no_documents(plan_client, overturned_case):
    response = plan_client.post(
        f"/plan/cases/{overturned_case.number}/carried-out/",
        {
            "carried_out_date": timezone.localdate().isoformat(),
            "proofs": [upload("proof.pdf"), upload("proof.exe.pdf", WINDOWS_PROGRAM)],
        },
    )
    assert response.status_code == 400
    assert "proof.exe.pdf" in field_errors(response, "proofs")
    overturned_case.refresh_from_db()
    assert overturned_case.status == Status.DECISION_ISSUED
    assert not overturned_case.documents.exists()
    assert not overturned_case.events.filter(move="confirm_carried_out").exists()


def test_proof_is_required_and_the_date_cannot_be_in_the_future(plan_client, overturned_case):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = plan_client.post(
        f"/plan/cases/{overturned_case.number}/carried-out/", {"carried_out_date": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "in the future" in field_errors(response, "carried_out_date")
    assert "This field is required" in field_errors(response, "proofs")
    overturned_case.refresh_from_db()
    assert overturned_case.status == Status.DECISION_ISSUED


def test_a_date_before_the_decision_is_refused_and_the_proof_named_again(plan_client, overturned_case):
    response = plan_client.post(
        f"/plan/cases/{overturned_case.number}/carried-out/",
        {"carried_out_date": "2020-01-01", "proofs": [upload("proof.pdf")]},
    )
    assert response.status_code == 400
    assert "before the decision" in field_errors(response, "carried_out_date")
    assert "proof.pdf" in response.text.split('id="proofs-rechoose"', 1)[1].split("</p>", 1)[0]
    overturned_case.refresh_from_db()
    assert overturned_case.status == Status.DECISION_ISSUED


def test_a_complaint_decided_for_the_member_is_carried_out_by_its_date(plan, plan_client):
    case = complaint_decided_in_favour(health_plan_id=plan.id)
    page = plan_client.get(f"/plan/cases/{case.number}/")
    assert "Confirm the decision was carried out" in page.text
    assert "Dec 15, 2026" in page.text
    plan_client.post(
        f"/plan/cases/{case.number}/carried-out/",
        {"carried_out_date": timezone.localdate().isoformat(), "proofs": [upload("paid-claim.pdf")]},
    )
    case.refresh_from_db()
    assert case.status == Status.CARRIED_OUT


def test_only_the_moves_the_workflow_allows_are_offered(plan_client, waiting_case, overturned_case):
    waiting = plan_client.get(f"/plan/cases/{waiting_case.number}/").text
    assert f'action="/plan/cases/{waiting_case.number}/respond/' in waiting
    assert f'action="/plan/cases/{waiting_case.number}/reversed/' in waiting
    assert "/carried-out/" not in waiting
    decided = plan_client.get(f"/plan/cases/{overturned_case.number}/").text
    assert "/carried-out/" in decided
    assert "/respond/" not in decided
    assert "/reversed/" not in decided  # after the decision the plan cannot reverse itself here
    # Posting an action that is not offered changes nothing.
    response = plan_client.post(
        f"/plan/cases/{overturned_case.number}/respond/", {"statement": "Late.", "files": [upload("a.pdf")]}
    )
    assert response.status_code == 302
    assert PlanResponse.objects.filter(case=overturned_case).count() == 0


def test_plan_forms_need_the_csrf_token(plan_user, waiting_case):
    from django.test import Client

    from twofactor.testing import sign_in_verified

    strict = Client(enforce_csrf_checks=True)
    sign_in_verified(strict, plan_user)
    response = strict.post(f"/plan/cases/{waiting_case.number}/reversed/", {"reason": "x", "confirm": "on"})
    assert response.status_code == 403
    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.RESPONSE_REQUESTED


def test_a_response_with_a_scripted_pdf_is_stored_disarmed_and_the_plan_is_told(plan_client, waiting_case):
    response = plan_client.post(
        f"/plan/cases/{waiting_case.number}/respond/",
        {"statement": "Our response.", "files": [upload("scripted.pdf", PDF_WITH_JAVASCRIPT)]},
        follow=True,
    )
    assert response.status_code == 200
    document = waiting_case.documents.get(source=Document.Source.PLAN)
    assert document.active_content_removed == ["JAVASCRIPT"]
    assert pdfs.active_codes(document.file.read()) == []
    assert "We removed parts of this file that could run programs" in response.text


@pytest.mark.parametrize("action", ["respond", "carried-out"])
def test_the_plans_files_are_read_and_rewritten_once_each(action, plan_client, request, monkeypatch):
    """The form checks each file to name a bad one beside its field; the service stores what the
    form checked instead of running the PDF checker a second time (with the case locked)."""
    from complaints import uploads

    files = [upload("one.pdf"), upload("two.pdf", PDF_WITH_JAVASCRIPT), upload("photo.png", PNG)]
    if action == "respond":
        case, fields = request.getfixturevalue("waiting_case"), {"statement": "Our response.", "files": files}
    else:
        case = request.getfixturevalue("overturned_case")
        fields = {"carried_out_date": timezone.localdate().isoformat(), "proofs": files}
    children = []
    run_limited = uploads.run_limited

    def counted(*args, **kwargs):
        children.append(1)
        return run_limited(*args, **kwargs)

    monkeypatch.setattr(uploads, "run_limited", counted)
    response = plan_client.post(f"/plan/cases/{case.number}/{action}/", fields)
    assert response.status_code == 302
    stored = case.documents.filter(source=Document.Source.PLAN).order_by("id")
    assert [document.active_content_removed for document in stored] == [[], ["JAVASCRIPT"], []]
    assert len(children) == 2  # the two PDFs, once each
    event = case.events.filter(kind=CaseEvent.Kind.DOCUMENT_ADDED).order_by("id").last()
    assert "received_sha256" not in event.data  # the PNG is stored as sent
    scripted = case.events.get(kind=CaseEvent.Kind.DOCUMENT_ADDED, data__document_id=stored[1].id)
    assert scripted.data["received_sha256"] == hashlib.sha256(PDF_WITH_JAVASCRIPT).hexdigest()
