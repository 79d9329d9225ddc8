"""Every move of the workflow table against every kind of person: legal ones succeed, the rest
are refused with a domain error and change nothing."""

import pytest

from accounts.models import HealthPlan, StaffGroup
from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, ReviewerUserFactory, StaffFactory
from complaints.errors import MoveRefused, NotPermitted
from complaints.models import Case, CaseEvent, ReviewUnit, Status
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS, case_at
from complaints.workflow import MOVES

pytestmark = pytest.mark.django_db

# Written out by hand from the BRIEF, not read from the table: who may make each move. The
# independent reviewer assigned to the case (review app) may record the determination too; that
# part of the matrix is in review/tests/test_workflow_roles.py. Here "reviewer" is a reviewer
# account with no assignment: it may make no move at all.
EXPECTED_ACTORS = {
    "acknowledge": {"system", "intake", "supervisor"},
    "refer_not_regulated": {"intake", "supervisor"},
    "close_grievance_first": {"intake", "supervisor"},
    "request_plan_response": {"intake", "supervisor"},
    "receive_plan_response": {"plan_own", "intake", "supervisor"},
    "triage_imr": {"intake", "supervisor"},
    "triage_complaint": {"intake", "supervisor"},
    "convert_to_complaint": {"clinical", "supervisor"},
    "send_to_imr": {"intake", "clinical", "supervisor"},
    "record_determination": {"clinical", "supervisor"},
    "issue_imr_decision": {"clinical", "supervisor"},
    "assign_review": {"intake", "supervisor"},
    "decide_complaint": {"clinical", "supervisor"},  # the complaint is assigned to the clinical unit
    "confirm_carried_out": {"plan_own", "intake", "supervisor"},
    "close": {"intake", "clinical", "legal", "supervisor"},
    "withdraw": {"enrollee_own", "intake", "supervisor"},
    "plan_reversed": {"plan_own", "intake", "supervisor"},
}
ACTORS = [
    "system",
    "enrollee_own",
    "enrollee_other",
    "plan_own",
    "plan_other",
    "intake",
    "clinical",
    "legal",
    "supervisor",
    "reviewer",
]


def _unregulated_plan_id():
    return HealthPlan.objects.create(
        name="Self-funded employer plan", regulated_by_dmhc=False, regulator_name="U.S. Department of Labor"
    ).id


def _case_ready_for(move: str) -> Case:
    """A case in a status (and with facts) that lets ``move`` go ahead for a permitted person."""
    if move == "refer_not_regulated":
        return case_at(Status.FILED, health_plan_id=_unregulated_plan_id())
    if move == "close_grievance_first":
        return case_at(Status.FILED, plan_decided=False, plan_decision_date=None, grievance_filed_date=_recent())
    return case_at(
        {
            "acknowledge": Status.FILED,
            "request_plan_response": Status.ACKNOWLEDGED,
            "receive_plan_response": Status.RESPONSE_REQUESTED,
            "triage_imr": Status.RESPONSE_RECEIVED,
            "triage_complaint": Status.RESPONSE_RECEIVED,
            "convert_to_complaint": Status.TRIAGED_IMR,
            "send_to_imr": Status.TRIAGED_IMR,
            "record_determination": Status.IN_IMR_REVIEW,
            "issue_imr_decision": Status.DETERMINATION_RECEIVED,
            "assign_review": Status.TRIAGED_COMPLAINT,
            "decide_complaint": Status.IN_COMPLAINT_REVIEW,
            "confirm_carried_out": Status.DECISION_ISSUED,
            "close": Status.CARRIED_OUT,
            "withdraw": Status.ACKNOWLEDGED,
            "plan_reversed": Status.RESPONSE_REQUESTED,
        }[move]
    )


def _recent():
    from django.utils import timezone

    return timezone.localdate()


def _actor(kind: str, case: Case):
    if kind == "system":
        return None
    if kind == "enrollee_own":
        return case.filed_by
    if kind == "enrollee_other":
        return EnrolleeFactory()
    if kind == "plan_own":
        return PlanUserFactory(health_plan=case.health_plan)
    if kind == "plan_other":
        return PlanUserFactory()
    if kind == "reviewer":
        return ReviewerUserFactory()
    return StaffFactory(groups=[kind])


