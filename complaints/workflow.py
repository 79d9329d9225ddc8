"""The legal moves of a case, written once.

Each row of ``MOVES`` says: from which statuses, to which status, which roles may make it, what it
needs from the person making it, the guard that must hold, which clocks it starts, meets or stops,
and which letters it issues. ``complaints.services.moves.case_move`` is the one door through which
every move passes; the admin and the portals ask ``moves_available`` what to offer.

Legal rules behind the guards:
- Coverage disputes never go to IMR; medical-necessity, experimental/investigational and emergency
  or urgent care payment denials do (HSC 1374.30).
- The plan grievance comes first: 30 days (3 if urgent), waived when urgent or
  experimental/investigational (HSC 1368.01, 1368.03).
- File within 6 months of the plan's written decision, later only with a good reason staff accept
  (HSC 1374.30; 28 CCR 1300.74.30).
- An IMR request that does not qualify is reviewed as a Consumer Complaint, never just closed
  (HSC 1374.31(b)).
- An overturned IMR is carried out by the plan within 5 working days (HSC 1374.34(a)).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models

from accounts.models import StaffGroup
from complaints.clocks import LOCAL_TZ, ClockName, due_at
from complaints.models import (
    IMR_ELIGIBLE_REASONS,
    Case,
    DenialReason,
    Outcome,
    Status,
)
from complaints.seams import SEAMS
from letters.kinds import LetterKind, Recipient


class Role(models.TextChoices):
    ENROLLEE = "ENROLLEE", "Enrollee (own case)"
    PLAN = "PLAN", "Health plan (own case)"
    INTAKE = "INTAKE", "Intake"
    CLINICAL = "CLINICAL", "Clinical"
    LEGAL = "LEGAL", "Legal"
    SUPERVISOR = "SUPERVISOR", "Supervisor"
    REVIEWER = "REVIEWER", "Independent reviewer (assigned case)"
    SYSTEM = "SYSTEM", "The portal itself"


STAFF_ROLES = frozenset({Role.INTAKE, Role.CLINICAL, Role.LEGAL, Role.SUPERVISOR})
_GROUP_ROLES = {
    StaffGroup.INTAKE: Role.INTAKE,
    StaffGroup.CLINICAL: Role.CLINICAL,
    StaffGroup.LEGAL: Role.LEGAL,
    StaffGroup.SUPERVISOR: Role.SUPERVISOR,
}


def actor_roles(user, case: Case) -> frozenset[Role]:
    """The roles in which ``user`` may act on ``case``; None is the system. Empty: not theirs."""
    if user is None:
        return frozenset({Role.SYSTEM})
    if not user.is_active:
        return frozenset()
    if user.is_help_center_staff:
        if user.is_superuser:
            return STAFF_ROLES
        names = {group.name for group in user.groups.all()}
        return frozenset(role for group, role in _GROUP_ROLES.items() if group in names)
    if user.is_plan_user and case.health_plan_id is not None and user.health_plan_id == case.health_plan_id:
        return frozenset({Role.PLAN})
    if user.is_enrollee and case.filed_by_id == user.id:
        return frozenset({Role.ENROLLEE})
    if user.is_reviewer and _reviewer_may_act(user, case):
        return frozenset({Role.REVIEWER})
    return frozenset()


def _reviewer_may_act(user, case: Case) -> bool:
    # The right comes from the review app's selector (complaints.seams): assigned to this
    # reviewer, not declined, conflict of interest attested.
    ids = SEAMS.reviewer_case_ids(user)
    return ids is not None and Case.objects.filter(pk=case.pk, pk__in=ids).exists()


@dataclass(frozen=True)
class MoveInput:
    """What the person making a move supplies. Each move names the fields it needs."""

    reason: str = ""
    outcome: str = ""
    review_unit: str = ""
    assignee: object = None
    referral_to: str = ""
    carried_out_date: date | None = None
    carry_out_by: date | None = None
    # Inputs a higher app's hook asks for (complaints.seams.MoveHook), e.g. the IMR organization.
    extra: dict = field(default_factory=dict, hash=False)


Guard = Callable[[Case, datetime], str | None]


def _always(case: Case, now: datetime) -> str | None:
    return None


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    guard: Guard = _always
    needs: tuple[str, ...] = ()
    needs_if_enrollee_wins: tuple[str, ...] = ()
    outcomes: frozenset[Outcome] = frozenset()
    starts: tuple[ClockName, ...] = ()
    starts_if_enrollee_won: tuple[ClockName, ...] = ()
    meets: tuple[ClockName, ...] = ()
    stops: tuple[ClockName, ...] = ()
    stops_all_running: bool = False
    letters: tuple[tuple[LetterKind, Recipient], ...] = ()
    unit_bound: bool = False
    help_text: str = field(default="", compare=False)

    def allows_role(self, roles: frozenset[Role], case: Case) -> bool:
        permitted = roles & self.roles
        if not permitted:
            return False
        if self.unit_bound and Role.SUPERVISOR not in permitted:
            # A clinical or legal reviewer decides only the complaints assigned to their unit.
            return Role(case.review_unit) in permitted if case.review_unit else False
        return True


# ------------------------------------------------------------------------------------------------
# Guards: each returns None when the move may go ahead, or a sentence saying why it may not.
# ------------------------------------------------------------------------------------------------
def grievance_waived(case: Case) -> bool:
    return case.urgent or case.denial_reason == DenialReason.EXPERIMENTAL


def grievance_complete(case: Case, now: datetime) -> bool:
    """The plan decided, or the grievance ran its 30 days (3 if urgent), or it is waived."""
    if grievance_waived(case) or case.plan_decided:
        return True
    if not case.grievance_filed or case.grievance_filed_date is None:
        return False
    started = datetime.combine(case.grievance_filed_date, datetime.min.time(), tzinfo=LOCAL_TZ)
    return now > due_at(ClockName.PLAN_GRIEVANCE, started, urgent=case.urgent)


def filed_in_time(case: Case) -> bool:
    """Within 6 months of the plan's written decision, or late with a reason staff accepted."""
    if case.late_filing_accepted:
        return True
    if case.plan_decision_date is None:
        return True
    started = datetime.combine(case.plan_decision_date, datetime.min.time(), tzinfo=LOCAL_TZ)
    return case.received_at <= due_at(ClockName.FILING_WINDOW, started)


