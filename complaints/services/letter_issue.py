"""Issuing a letter: build its context from the case, render the PDF once, store it for good.

A letter row is created PENDING by the move that needs it (``services.letters``). A worker then
calls ``letter_issue``, which locks the row, renders with the letters engine, stores the PDF with
its checksum and template version, and marks it ISSUED. A second call (a retried or duplicated
task) finds it ISSUED and does nothing, so every letter is issued exactly once.
"""

import logging
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import Case, CaseEvent, DenialReason, Letter, Status
from complaints.seams import SEAMS
from complaints.selectors import documents_in_review_file
from complaints.services.notices import letter_waiting_notice
from complaints.services.timeline import event_record
from letters.context import Address, LetterContext, ReviewedDocument
from letters.kinds import ClosureReason, ConversionReason, LetterKind, Recipient
from letters.rendering import LetterRenderError, render_letter

logger = logging.getLogger(__name__)

_CLOSURE_REASONS = {
    Status.WITHDRAWN: ClosureReason.WITHDRAWN,
    Status.REFERRED: ClosureReason.PLAN_NOT_REGULATED,
    Status.GRIEVANCE_FIRST: ClosureReason.GRIEVANCE_NOT_COMPLETED,
    Status.PLAN_REVERSED: ClosureReason.PLAN_REVERSED,
}
_PLAN_ADDRESS_LINES = ("Attention: Grievances and Appeals", "Delivered through the Help Center plan portal")


def letter_issue(*, letter_id: int) -> Letter:
    """Render and store the letter unless it is already issued. Returns the letter.

    Raises letters.rendering.LetterRenderError if the letter cannot be rendered; the row stays
    PENDING (with its attempt counted) so the sweep can try again and staff can see it.
    """
    try:
        return _issue(letter_id)
    except LetterRenderError:
        # The failed attempt is counted outside the rolled-back transaction, for staff to see.
        Letter.objects.filter(pk=letter_id).update(render_attempts=F("render_attempts") + 1)
        raise


def _issue(letter_id: int) -> Letter:
    with transaction.atomic():
        # The lock makes a duplicated task wait, then find the letter issued and stop.
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.state == Letter.State.ISSUED:
            return letter
        case = Case.objects.select_related("health_plan", "patient").get(pk=letter.case_id)
        now = timezone.now()
        rendered = render_letter(
            letter.kind, letter_context(letter=letter, case=case, today=now.astimezone(LOCAL_TZ).date())
        )
        letter.pdf.save(
            f"{case.number}-{letter.kind.lower()}-{letter.recipient.lower()}-{rendered.sha256[:12]}.pdf",
            ContentFile(rendered.pdf),
            save=False,
        )
        letter.sha256 = rendered.sha256
        letter.template_version = rendered.template_version
        letter.issued_at = now
        letter.state = Letter.State.ISSUED
        letter.render_attempts += 1
        letter.full_clean()
        letter.save(update_fields=["pdf", "sha256", "template_version", "issued_at", "state", "render_attempts"])
        event_record(
            case=case,
            kind=CaseEvent.Kind.LETTER_ISSUED,
            summary=f"{letter.get_kind_display()} letter issued to the {letter.get_recipient_display().lower()}",
            occurred_at=now,
            data={"letter_id": letter.id, "sha256": rendered.sha256, "template_version": rendered.template_version},
        )
        letter_waiting_notice(letter=letter, now=now)
    return letter


def letter_context(*, letter: Letter, case: Case, today: date) -> LetterContext:
    """Everything the letter's template needs, read from the case as it stands now."""
    recipient = Recipient(letter.recipient)
    clocks = {clock.name: clock for clock in case.clocks.all()}
    return LetterContext(
        case_number=case.number,
        letter_date=today,
        recipient=recipient,
        language=letter.language,
        address=_address(case, recipient),
        patient_name=case.patient.full_name,
        plan_name=case.plan_display_name,
        member_id=case.member_id,
        received_date=case.received_at.astimezone(LOCAL_TZ).date(),
        treatment_in_dispute=case.treatment_in_dispute,
        urgent=case.urgent,
        track=case.track if case.track != "UNDECIDED" else "",
        response_due_at=_due_moment(clocks, ClockName.PLAN_RESPONSE),
        decision_due_date=_due_day(clocks, ClockName.IMR_DECISION) or _due_day(clocks, ClockName.COMPLAINT_DECISION),
        outcome=case.outcome
        if LetterKind(letter.kind) in (LetterKind.IMR_DECISION, LetterKind.COMPLAINT_DECISION)
        else "",
        reasons=case.outcome_reasons or (case.closure_reason if letter.kind == LetterKind.CLOSURE else ""),
        implementation_due_date=case.carry_out_by_date or _due_day(clocks, ClockName.IMR_IMPLEMENTATION),
        conversion_reason=_conversion_reason(case) if letter.kind == LetterKind.COMPLAINT_CONVERSION else "",
        closure_reason=_CLOSURE_REASONS.get(case.status, ClosureReason.OTHER)
        if letter.kind == LetterKind.CLOSURE
        else "",
        referral_to=case.referral_to,
        reviewed_documents=_reviewed_documents(case) if letter.kind == LetterKind.IMR_DECISION else (),
    )


def _reviewed_documents(case: Case) -> tuple[ReviewedDocument, ...]:
    """Every document the reviewers received before their determination: name, sender and date.

    First the documents of the last case packet built for them before the determination, as
    the packet listed them (the packets app hands that list in through ``complaints.seams``);
    then any document on file by the determination that the packet did not hold (it arrived
    after the build, and the reviewers had it on their case page). With no such packet, the
    documents on file by the determination."""
    determined_at = (
        case.events.filter(kind=CaseEvent.Kind.MOVE, move="record_determination")
        .order_by("-occurred_at", "-id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    listed = SEAMS.packet_documents(case, determined_at) or []
    in_packet = {entry.document_id for entry in listed}
    return tuple(ReviewedDocument(name=entry.name, source=entry.source, dated=entry.dated) for entry in listed) + tuple(
        ReviewedDocument(
            name=document.original_name, source=document.source, dated=document.uploaded_at.astimezone(LOCAL_TZ).date()
        )
        for document in documents_in_review_file(case=case, up_to=determined_at)
        if document.pk not in in_packet
    )


def _address(case: Case, recipient: Recipient) -> Address:
    if recipient == Recipient.PLAN:
        return Address(name=case.plan_display_name, lines=_PLAN_ADDRESS_LINES)
    # Letters go to whoever filed: the patient, or the parent, guardian or assistant for them.
    representative = getattr(case, "representative", None)
    if representative is not None and representative.street:
        city_line = f"{representative.city}, {representative.state} {representative.zip_code}".strip()
        return Address(name=representative.full_name, lines=(representative.street, city_line))
    patient = case.patient
    return Address(
        name=patient.full_name, lines=(patient.street, f"{patient.city}, {patient.state} {patient.zip_code}")
    )


def _conversion_reason(case: Case) -> str:
    if case.converted_from_imr:
        return ConversionReason.IMR_NOT_QUALIFIED
    if case.denial_reason == DenialReason.COVERAGE_BILLING:
        return ConversionReason.COVERAGE_DISPUTE
    return ConversionReason.COMPLAINT_ISSUE


def _due_moment(clocks: dict, name: ClockName) -> datetime | None:
    clock = clocks.get(name)
    return clock.due_at.astimezone(LOCAL_TZ) if clock else None


def _due_day(clocks: dict, name: ClockName) -> date | None:
    moment = _due_moment(clocks, name)
    return moment.date() if moment else None
