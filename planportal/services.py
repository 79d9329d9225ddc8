"""What a plan user does on a case, each a workflow move through the complaints services.

Each function re-checks, with the case row locked, that the move is still one the workflow offers
this user now, so a second click or a resubmitted form is refused (MoveRefused) instead of adding
a second response or a second set of proof. Nothing is stored when any of them raises.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from complaints.clocks import LOCAL_TZ
from complaints.errors import CaseError, MoveRefused
from complaints.models import Case, Document, PlanResponse
from complaints.services.documents import document_add
from complaints.services.moves import case_move
from complaints.services.plan_responses import plan_response_submit
from complaints.uploads import CheckedUpload, upload_check
from complaints.workflow import MoveInput, actor_roles, moves_available

RESPOND = "receive_plan_response"
REVERSED = "plan_reversed"
CARRIED_OUT = "confirm_carried_out"


def plan_moves(*, case: Case, user, now: datetime) -> set[str]:
    """The names of the moves the workflow offers this user on this case now."""
    return {move.name for move in moves_available(case, actor_roles(user, case), now)}


def _lock_offered(case: Case, user, move: str, now: datetime) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if move not in plan_moves(case=locked, user=user, now=now):
        raise MoveRefused(
            f"Nothing was changed: this step is no longer open on case {locked.number}, "
            f"which is now “{locked.get_status_display().lower()}”."
        )
    return locked


def plan_response_send(
    *, case: Case, statement: str, files: list[tuple[str, bytes | CheckedUpload]], actor, now: datetime | None = None
) -> PlanResponse:
    """Record the plan's written response with its files, which meets the plan response clock.

    Raises MoveRefused when a response is no longer requested (already sent), CaseError for an
    empty statement, UploadRejected for a bad file."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_offered(case, actor, RESPOND, now)
        return plan_response_submit(case=locked, statement=statement, files=files, actor=actor, now=now)


def plan_reversal_record(*, case: Case, reason: str, actor, now: datetime | None = None) -> Case:
    """The plan reversed its own decision: the case closes in the enrollee's favour.

    Raises MoveRefused when the case is already decided or closed, or the reason is empty."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_offered(case, actor, REVERSED, now)
        return case_move(case=locked, move=REVERSED, actor=actor, data=MoveInput(reason=reason), now=now)


def plan_carried_out_confirm(
    *,
    case: Case,
    carried_out_date: date,
    proofs: list[tuple[str, bytes | CheckedUpload]],
    actor,
    now: datetime | None = None,
) -> Case:
    """The plan carried out a decision in the enrollee's favour: record the date and the proof
    (each file as received, or what ``upload_check`` made of it already, as the form passes it).

    The move and the proof documents are stored together or not at all. Raises CaseError when
    there is no proof or the date is in the future or before the decision, UploadRejected for a
    bad file, MoveRefused when it was already confirmed."""
    now = now or timezone.now()
    errors = {}
    if not proofs:
        errors["proofs"] = "Attach at least one document that shows the decision was carried out."
    if carried_out_date > now.astimezone(LOCAL_TZ).date():
        errors["carried_out_date"] = "This date is in the future. Confirm once the decision has been carried out."
    elif case.decided_at and carried_out_date < case.decided_at.astimezone(LOCAL_TZ).date():
        errors["carried_out_date"] = "This date is before the decision was issued. Check the date."
    if errors:
        raise CaseError("Some information is missing or not valid.", field_errors=errors)
    checked = [(name, upload_check(data)) for name, data in proofs]  # every file first, so one bad file stores nothing
    with transaction.atomic():
        locked = _lock_offered(case, actor, CARRIED_OUT, now)
        moved = case_move(
            case=locked, move=CARRIED_OUT, actor=actor, data=MoveInput(carried_out_date=carried_out_date), now=now
        )
        for name, upload in checked:
            document_add(
                case=moved,
                name=name,
                data=upload,
                kind=Document.Kind.PROOF_OF_IMPLEMENTATION,
                source=Document.Source.PLAN,
                actor=actor,
                actor_role="PLAN",
                now=now,
            )
    return moved