def plan_is_regulated(case: Case) -> bool:
    return case.health_plan is not None and case.health_plan.regulated_by_dmhc


def _guard_not_regulated(case: Case, now: datetime) -> str | None:
    if plan_is_regulated(case):
        return "The plan is regulated by DMHC; the case stays with the Help Center."
    return None


def _guard_grievance_incomplete(case: Case, now: datetime) -> str | None:
    if grievance_complete(case, now):
        return "The plan grievance is complete or waived; the case can go ahead."
    return None


def _guard_can_ask_plan(case: Case, now: datetime) -> str | None:
    if not plan_is_regulated(case):
        return "The plan is not regulated by DMHC (or not listed): close the case and refer the enrollee."
    if not grievance_complete(case, now):
        return "The plan grievance is not complete and not waived: the enrollee must file with the plan first."
    return None


def _plan_response_settled(case: Case, now: datetime) -> str | None:
    if case.status == Status.RESPONSE_REQUESTED:
        clock = case.clocks.filter(name=ClockName.PLAN_RESPONSE).first()
        if clock is None or clock.due_at >= now:
            return "Wait for the plan's response, or until it is overdue."
    return None


def imr_ineligibility(case: Case) -> str | None:
    """Why the case cannot go to IMR, or None if it can."""
    if case.denial_reason not in IMR_ELIGIBLE_REASONS:
        return "Coverage and billing disputes are reviewed as Consumer Complaints, not by IMR."
    if case.state_fair_hearing:
        return "A Medi-Cal State Fair Hearing already decided the same issue."
    if not filed_in_time(case):
        return "Filed more than 6 months after the plan's decision, and no late reason has been accepted."
    return None


def _guard_triage_imr(case: Case, now: datetime) -> str | None:
    return _plan_response_settled(case, now) or imr_ineligibility(case)


def _guard_enrollee_won(case: Case, now: datetime) -> str | None:
    return None if case.enrollee_won else "Only a decision in the enrollee's favour is carried out by the plan."


def _guard_can_close(case: Case, now: datetime) -> str | None:
    if case.status == Status.DECISION_ISSUED and case.enrollee_won:
        return "The enrollee won: the plan must confirm it carried out the decision before the case closes."
    return None


