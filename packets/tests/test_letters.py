"""The IMR decision letters list the documents of the case packet the reviewers received
(shared/FINDINGS.md, item 6), handed to complaints through ``complaints.seams``: the last packet
built before the determination, then what arrived after that build and before
the determination; nothing that came later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import ReviewerUserFactory, StaffFactory
from complaints.models import Document, Outcome
from complaints.seams import PacketDocument
from complaints.services.moves import case_move
from complaints.tests.test_decision_letter_documents import flat_text
from complaints.workflow import MoveInput
from packets.models import Packet
from packets.seams import packet_documents_for_letters
from packets.services import packet_build, packet_request
from packets.tests.samples import document_pdf
from packets.tests.support import add_document, case_with_file

pytestmark = pytest.mark.django_db

FINDINGS = "The reviewer found the knee replacement medically necessary: the X-rays show severe arthritis."
PACKET_NAMES = ["denial-letter.pdf", "knee-photo.png", "surgeon-note.pdf", "utilization-review.pdf"]


def _built(case, user) -> Packet:
    return packet_build(packet_id=packet_request(case=case, requested_by=user).pk)


def test_the_letters_list_is_the_last_packet_built_before_the_determination():
    case = case_with_file()
    assert packet_documents_for_letters(case, timezone.now()) is None  # no packet: complaints uses the file
    pending = packet_request(case=case, requested_by=ReviewerUserFactory())
    assert packet_documents_for_letters(case, timezone.now()) is None  # asked for, not built: not received
    packet = packet_build(packet_id=pending.pk)
    listed = packet_documents_for_letters(case, timezone.now())
    assert [entry.name for entry in listed] == PACKET_NAMES
    assert [entry.name for entry in listed] == [record["name"] for record in packet.contents]
    plan_document = case.documents.get(original_name="utilization-review.pdf")
    assert listed[-1] == PacketDocument(
        document_id=plan_document.pk,
        name="utilization-review.pdf",
        source=Document.Source.PLAN,
        dated=timezone.localtime(plan_document.uploaded_at).date(),
    )
    # A determination made before the packet was built did not rely on it.
    assert packet_documents_for_letters(case, packet.built_at - timedelta(seconds=1)) is None
    # A newer packet (a document added since) is the one listed.
    add_document(case, "second-opinion.pdf", document_pdf("Second opinion", 1), minutes=10)
    newer = _built(case, ReviewerUserFactory())
    assert newer.pk != packet.pk
    assert [entry.name for entry in packet_documents_for_letters(case, timezone.now())] == [
        *PACKET_NAMES,
        "second-opinion.pdf",
    ]


def test_the_decision_letter_lists_the_packet_then_what_came_after_it_and_not_what_came_later(
    django_capture_on_commit_callbacks,
):
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    with django_capture_on_commit_callbacks(execute=True):
        case = case_with_file()
        for move in ("triage_imr", "send_to_imr"):
            case = case_move(case=case, move=move, actor=supervisor, data=MoveInput(reason="Medical necessity."))
    packet = _built(case, ReviewerUserFactory())
    assert packet.state == Packet.State.READY, packet.error
    with django_capture_on_commit_callbacks(execute=True):
        # Now (before the plan's and the enrollee's documents, dated minutes ahead): on file, it
        # would come first; listed after the packet, it comes last.
        add_document(case, "second-opinion.pdf", document_pdf("Note", 1), minutes=0)
        case = case_move(
            case=case, move="record_determination", actor=supervisor,
            data=MoveInput(outcome=Outcome.OVERTURNED, reason=FINDINGS),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        add_document(case, "late-note.pdf", document_pdf("Note", 1), minutes=60)
        case = case_move(case=case, move="issue_imr_decision", actor=supervisor)
    text = flat_text(case.letters.get(kind="IMR_DECISION", recipient="ENROLLEE"))
    assert FINDINGS in text
    positions = [text.index(name) for name in [*PACKET_NAMES, "second-opinion.pdf"]]
    assert positions == sorted(positions)
    assert "late-note.pdf" not in text