def test_every_move_of_the_table_is_covered_here():
    assert set(MOVES) == set(EXPECTED_ACTORS)


@pytest.mark.parametrize("actor_kind", ACTORS)
@pytest.mark.parametrize("move", sorted(EXPECTED_ACTORS))
def test_who_may_make_each_move(move, actor_kind):
    case = _case_ready_for(move)
    before_status, before_events = case.status, case.events.count()
    actor = _actor(actor_kind, case)
    if actor_kind in EXPECTED_ACTORS[move]:
        moved = case_move(case=case, move=move, actor=actor, data=MOVE_INPUTS[move])
        assert moved.status == MOVES[move].target
        event = moved.events.filter(kind=CaseEvent.Kind.MOVE, move=move).get()
        assert event.from_status == before_status
        assert event.actor == actor
    else:
        with pytest.raises(NotPermitted):
            case_move(case=case, move=move, actor=actor, data=MOVE_INPUTS[move])
        case.refresh_from_db()
        assert case.status == before_status
        assert case.events.count() == before_events


def test_a_legal_reviewer_cannot_decide_a_complaint_assigned_to_the_clinical_unit():
    case = case_at(Status.IN_COMPLAINT_REVIEW)
    assert case.review_unit == ReviewUnit.CLINICAL
    with pytest.raises(NotPermitted):
        case_move(
            case=case,
            move="decide_complaint",
            actor=StaffFactory(groups=[StaffGroup.LEGAL]),
            data=MOVE_INPUTS["decide_complaint"],
        )


@pytest.mark.parametrize("move", sorted(EXPECTED_ACTORS))
def test_no_move_is_possible_on_a_closed_case(move):
    case = case_at(Status.CLOSED)
    events = case.events.count()
    with pytest.raises(MoveRefused):
        case_move(case=case, move=move, actor=StaffFactory(groups=[StaffGroup.SUPERVISOR]), data=MOVE_INPUTS[move])
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.events.count() == events


def test_a_move_from_the_wrong_status_is_refused_and_says_why():
    case = case_at(Status.FILED)
    with pytest.raises(MoveRefused, match="not possible while the case is filed"):
        case_move(
            case=case,
            move="triage_imr",
            actor=StaffFactory(groups=[StaffGroup.SUPERVISOR]),
            data=MOVE_INPUTS["triage_imr"],
        )


@pytest.mark.parametrize(
    ("move", "status", "missing"),
    [
        ("triage_imr", Status.RESPONSE_RECEIVED, "reason"),
        ("record_determination", Status.IN_IMR_REVIEW, "outcome"),
        ("assign_review", Status.TRIAGED_COMPLAINT, "review_unit"),
        ("confirm_carried_out", Status.DECISION_ISSUED, "carried_out_date"),
        ("withdraw", Status.ACKNOWLEDGED, "reason"),
    ],
)
def test_a_move_without_what_it_needs_is_refused_field_by_field(move, status, missing):
    from dataclasses import replace

    case = case_at(status)
    data = replace(MOVE_INPUTS[move], **{missing: None if missing == "carried_out_date" else "  "})
    with pytest.raises(MoveRefused) as refused:
        case_move(case=case, move=move, actor=StaffFactory(groups=[StaffGroup.SUPERVISOR]), data=data)
    assert missing in refused.value.field_errors
    case.refresh_from_db()
    assert case.status == status


def test_an_outcome_from_the_other_track_is_refused():
    from complaints.workflow import MoveInput

    case = case_at(Status.IN_IMR_REVIEW)
    with pytest.raises(MoveRefused) as refused:
        case_move(
            case=case,
            move="record_determination",
            actor=StaffFactory(groups=[StaffGroup.CLINICAL]),
            data=MoveInput(outcome="IN_FAVOUR", reason="x"),
        )
    assert "outcome" in refused.value.field_errors


def test_an_unknown_move_is_refused():
    with pytest.raises(MoveRefused):
        case_move(case=case_at(Status.FILED), move="teleport", actor=None)


def test_an_inactive_staff_member_may_do_nothing():
    case = case_at(Status.FILED)
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR], is_active=False)
    with pytest.raises(NotPermitted):
        case_move(case=case, move="acknowledge", actor=staff)