# ------------------------------------------------------------------------------------------------
# The table
# ------------------------------------------------------------------------------------------------
S = Status
BEFORE_DECISION = frozenset(
    {
        S.FILED,
        S.ACKNOWLEDGED,
        S.RESPONSE_REQUESTED,
        S.RESPONSE_RECEIVED,
        S.TRIAGED_IMR,
        S.TRIAGED_COMPLAINT,
        S.IN_IMR_REVIEW,
        S.DETERMINATION_RECEIVED,
        S.IN_COMPLAINT_REVIEW,
    }
)
INTAKE_STAGES = frozenset({S.FILED, S.ACKNOWLEDGED})
INTAKE_STAFF = frozenset({Role.INTAKE, Role.SUPERVISOR})
REVIEW_STAFF = frozenset({Role.CLINICAL, Role.SUPERVISOR})
# The determination comes from the IMR organization's reviewer in the portal, or on paper, typed in
# by clinical staff or a supervisor (HSC 1374.33).
DETERMINATION_MAKERS = REVIEW_STAFF | {Role.REVIEWER}
ENROLLEE_AND_PLAN = (Recipient.ENROLLEE, Recipient.PLAN)


def _letters(kind: LetterKind, *recipients: Recipient) -> tuple[tuple[LetterKind, Recipient], ...]:
    return tuple((kind, recipient) for recipient in recipients)


