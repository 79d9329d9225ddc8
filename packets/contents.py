"""What goes into a case packet, read from the case: the question under review, the enrollee's
application, the plan's written responses and every document, each with its source and date.

``packet_contents`` is the one read; the index page and the fingerprint are both made from it,
so a change to anything the packet shows (a new document, a scan verdict, a plan response) gives
a new fingerprint and so a new build.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date

from complaints.clocks import LOCAL_TZ
from complaints.models import Case, DenialReason, Document
from complaints.scanning import openable_scan_states
from complaints.selectors import documents_in_review_file

SOURCE_LABELS = {
    Document.Source.ENROLLEE: "Enrollee",
    Document.Source.PLAN: "Health plan",
    Document.Source.STAFF: "Help Center",
}
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class DocumentEntry:
    document_id: int
    name: str
    kind: str
    source: str
    dated: date
    content_type: str
    sha256: str
    openable: bool  # False: the virus scan has not found it clean, so it is not opened at all

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF_TYPE


@dataclass(frozen=True)
class PlanStatement:
    response_id: int
    dated: date
    text: str


@dataclass(frozen=True)
class PacketContents:
    case_number: str
    question: str
    application: tuple[tuple[str, str], ...]
    plan_statements: tuple[PlanStatement, ...]
    documents: tuple[DocumentEntry, ...]

    def fingerprint(self) -> str:
        facts = asdict(self)
        return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def question_under_review(case: Case) -> str:
    """The question the reviewer answers, in plain words, from the plan's reason for denying."""
    treatment = case.treatment_in_dispute.strip().rstrip(".")
    if case.denial_reason == DenialReason.MEDICAL_NECESSITY:
        return f"Is this treatment or service medically necessary for the patient: {treatment}?"
    if case.denial_reason == DenialReason.EXPERIMENTAL:
        return (
            f"The plan denied this as experimental or investigational: {treatment}. Is it likely to be "
            "more beneficial for the patient than any available standard therapy?"
        )
    if case.denial_reason == DenialReason.EMERGENCY_PAYMENT:
        return (
            f"The plan denied payment for this emergency or urgent care: {treatment}. Was the care "
            "medically necessary as emergency or urgent care?"
        )
    return f"Should the plan's decision about this treatment or service stand: {treatment}?"


def _local_date(moment) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _application(case: Case) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    patient = getattr(case, "patient", None)
    if patient is not None:
        rows += [
            ("Patient", patient.full_name),
            ("Date of birth", patient.birth_date.isoformat()),
            ("Gender", patient.get_gender_display()),
        ]
    representative = getattr(case, "representative", None)
    filer = case.get_filer_relationship_display()
    if representative is not None:
        filer = f"{representative.full_name} ({filer.lower()})"
    rows += [
        ("Filed by", filer),
        ("Received", _local_date(case.received_at).isoformat()),
        ("Health plan", case.plan_display_name),
        ("Medical group or IPA", case.medical_group),
        ("Urgent", f"Yes: {case.urgent_reason}" if case.urgent else "No"),
        ("Problem", case.get_category_display()),
        ("What the plan denied, changed or delayed", case.treatment_in_dispute),
        ("The plan's reason", case.get_denial_reason_display()),
        ("What happened", case.what_happened),
        ("What the enrollee asks for", case.desired_outcome),
        ("Treating provider", case.treating_provider),
        (
            "Plan grievance",
            (f"Filed {case.grievance_filed_date or '(date not given)'}" if case.grievance_filed else "Not filed")
            + (f"; the plan decided on {case.plan_decision_date}" if case.plan_decision_date else ""),
        ),
        ("Medi-Cal State Fair Hearing on the same issue", "Yes" if case.state_fair_hearing else "No"),
    ]
    return tuple((label, str(value)) for label, value in rows if str(value).strip())


def packet_contents(case: Case) -> PacketContents:
    """Everything the packet of ``case`` is made from, as the case stands now (3 queries)."""
    case = Case.objects.select_related("patient", "representative", "health_plan").get(pk=case.pk)
    openable = set(openable_scan_states())
    documents = tuple(
        DocumentEntry(
            document_id=document.pk,
            name=document.original_name,
            kind=document.get_kind_display(),
            source=SOURCE_LABELS.get(document.source, document.source),
            dated=_local_date(document.uploaded_at),
            content_type=document.content_type,
            sha256=document.sha256,
            openable=document.scan_state in openable,
        )
        for document in documents_in_review_file(case=case)
    )
    statements = tuple(
        PlanStatement(response_id=response.pk, dated=_local_date(response.submitted_at), text=response.statement)
        for response in case.plan_responses.order_by("submitted_at", "id")
        if response.statement.strip()
    )
    return PacketContents(
        case_number=case.number,
        question=question_under_review(case),
        application=_application(case),
        plan_statements=statements,
        documents=documents,
    )
