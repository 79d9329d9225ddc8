"""Attachments: judged by content, not name; limits per file and per case; a refused file never
costs the others; stored under random names; moved onto the case when the application is sent."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Case, Document
from complaints.tests import pdfs
from complaints.tests.samples import PDF, PDF_WITH_JAVASCRIPT, PNG, WINDOWS_PROGRAM, docx
from filing.models import DraftDocument
from filing.tests import answers
from filing.tests.answers import fill_draft, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(signed_in, plan):
    return fill_draft(signed_in, plan, upto="problem")


def upload(client, draft, *files, kind="OTHER", action="upload"):
    return client.post(
        step_url(draft, "documents"),
        {"action": action, "kind": kind, "files": [SimpleUploadedFile(name, data) for name, data in files]},
    )


def test_several_files_of_the_allowed_kinds_are_kept(signed_in, draft):
    response = upload(signed_in, draft, ("denial.pdf", PDF), ("photo.png", PNG), ("letter.docx", docx()))
    assert response.status_code == 302
    kept = {document.original_name: document.content_type for document in draft.documents.all()}
    assert kept == {
        "denial.pdf": "application/pdf",
        "photo.png": "image/png",
        "letter.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    page = signed_in.get(response["Location"]).text
    assert "3 files added." in page
    assert "denial.pdf" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", WINDOWS_PROGRAM, "We accept PDF, JPEG, PNG, TIFF, HEIC and Word (.docx) files."),
        ("scan.pdf", b"", "This file is empty."),
        ("statement.pdf", b"%PDF-1.7\nnot readable", "We could not check this PDF"),
        ("notes.docx", docx()[:-30], "We could not open this Word file."),
        ("notes.txt", b"just some text", "We accept PDF, JPEG, PNG, TIFF, HEIC and Word (.docx) files."),
    ],
    ids=["renamed-program", "empty", "pdf-unreadable", "docx-unreadable", "text"],
)
def test_a_refused_file_is_named_with_the_reason_and_the_others_are_kept(signed_in, draft, name, data, message):
    response = upload(signed_in, draft, ("good.pdf", PDF), (name, data), ("photo.png", PNG))
    assert response.status_code == 200
    assert f"{name}: {message}" in response.text
    assert "There is a problem" in response.text
    assert 'href="#id_files"' in response.text
    assert sorted(draft.documents.values_list("original_name", flat=True)) == ["good.pdf", "photo.png"]


def test_adding_no_file_is_explained(signed_in, draft):
    response = upload(signed_in, draft)
    assert response.status_code == 200
    assert "Choose at least one file." in response.text


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(signed_in, draft, settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    response = upload(signed_in, draft, ("big.pdf", big))
    assert "big.pdf: This file is larger than 1 MB." in response.text
    assert not draft.documents.exists()


def test_the_limits_for_all_files_together_hold(signed_in, draft, settings):
    settings.UPLOAD_MAX_FILES_PER_CASE = 2
    response = upload(signed_in, draft, ("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF))
    assert "c.pdf: You have attached the most files we can take online (2)." in response.text
    assert draft.documents.count() == 2
    settings.UPLOAD_MAX_FILES_PER_CASE = 40
    settings.UPLOAD_MAX_CASE_BYTES = len(PDF) * 3
    response = upload(signed_in, draft, ("d.pdf", PDF), ("e.pdf", PDF))
    assert "e.pdf: All your files together would pass" in response.text
    assert draft.documents.count() == 3


def test_files_are_stored_under_random_names(signed_in, draft):
    upload(signed_in, draft, ("Rosa Delgado cancer biopsy.pdf", PDF))
    stored = draft.documents.get().file.name
    assert "Rosa" not in stored
    assert "biopsy" not in stored
    assert stored.startswith("drafts/")


def test_a_file_name_is_kept_without_folders_or_control_characters(signed_in, draft):
    upload(signed_in, draft, ("C:\\Users\\rosa\\bill\x07.pdf", PDF))
    assert draft.documents.get().original_name == "bill.pdf"


def test_a_file_can_be_removed(signed_in, draft, django_capture_on_commit_callbacks):
    upload(signed_in, draft, ("a.pdf", PDF), ("b.pdf", PDF))
    first = draft.documents.get(original_name="a.pdf")
    stored = first.file.name
    url = reverse("file-document-remove", kwargs={"draft_id": draft.public_id, "document_id": first.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url)
    assert response["Location"] == step_url(draft, "documents")
    assert list(draft.documents.values_list("original_name", flat=True)) == ["b.pdf"]
    assert not default_storage.exists(stored)


def test_uploads_move_onto_the_case_and_leave_the_draft(signed_in, draft, django_capture_on_commit_callbacks):
    upload(signed_in, draft, ("bill.pdf", PDF), kind="BILL")
    upload(signed_in, draft, ("photo.png", PNG), kind="MEDICAL_RECORDS", action="continue")
    stored = list(draft.documents.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(step_url(draft, "sign"), answers.sign())
    case = Case.objects.get()
    documents = {document.original_name: document for document in case.documents.all()}
    assert documents["bill.pdf"].kind == Document.Kind.BILL
    assert documents["photo.png"].kind == Document.Kind.MEDICAL_RECORDS
    assert documents["bill.pdf"].sha256 == hashlib.sha256(PDF).hexdigest()
    with documents["photo.png"].file.open("rb") as moved:
        assert moved.read() == PNG
    assert not DraftDocument.objects.exists()
    assert not any(default_storage.exists(name) for name in stored)


def test_a_file_that_cannot_move_leaves_no_case_and_keeps_the_draft(signed_in, draft, settings):
    upload(signed_in, draft, ("a.pdf", PDF), ("b.pdf", PDF), action="continue")
    # The case limit shrank after the files were attached: the case's own check refuses the second.
    settings.UPLOAD_MAX_FILES_PER_CASE = 1
    response = signed_in.post(step_url(draft, "sign"), answers.sign())
    assert response.status_code == 200
    assert "This case already has the most documents we can take online." in response.text
    assert not Case.objects.exists()
    assert draft.documents.count() == 2


def test_a_scripted_pdf_is_kept_disarmed_and_its_case_document_says_so(
    signed_in, draft, django_capture_on_commit_callbacks
):
    """The draft keeps only the disarmed copy; on submitting, the case's document carries what was
    removed into its row and the timeline, and the person sees a note in both languages."""
    response = upload(signed_in, draft, ("statement.pdf", PDF_WITH_JAVASCRIPT), ("notes.docx", docx(with_macros=True)))
    kept = {document.original_name: document for document in draft.documents.all()}
    assert kept["statement.pdf"].active_content_removed == ["JAVASCRIPT"]
    assert kept["notes.docx"].active_content_removed == ["WORD_MACROS"]
    with kept["statement.pdf"].file.open("rb") as stored:
        assert pdfs.active_codes(stored.read()) == []
    page = signed_in.get(response["Location"]).text
    assert page.count("We removed parts of this file that could run programs or reach the internet.") == 2
    spanish = signed_in.get(step_url(draft, "documents", prefix="/es")).text
    assert spanish.count("Quitamos partes de este archivo que podían ejecutar programas") == 2
    upload(signed_in, draft, action="continue")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(step_url(draft, "sign"), answers.sign())
    case = Case.objects.get()
    document = case.documents.get(original_name="statement.pdf")
    assert document.active_content_removed == ["JAVASCRIPT"]
    with document.file.open("rb") as stored:
        assert pdfs.active_codes(stored.read()) == []
    summaries = list(case.events.filter(kind="DOCUMENT_ADDED").values_list("summary", flat=True))
    assert "Document added: Other (disarmed; removed: JavaScript)" in summaries
    my_case = signed_in.get(f"/my/{case.number}/").text
    assert "We removed parts of this file that could run programs or reach the internet." in my_case
    assert "Quitamos partes de este archivo" in signed_in.get(f"/es/my/{case.number}/").text


def test_files_accepted_with_the_draft_are_not_checked_again_when_it_is_sent(
    signed_in, draft, settings, django_capture_on_commit_callbacks
):
    """The draft keeps what the check made of each file. Sending does not read and rewrite them
    again (inside the filing's transaction, with the year's case number locked), so a busy
    checker cannot turn away a file it accepted days before: here the PDF checker can no longer
    finish anything, and the application is still filed with the kept copies and their notes."""
    upload(signed_in, draft, ("statement.pdf", PDF_WITH_JAVASCRIPT), ("photo.png", PNG), action="continue")
    kept = {document.original_name: document for document in draft.documents.all()}
    with kept["statement.pdf"].file.open("rb") as stored:
        statement = stored.read()
    settings.UPLOAD_PDF_TIME_LIMIT_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(step_url(draft, "sign"), answers.sign())
    assert response.status_code == 302
    case = Case.objects.get()
    document = case.documents.get(original_name="statement.pdf")
    assert document.active_content_removed == ["JAVASCRIPT"]
    assert document.sha256 == hashlib.sha256(statement).hexdigest()
    assert document.content_type == "application/pdf"
    assert case.documents.get(original_name="photo.png").content_type == "image/png"
