"""Drive a case to a given status through the real services, as staff would."""

from datetime import date

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.models import Case, Outcome, ReviewUnit, Status
from complaints.services.moves import case_move
from complaints.tests.factories import file_case
from complaints.workflow import MOVES, MoveInput

# The inputs a person gives for each move, in the canonical happy path.
MOVE_INPUTS = {
    "acknowledge": MoveInput(),
    "refer_not_regulated": MoveInput(
        reason="The plan is not regulated by DMHC.", referral_to="U.S. Department of Labor"
    ),
    "close_grievance_first": MoveInput(reason="The plan has 30 days to decide the grievance."),
    "request_plan_response": MoveInput(),
    "receive_plan_response": MoveInput(),
    "triage_imr": MoveInput(reason="Medical necessity denial after a decided grievance."),
    "triage_complaint": MoveInput(reason="A billing dispute."),
    "convert_to_complaint": MoveInput(reason="The IMR organization found it does not qualify."),
    "send_to_imr": MoveInput(),
    "record_determination": MoveInput(outcome=Outcome.OVERTURNED, reason="The reviewers found the surgery necessary."),
    "issue_imr_decision": MoveInput(),
    "assign_review": MoveInput(review_unit=ReviewUnit.CLINICAL),
    "decide_complaint": MoveInput(
        outcome=Outcome.IN_FAVOUR, reason="The plan must pay the claim.", carry_out_by=date(2026, 12, 15)
    ),
    "confirm_carried_out": MoveInput(carried_out_date=date(2026, 11, 20)),
    "close": MoveInput(reason="Done."),
    "withdraw": MoveInput(reason="I no longer need help."),
    "plan_reversed": MoveInput(reason="The plan approved the surgery."),
}

# The moves that take a new case to each status: the IMR path, and the complaint branch.
IMR_PATH = [
    "acknowledge",
    "request_plan_response",
    "receive_plan_response",
    "triage_imr",
    "send_to_imr",
    "record_determination",
    "issue_imr_decision",
    "confirm_carried_out",
    "close",
]
COMPLAINT_PATH = [*IMR_PATH[:3], "triage_complaint", "assign_review"]
PATHS = {Status.FILED: []}
PATHS.update({MOVES[move].target: IMR_PATH[: i + 1] for i, move in enumerate(IMR_PATH)})
PATHS.update({MOVES[move].target: COMPLAINT_PATH[: i + 1] for i, move in enumerate(COMPLAINT_PATH) if i >= 3})


def supervisor():
    return StaffFactory(groups=[StaffGroup.SUPERVISOR])


def drive(case: Case, moves: list[str], actor=None) -> Case:
    actor = actor or supervisor()
    for move in moves:
        case.refresh_from_db()
        if move == "acknowledge" and case.status != Status.FILED:
            continue  # with real commits the worker already acknowledged it, as in production
        case = case_move(case=case, move=move, actor=actor, data=MOVE_INPUTS[move])
    return case


def case_at(status: Status, **filing) -> Case:
    """A new case, filed and moved by a supervisor until it reaches ``status``."""
    return drive(file_case(**filing), PATHS[status])