MOVES_IN_ORDER = [
    Move(
        name="acknowledge",
        label="Acknowledge receipt",
        sources=frozenset({S.FILED}),
        target=S.ACKNOWLEDGED,
        roles=frozenset({Role.SYSTEM}) | INTAKE_STAFF,
        meets=(ClockName.ACKNOWLEDGEMENT,),
        letters=_letters(LetterKind.ACKNOWLEDGEMENT, Recipient.ENROLLEE),
    ),
    Move(
        name="refer_not_regulated",
        label="Close and refer: plan not regulated by DMHC",
        sources=INTAKE_STAGES,
        target=S.REFERRED,
        roles=INTAKE_STAFF,
        guard=_guard_not_regulated,
        needs=("reason", "referral_to"),
        stops_all_running=True,
        letters=_letters(LetterKind.CLOSURE, Recipient.ENROLLEE),
    ),
    Move(
        name="close_grievance_first",
        label="Close: file a grievance with the plan first",
        sources=INTAKE_STAGES,
        target=S.GRIEVANCE_FIRST,
        roles=INTAKE_STAFF,
        guard=_guard_grievance_incomplete,
        needs=("reason",),
        stops_all_running=True,
        letters=_letters(LetterKind.CLOSURE, Recipient.ENROLLEE),
    ),
    Move(
        name="request_plan_response",
        label="Ask the plan for its written response",
        sources=frozenset({S.ACKNOWLEDGED}),
        target=S.RESPONSE_REQUESTED,
        roles=INTAKE_STAFF,
        guard=_guard_can_ask_plan,
        starts=(ClockName.PLAN_RESPONSE,),
        letters=_letters(LetterKind.RESPONSE_REQUEST, Recipient.PLAN),
    ),
    Move(
        name="receive_plan_response",
        label="Plan response received",
        sources=frozenset({S.RESPONSE_REQUESTED}),
        target=S.RESPONSE_RECEIVED,
        roles=frozenset({Role.PLAN}) | INTAKE_STAFF,
        meets=(ClockName.PLAN_RESPONSE,),
    ),
    Move(
        name="triage_imr",
        label="Triage: Independent Medical Review",
        sources=frozenset({S.RESPONSE_REQUESTED, S.RESPONSE_RECEIVED}),
        target=S.TRIAGED_IMR,
        roles=INTAKE_STAFF,
        guard=_guard_triage_imr,
        needs=("reason",),
        meets=(ClockName.ELIGIBILITY_NOTICE,),
        starts=(ClockName.IMR_DECISION,),
        letters=_letters(LetterKind.IMR_ELIGIBILITY, *ENROLLEE_AND_PLAN),
    ),
    Move(
        name="triage_complaint",
        label="Triage: Consumer Complaint",
        sources=frozenset({S.RESPONSE_REQUESTED, S.RESPONSE_RECEIVED}),
        target=S.TRIAGED_COMPLAINT,
        roles=INTAKE_STAFF,
        guard=_plan_response_settled,
        needs=("reason",),
        meets=(ClockName.ELIGIBILITY_NOTICE,),
        starts=(ClockName.COMPLAINT_DECISION,),
        letters=_letters(LetterKind.COMPLAINT_CONVERSION, *ENROLLEE_AND_PLAN),
        help_text="An IMR request that does not qualify is reviewed as a complaint (HSC 1374.31(b)).",
    ),
    Move(
        name="convert_to_complaint",
        label="Does not qualify for IMR: review as a Consumer Complaint",
        sources=frozenset({S.TRIAGED_IMR, S.IN_IMR_REVIEW}),
        target=S.TRIAGED_COMPLAINT,
        roles=REVIEW_STAFF,
        needs=("reason",),
        stops=(ClockName.IMR_DECISION, ClockName.IMRO_DETERMINATION),
        starts=(ClockName.COMPLAINT_DECISION,),
        letters=_letters(LetterKind.COMPLAINT_CONVERSION, *ENROLLEE_AND_PLAN),
    ),
    Move(
        name="send_to_imr",
        label="Send the file to the IMR organization",
        sources=frozenset({S.TRIAGED_IMR}),
        target=S.IN_IMR_REVIEW,
        roles=REVIEW_STAFF | INTAKE_STAFF,
        starts=(ClockName.IMRO_DETERMINATION,),
        help_text="The organization's own clock starts when it receives the complete file (HSC 1374.33).",
    ),
    Move(
        name="record_determination",
        label="Record the IMR determination",
        sources=frozenset({S.IN_IMR_REVIEW}),
        target=S.DETERMINATION_RECEIVED,
        roles=DETERMINATION_MAKERS,
        needs=("outcome", "reason"),
        outcomes=frozenset({Outcome.OVERTURNED, Outcome.UPHELD}),
        meets=(ClockName.IMRO_DETERMINATION,),
    ),
    Move(
        name="issue_imr_decision",
        label="Issue the IMR decision letters",
        sources=frozenset({S.DETERMINATION_RECEIVED}),
        target=S.DECISION_ISSUED,
        roles=REVIEW_STAFF,
        meets=(ClockName.IMR_DECISION,),
        starts_if_enrollee_won=(ClockName.IMR_IMPLEMENTATION,),
        letters=_letters(LetterKind.IMR_DECISION, *ENROLLEE_AND_PLAN),
    ),
    Move(
        name="assign_review",
        label="Assign the complaint for review",
        sources=frozenset({S.TRIAGED_COMPLAINT}),
        target=S.IN_COMPLAINT_REVIEW,
        roles=INTAKE_STAFF,
        needs=("review_unit",),
    ),
    Move(
        name="decide_complaint",
        label="Decide the complaint and issue the letters",
        sources=frozenset({S.IN_COMPLAINT_REVIEW}),
        target=S.DECISION_ISSUED,
        roles=frozenset({Role.CLINICAL, Role.LEGAL, Role.SUPERVISOR}),
        unit_bound=True,
        needs=("outcome", "reason"),
        needs_if_enrollee_wins=("carry_out_by",),
        outcomes=frozenset({Outcome.IN_FAVOUR, Outcome.NOT_IN_FAVOUR}),
        meets=(ClockName.COMPLAINT_DECISION,),
        letters=_letters(LetterKind.COMPLAINT_DECISION, *ENROLLEE_AND_PLAN),
    ),
    Move(
        name="confirm_carried_out",
        label="Confirm the plan carried out the decision",
        sources=frozenset({S.DECISION_ISSUED}),
        target=S.CARRIED_OUT,
        roles=frozenset({Role.PLAN}) | INTAKE_STAFF,
        guard=_guard_enrollee_won,
        needs=("carried_out_date",),
        meets=(ClockName.IMR_IMPLEMENTATION,),
    ),
    Move(
        name="close",
        label="Close the case",
        sources=frozenset({S.DECISION_ISSUED, S.CARRIED_OUT}),
        target=S.CLOSED,
        roles=STAFF_ROLES,
        guard=_guard_can_close,
        stops_all_running=True,
    ),
    Move(
        name="withdraw",
        label="Withdraw the case",
        sources=BEFORE_DECISION,
        target=S.WITHDRAWN,
        roles=frozenset({Role.ENROLLEE}) | INTAKE_STAFF,
        needs=("reason",),
        stops_all_running=True,
        letters=_letters(LetterKind.CLOSURE, Recipient.ENROLLEE),
    ),
    Move(
        name="plan_reversed",
        label="The plan reversed its own decision",
        sources=BEFORE_DECISION,
        target=S.PLAN_REVERSED,
        roles=frozenset({Role.PLAN}) | INTAKE_STAFF,
        needs=("reason",),
        stops_all_running=True,
        letters=_letters(LetterKind.CLOSURE, Recipient.ENROLLEE),
    ),
]

MOVES: dict[str, Move] = {move.name: move for move in MOVES_IN_ORDER}

if len(MOVES) != len(MOVES_IN_ORDER):
    raise ImportError("Two moves in the workflow table share a name.")


def moves_available(case: Case, roles: frozenset[Role], now: datetime) -> list[Move]:
    """The moves these roles may make on the case now: status, role and guard all allow it."""
    return [
        move
        for move in MOVES_IN_ORDER
        if case.status in move.sources and move.allows_role(roles, case) and move.guard(case, now) is None
    ]
