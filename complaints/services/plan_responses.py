"""The plan's written response and records: one submission with its documents.

Submitting while the response is requested makes the ``receive_plan_response`` move (which meets
the clock). A response that comes after staff already went ahead is still recorded, and meets
the clock late if it still runs.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from complaints.clocks import ClockName
from complaints.errors import CaseError, NotPermitted
from complaints.models import Case, CaseEvent, Document, PlanResponse, Status
from complaints.services.case_clocks import clock_meet
from complaints.services.documents import document_add
from complaints.services.moves import case_move
from complaints.services.timeline import event_record
from complaints.uploads import CheckedUpload, upload_check
from complaints.workflow import Role, actor_roles

_MAY_SUBMIT = frozenset({Role.PLAN, Role.INTAKE, Role.SUPERVISOR})


def plan_response_submit(
    *, case: Case, statement: str, files: list[tuple[str, bytes | CheckedUpload]], actor, now: datetime | None = None
) -> PlanResponse:
    """Record the plan's response with its files (each as received, or what ``upload_check``
    made of it already: the plan's form checks them). Raises NotPermitted for anyone but the
    case's plan or intake staff, CaseError for an empty statement or a closed case, and
    UploadRejected for a bad file; nothing is stored when it raises."""
    roles = actor_roles(actor, case) & _MAY_SUBMIT
    if not roles:
        raise NotPermitted("You may not answer for the plan on this case.")
    if not statement.strip():
        raise CaseError("The written response is empty.", field_errors={"statement": "Write the plan's response."})
    if not case.is_open:
        raise CaseError("This case is closed; it takes no more responses.")
    checked = [(name, upload_check(data)) for name, data in files]  # every file first, so one bad file stores none
    now = now or timezone.now()
    role = Role.PLAN if Role.PLAN in roles else sorted(roles)[0]
    with transaction.atomic():
        response = PlanResponse(case=case, submitted_by=actor, submitted_at=now, statement=statement.strip())
        response.full_clean()
        response.save()
        for name, upload in checked:
            document_add(
                case=case,
                name=name,
                data=upload,
                kind=Document.Kind.PLAN_RESPONSE,
                source=Document.Source.PLAN if role == Role.PLAN else Document.Source.STAFF,
                actor=actor,
                actor_role=role,
                plan_response=response,
                now=now,
            )
        event_record(
            case=case,
            kind=CaseEvent.Kind.PLAN_RESPONSE,
            summary=f"Plan response received with {len(files)} document(s)",
            occurred_at=now,
            actor=actor,
            actor_role=role,
            data={"plan_response_id": response.id},
        )
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.status == Status.RESPONSE_REQUESTED:
            case_move(case=current, move="receive_plan_response", actor=actor, now=now)
        else:
            clock_meet(case=current, name=ClockName.PLAN_RESPONSE, now=now, actor=actor, actor_role=role)
    return response
