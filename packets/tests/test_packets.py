import hashlib
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from complaints.models import Document, Status
from complaints.tests.drive import case_at
from packets.downloads import packet_file_response
from packets.models import Packet
from packets.services import packet_build, packet_offer, packet_request
from packets.tasks import packet_build_task, packets_requeue_pending_task
from packets.tests.samples import DAMAGED_PDF, document_pdf
from packets.tests.support import STATEMENT, add_document, case_with_file, outline_entries, pdf_reader, pdftotext_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_now(django_capture_on_commit_callbacks):
    """packet_request with its after-commit build run (eagerly, as the test settings run tasks)."""

    def request(case, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            packet = packet_request(case=case, requested_by=user or StaffFactory())
        packet.refresh_from_db()
        return packet

    return request


def test_the_packet_has_the_index_then_every_page_of_every_pdf_in_order_with_bookmarks(request_now):
    case = case_with_file()
    packet = request_now(case)

    assert packet.state == Packet.State.READY, packet.error
    reader = pdf_reader(packet)
    pages = pdftotext_pages(packet)
    # The index is one page here; then 2 + 1 + 3 pages of documents, oldest first.
    cover_pages = packet.page_count - 6
    assert cover_pages >= 1
    assert len(reader.pages) == packet.page_count
    index = " ".join(" ".join(pages[:cover_pages]).split())
    assert case.number in index
    assert "Is this treatment or service medically necessary for the patient: Knee replacement surgery?" in index
    for name in ("denial-letter.pdf", "knee-photo.png", "surgeon-note.pdf", "utilization-review.pdf"):
        assert name in index
    assert "Not in this PDF: an image, opened separately" in index
    assert "Enrollee" in index
    assert "Health plan" in index
    assert STATEMENT in index  # the plan's written statement
    assert "Rosa M. Delgado" in index
    assert "Knee replacement surgery" in index
    assert f"Pages {cover_pages + 1}\u2013{cover_pages + 2}" in index

    expected = [
        "Denial letter page 1 of 2", "Denial letter page 2 of 2", "Surgeon note page 1 of 1",
        "Utilization review page 1 of 3", "Utilization review page 2 of 3", "Utilization review page 3 of 3",
    ]  # fmt: skip
    assert [page.strip() for page in pages[cover_pages:]] == expected

    bookmarks = outline_entries(reader)
    top = [(title, page) for title, page, depth in bookmarks if depth == 0]
    assert top[0] == ("Index, question, application and plan response", 1)
    titles = [title for title, _page in top[1:]]
    assert [title.split(" (")[0] for title in titles] == [
        "denial-letter.pdf", "surgeon-note.pdf", "utilization-review.pdf",
    ]  # fmt: skip
    assert "(Health plan, " in titles[2]
    assert [page for _title, page in top[1:]] == [cover_pages + 1, cover_pages + 3, cover_pages + 4]
    # WeasyPrint's own headings of the index come along, under the first bookmark.
    assert ("The question under review", 1, 2) in bookmarks
    assert ("The plan\u2019s written response", cover_pages, 2) in bookmarks

    assert [record["name"] for record in packet.contents] == [
        "denial-letter.pdf", "knee-photo.png", "surgeon-note.pdf", "utilization-review.pdf",
    ]  # fmt: skip
    assert packet.contents[1]["pages"] is None
    assert re.fullmatch(r"[0-9a-f]{64}", packet.sha256)
    with packet.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == packet.sha256
    assert packet.built_at is not None
    assert packet.attempts == 1


def test_a_second_request_for_the_same_file_reuses_the_packet_and_a_new_document_makes_a_new_one(request_now):
    case = case_with_file()
    first = request_now(case)
    assert request_now(case).pk == first.pk
    assert Packet.objects.filter(case=case).count() == 1

    add_document(case, "second-opinion.pdf", document_pdf("Second opinion", 2), minutes=10)
    second = request_now(case)
    assert second.pk != first.pk
    assert second.state == Packet.State.READY
    assert second.page_count == first.page_count + 2
    # The page offers the packet of the file as it stands now, not the older one.
    assert packet_offer(case=case, requested_by=None, now=timezone.now()).pk == second.pk
    assert "Second opinion page 2 of 2" in pdftotext_pages(second)[-1]


def test_a_pending_packet_is_reused_and_a_second_build_changes_nothing():
    case = case_with_file()
    # Without running the after-commit build: the packet stays PENDING, and is reused.
    pending = packet_request(case=case, requested_by=None)
    assert pending.state == Packet.State.PENDING
    assert packet_request(case=case, requested_by=None).pk == pending.pk

    packet_build_task.apply(args=[pending.pk]).get()
    built = Packet.objects.get(pk=pending.pk)
    assert built.state == Packet.State.READY
    packet_build_task.apply(args=[pending.pk]).get()  # the task delivered twice
    again = Packet.objects.get(pk=pending.pk)
    assert (again.sha256, again.built_at, again.file.name, again.attempts) == (
        built.sha256, built.built_at, built.file.name, 1,
    )  # fmt: skip


def test_a_damaged_pdf_makes_a_failed_packet_that_names_it_and_a_new_request_tries_again(request_now):
    case = case_with_file()
    # Uploads refuse such a file; one is stored here around the checks, as a disk fault could.
    add_document(case, "fine.pdf", document_pdf("Fine", 1), minutes=5)
    broken = Document.objects.get(case=case, original_name="fine.pdf")
    broken.original_name = "lab-results.pdf"
    broken.file.save("broken", ContentFile(DAMAGED_PDF))
    broken.save()

    packet = request_now(case)
    assert packet.state == Packet.State.FAILED
    assert "“lab-results.pdf” (from: Enrollee" in packet.error
    assert "Ask the sender for a new copy" in packet.error
    assert not packet.file
    with pytest.raises(Http404):
        packet_file_response(case=case, packet_id=packet.pk)
    # FAILED is not reused: asking again makes a new build (which fails the same way here).
    again = request_now(case)
    assert again.pk != packet.pk
    assert again.state == Packet.State.FAILED


def test_a_packet_whose_task_was_lost_is_built_by_the_sweep(settings):
    case = case_with_file()
    lost = packet_request(case=case, requested_by=None)  # its after-commit enqueue never runs
    assert packets_requeue_pending_task.apply().get() == 0  # still within the grace period
    Packet.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    assert packets_requeue_pending_task.apply().get() == 1
    assert Packet.objects.get(pk=lost.pk).state == Packet.State.READY
    assert packets_requeue_pending_task.apply().get() == 0


def test_the_download_serves_only_a_built_packet_of_that_case(request_now):
    case = case_with_file()
    packet = request_now(case)
    response = packet_file_response(case=case, packet_id=packet.pk)
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    assert f'filename="{case.number}-packet.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    other = case_at(Status.ACKNOWLEDGED)
    with pytest.raises(Http404):
        packet_file_response(case=other, packet_id=packet.pk)


def test_a_case_with_no_documents_still_gets_an_index(request_now):
    case = case_at(Status.ACKNOWLEDGED)
    packet = request_now(case)
    assert packet.state == Packet.State.READY
    text = " ".join(" ".join(pdftotext_pages(packet)).split())
    assert "No documents are on file for this case." in text
    assert "The plan has not sent a written statement." in text


def test_a_failed_build_for_a_reason_not_in_the_documents_is_retried_then_given_up(monkeypatch):
    case = case_with_file()
    packet = packet_request(case=case, requested_by=None)

    def storage_down(**kwargs):
        raise OSError("storage unreachable")

    monkeypatch.setattr("packets.services.packet_pdf_build", storage_down)
    for _attempt in range(1, 5):
        with pytest.raises(OSError, match="storage unreachable"):
            packet_build(packet_id=packet.pk)
        assert Packet.objects.get(pk=packet.pk).state == Packet.State.PENDING
    failed = packet_build(packet_id=packet.pk)
    assert failed.state == Packet.State.FAILED
    assert "after 5 tries (OSError)" in failed.error
