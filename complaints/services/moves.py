"""The one door for every change of a case's status.

``case_move`` locks the case row, checks the workflow table (role, status, guard, input), applies
the move's effects, saves, writes the timeline event, starts/meets/stops the clocks the move
names, and requests its letters, all in one transaction. Rendering and e-mail happen after commit.
Nothing else in the code assigns ``Case.status``.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from complaints.errors import MoveRefused, NotPermitted
from complaints.models import ENROLLEE_WINS, IMR_ELIGIBLE_REASONS, Case, CaseEvent, ReviewUnit, Track
from complaints.seams import move_hook
from complaints.services.case_clocks import clock_meet, clock_start, clocks_stop
from complaints.services.letters import letters_request
from complaints.services.timeline import event_record
from complaints.workflow import MOVES, Move, MoveInput, Role, actor_roles

# The role recorded on the timeline when a person holds several: the most specific first.
_ROLE_PRECEDENCE = [
    Role.SYSTEM,
    Role.ENROLLEE,
    Role.PLAN,
    Role.REVIEWER,
    Role.INTAKE,
    Role.CLINICAL,
    Role.LEGAL,
    Role.SUPERVISOR,
]


def case_move(*, case: Case, move: str, actor, data: MoveInput | None = None, now: datetime | None = None) -> Case:
    """Make ``move`` on ``case`` as ``actor`` (None: the system) and return the updated case.

    Raises NotPermitted if the actor may not make this move on this case, and MoveRefused if the
    case's status does not allow it, its guard does not hold, or ``data`` lacks what it needs.
    Nothing is written when it raises.
    """
    data = data or MoveInput()
    spec = MOVES.get(move)
    if spec is None:
        raise MoveRefused(f"There is no move called {move!r}.")
    with transaction.atomic():
        # The row lock makes two simultaneous moves on one case run one after the other; the
        # second then sees the first one's status and is refused by the table.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        now = now or timezone.now()
        roles = actor_roles(actor, locked)
        if not spec.allows_role(roles, locked):
            raise NotPermitted(f"You may not {spec.label.lower()} on this case.")
        if locked.status not in spec.sources:
            raise MoveRefused(
                f"“{spec.label}” is not possible while the case is {locked.get_status_display().lower()}."
            )
        refusal = spec.guard(locked, now)
        if refusal:
            raise MoveRefused(refusal)
        _check_input(spec, data)
        hook = move_hook(spec.name)
        if hook is not None:
            problems = hook.check(locked, data.extra)
            if problems:
                raise MoveRefused("Some information is missing or not valid.", field_errors=problems)

        from_status = locked.status
        changed = _EFFECTS.get(spec.name, _no_effect)(locked, data, now)
        locked.status = spec.target
        locked.full_clean()
        locked.save(update_fields=["status", *changed])
        acting_role = _acting_role(roles & spec.roles)
        event_record(
            case=locked,
            kind=CaseEvent.Kind.MOVE,
            summary=spec.label,
            occurred_at=now,
            actor=actor,
            actor_role=acting_role,
            move=spec.name,
            from_status=from_status,
            to_status=spec.target,
            reason=data.reason.strip(),
            data=_event_data(spec, data),
        )
        if hook is not None:
            hook.apply(locked, data.extra, actor, now)
        _move_clocks(spec, locked, now, actor, acting_role)
        letters_request(case=locked, specs=spec.letters, move_name=spec.name, now=now)
    return locked


def _acting_role(roles: frozenset[Role]) -> str:
    return next(role for role in _ROLE_PRECEDENCE if role in roles)


def _check_input(spec: Move, data: MoveInput) -> None:
    errors = {}
    needs = spec.needs + (spec.needs_if_enrollee_wins if data.outcome in ENROLLEE_WINS else ())
    for name in needs:
        value = getattr(data, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = "This is needed for this step."
    if "outcome" in spec.needs and data.outcome and data.outcome not in spec.outcomes:
        errors["outcome"] = "Choose one of the outcomes offered."
    if "review_unit" in spec.needs and data.review_unit and data.review_unit not in ReviewUnit.values:
        errors["review_unit"] = "Choose the clinical or the legal unit."
    if errors:
        raise MoveRefused("Some information is missing or not valid.", field_errors=errors)


def _event_data(spec: Move, data: MoveInput) -> dict:
    recorded = {}
    for name in spec.needs + spec.needs_if_enrollee_wins:
        value = getattr(data, name)
        if name != "reason" and value not in (None, ""):
            recorded[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if data.assignee is not None:
        recorded["assignee"] = str(data.assignee)
    return recorded


def _move_clocks(spec: Move, case: Case, now: datetime, actor, role: str) -> None:
    for name in spec.meets:
        clock_meet(case=case, name=name, now=now, actor=actor, actor_role=role)
    if spec.stops:
        clocks_stop(case=case, now=now, names=spec.stops, actor=actor, actor_role=role)
    if spec.stops_all_running:
        clocks_stop(case=case, now=now, actor=actor, actor_role=role)
    starts = spec.starts + (spec.starts_if_enrollee_won if case.enrollee_won else ())
    for name in starts:
        clock_start(case=case, name=name, now=now, actor=actor, actor_role=role)


# ------------------------------------------------------------------------------------------------
# Effects: what a move writes besides the status. Each returns the names of the fields it set.
# ------------------------------------------------------------------------------------------------
Effect = Callable[[Case, MoveInput, datetime], list[str]]


def _no_effect(case: Case, data: MoveInput, now: datetime) -> list[str]:
    return []


def _close(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.closed_at = now
    case.closure_reason = data.reason.strip()
    return ["closed_at", "closure_reason"]


def _refer(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.referral_to = data.referral_to.strip()
    return ["referral_to", *_close(case, data, now)]


def _triage_imr(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.track = Track.IMR
    return ["track"]


def _triage_complaint(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.track = Track.COMPLAINT
    # An IMR-type request reviewed as a complaint is a conversion (HSC 1374.31(b)).
    case.converted_from_imr = case.denial_reason in IMR_ELIGIBLE_REASONS
    return ["track", "converted_from_imr"]


def _convert_to_complaint(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.track = Track.COMPLAINT
    case.converted_from_imr = True
    return ["track", "converted_from_imr"]


def _assign_review(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.review_unit = data.review_unit
    case.assigned_to = data.assignee
    return ["review_unit", "assigned_to"]


def _record_outcome(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.outcome = data.outcome
    case.outcome_reasons = data.reason.strip()
    return ["outcome", "outcome_reasons"]


def _decide(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.decided_at = now
    return ["decided_at"]


def _decide_complaint(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.carry_out_by_date = data.carry_out_by if data.outcome in ENROLLEE_WINS else None
    return [*_record_outcome(case, data, now), *_decide(case, data, now), "carry_out_by_date"]


def _carried_out(case: Case, data: MoveInput, now: datetime) -> list[str]:
    case.carried_out_date = data.carried_out_date
    return ["carried_out_date"]


def _plan_reversed(case: Case, data: MoveInput, now: datetime) -> list[str]:
    # The plan's own reversal resolves the case in the enrollee's favour, and counts so.
    case.outcome = "PLAN_REVERSED"
    case.outcome_reasons = data.reason.strip()
    case.decided_at = now
    return ["outcome", "outcome_reasons", "decided_at", *_close(case, data, now)]


_EFFECTS: dict[str, Effect] = {
    "refer_not_regulated": _refer,
    "close_grievance_first": _close,
    "triage_imr": _triage_imr,
    "triage_complaint": _triage_complaint,
    "convert_to_complaint": _convert_to_complaint,
    "assign_review": _assign_review,
    "record_determination": _record_outcome,
    "issue_imr_decision": _decide,
    "decide_complaint": _decide_complaint,
    "confirm_carried_out": _carried_out,
    "close": _close,
    "withdraw": _close,
    "plan_reversed": _plan_reversed,
}

if set(_EFFECTS) - set(MOVES):
    raise ImportError("An effect names a move that is not in the workflow table.")
