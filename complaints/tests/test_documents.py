import hashlib

import pytest

from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, StaffFactory
from complaints.errors import CaseError, NotPermitted
from complaints.models import CaseEvent, Document, Status
from complaints.services.documents import document_add
from complaints.services.plan_responses import plan_response_submit
from complaints.tests import pdfs, samples
from complaints.tests.drive import case_at
from complaints.uploads import UploadRejected, upload_check

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (samples.PDF, "application/pdf"),
        (samples.PNG, "image/png"),
        (samples.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_allowed_files_are_recognised_by_their_content(data, content_type):
    assert upload_check(data).content_type == content_type


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (samples.WINDOWS_PROGRAM, "We accept PDF"),
        (b"just some text pretending to be a PDF", "We accept PDF"),
        (b"%PDF-1.7\nno objects at all", "We could not check this PDF"),
        (samples.docx()[:-30], "We could not open this Word file"),
    ],
)
def test_unacceptable_files_are_refused_with_a_plain_reason(data, message):
    with pytest.raises(UploadRejected, match=message):
        upload_check(data)


def test_an_oversized_file_is_refused(settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1024 * 1024
    with pytest.raises(UploadRejected, match="larger than 1 MB"):
        upload_check(samples.PDF + b"0" * (1024 * 1024))


def test_a_document_is_stored_under_a_random_name_with_its_checksum():
    case = case_at(Status.FILED)
    document = document_add(
        case=case,
        name="../../etc/passwd.pdf",
        data=samples.PDF,
        kind=Document.Kind.DENIAL_LETTER,
        source=Document.Source.ENROLLEE,
        actor=case.filed_by,
        actor_role="ENROLLEE",
    )
    assert document.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert document.size_bytes == len(samples.PDF)
    assert "passwd" not in document.file.name
    assert document.file.name.startswith(f"cases/{case.number}/")
    assert document.file.read() == samples.PDF
    assert case.events.filter(kind=CaseEvent.Kind.DOCUMENT_ADDED).count() == 1


def test_a_case_cannot_pass_its_document_limits(settings):
    settings.UPLOAD_MAX_FILES_PER_CASE = 2
    case = case_at(Status.FILED)
    for _ in range(2):
        document_add(
            case=case,
            name="a.pdf",
            data=samples.PDF,
            kind="OTHER",
            source="ENROLLEE",
            actor=case.filed_by,
            actor_role="ENROLLEE",
        )
    with pytest.raises(UploadRejected, match="most documents"):
        document_add(
            case=case,
            name="c.pdf",
            data=samples.PDF,
            kind="OTHER",
            source="ENROLLEE",
            actor=case.filed_by,
            actor_role="ENROLLEE",
        )
    assert case.documents.count() == 2


def test_the_plan_answers_and_the_case_moves_and_the_clock_is_met():
    case = case_at(Status.RESPONSE_REQUESTED)
    plan_user = PlanUserFactory(health_plan=case.health_plan)
    response = plan_response_submit(
        case=case,
        statement="Our medical director reviewed the request.",
        files=[("records.pdf", samples.PDF), ("scan.png", samples.PNG)],
        actor=plan_user,
    )
    case.refresh_from_db()
    assert case.status == Status.RESPONSE_RECEIVED
    assert response.documents.count() == 2
    assert case.clocks.get(name="PLAN_RESPONSE").met_at == response.submitted_at


def test_one_bad_file_stores_nothing():
    case = case_at(Status.RESPONSE_REQUESTED)
    plan_user = PlanUserFactory(health_plan=case.health_plan)
    with pytest.raises(UploadRejected):
        plan_response_submit(
            case=case,
            statement="Records attached.",
            files=[("ok.pdf", samples.PDF), ("bad.pdf", samples.WINDOWS_PROGRAM)],
            actor=plan_user,
        )
    case.refresh_from_db()
    assert case.status == Status.RESPONSE_REQUESTED
    assert case.documents.count() == 0
    assert case.plan_responses.count() == 0


@pytest.mark.parametrize("who", ["other_plan", "enrollee", "clinical"])
def test_nobody_else_answers_for_the_plan(who):
    case = case_at(Status.RESPONSE_REQUESTED)
    actor = {
        "other_plan": lambda: PlanUserFactory(),
        "enrollee": lambda: case.filed_by,
        "clinical": lambda: StaffFactory(groups=["clinical"]),
    }[who]()
    with pytest.raises(NotPermitted):
        plan_response_submit(case=case, statement="x", files=[], actor=actor)
    assert case.plan_responses.count() == 0


def test_an_empty_statement_is_refused():
    case = case_at(Status.RESPONSE_REQUESTED)
    with pytest.raises(CaseError) as refused:
        plan_response_submit(case=case, statement="  ", files=[], actor=PlanUserFactory(health_plan=case.health_plan))
    assert "statement" in refused.value.field_errors


def test_an_enrollee_other_than_the_filer_has_no_role():
    from complaints.workflow import actor_roles

    case = case_at(Status.FILED)
    assert actor_roles(EnrolleeFactory(), case) == frozenset()


def test_a_pdf_with_javascript_is_stored_disarmed_and_the_row_and_timeline_say_so():
    case = case_at(Status.FILED)
    document = document_add(
        case=case,
        name="denial.pdf",
        data=samples.PDF_WITH_JAVASCRIPT,
        kind=Document.Kind.DENIAL_LETTER,
        source=Document.Source.ENROLLEE,
        actor=case.filed_by,
        actor_role="ENROLLEE",
    )
    stored = document.file.read()
    assert pdfs.active_codes(stored) == []
    assert pdfs.pdftotext(stored) == pdfs.pdftotext(samples.PDF_WITH_JAVASCRIPT)
    assert document.active_content_removed == ["JAVASCRIPT"]
    assert document.sha256 == hashlib.sha256(stored).hexdigest()
    assert document.size_bytes == len(stored)
    event = case.events.get(kind=CaseEvent.Kind.DOCUMENT_ADDED)
    assert event.summary == "Document added: Plan's denial letter (disarmed; removed: JavaScript)"
    assert event.data["active_content_removed"] == ["JAVASCRIPT"]
    assert event.data["received_sha256"] == hashlib.sha256(samples.PDF_WITH_JAVASCRIPT).hexdigest()


def test_a_documents_name_loses_control_and_direction_characters():
    case = case_at(Status.FILED)
    document = document_add(
        case=case,
        name="invoice\u202efdp.exe\x07",
        data=samples.PDF,
        kind="OTHER",
        source="ENROLLEE",
        actor=case.filed_by,
        actor_role="ENROLLEE",
    )
    assert document.original_name == "invoicefdp.exe"
