"""A portal worth losing, for the backup drills: cases in every state with their clocks, timeline
and letters, documents, a draft with a file, published decisions and audit rows; and a record of
all of it (rows and file checksums) to compare after a restore."""

import hashlib

from django.apps import apps
from django.core.files.storage import default_storage
from django.db.models import FileField

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, StaffFactory
from audit.models import Action, AuditEvent
from audit.models import Outcome as AuditOutcome
from audit.services import audit_record
from complaints.models import Case, CaseEvent, Clock, Document, Letter
from complaints.services.documents import document_add
from complaints.services.letter_issue import letter_issue
from complaints.tests.drive import PATHS, case_at
from complaints.tests.samples import PDF, PNG
from filing.services import draft_document_add, draft_start
from imr.models import PublishedDecision
from imr.tests.factories import PublishedDecisionFactory

DRILL_EMAIL = "drill-enrollee@example.test"


def seed_portal() -> None:
    enrollee = EnrolleeFactory(email=DRILL_EMAIL, full_name="Dora Drill")
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR], email="drill-supervisor@example.test")
    cases = [case_at(status, enrollee=enrollee) for status in PATHS]
    for i, case in enumerate(cases[:5]):
        document_add(
            case=case,
            name=f"denial {i}.pdf",
            data=PDF + f"% drill document {i}\n".encode(),
            kind=Document.Kind.DENIAL_LETTER,
            source=Document.Source.ENROLLEE,
            actor=enrollee,
            actor_role="ENROLLEE",
        )
    for letter_id in Letter.objects.filter(state=Letter.State.PENDING).values_list("id", flat=True):
        letter_issue(letter_id=letter_id)
    draft = draft_start(owner=enrollee)
    draft_document_add(draft=draft, name="bill.png", data=PNG, kind=Document.Kind.BILL)
    PublishedDecisionFactory.create_batch(3)
    for case in cases[:3]:
        audit_record(
            action=Action.VIEW, outcome=AuditOutcome.SUCCESS, actor=supervisor, case_number=case.number, route="drill"
        )


def _sha(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def portal_state() -> dict:
    """Every row that matters, and every stored file's checksum, in a comparable form."""
    state = {
        "cases": {
            c["number"]: c
            for c in Case.objects.order_by("number").values("number", "status", "track", "received_at", "closed_at")
        },
        "clocks": sorted(
            Clock.objects.values_list("case__number", "name", "started_at", "due_at", "met_at", "stopped_at")
        ),
        "events": sorted(
            CaseEvent.objects.values_list("case__number", "id", "kind", "occurred_at", "from_status", "to_status")
        ),
        "documents": sorted(Document.objects.values_list("case__number", "id", "file", "sha256")),
        "letters": sorted(Letter.objects.values_list("case__number", "id", "kind", "state", "pdf", "sha256")),
        "audit": sorted(AuditEvent.objects.values_list("id", "occurred_at", "action", "outcome", "case_number")),
        "decisions": PublishedDecision.objects.count(),
        "files": {},
    }
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                for name in model.objects.exclude(**{field.name: ""}).values_list(field.name, flat=True):
                    state["files"][name] = _sha(name)
    return state
