"""The reviewer's row of the workflow's role x move matrix (complaints/tests/test_workflow_roles.py
has every other kind of person): an assigned, attested reviewer may record the determination and
nothing else; the same reviewer before attesting, or one assigned elsewhere, may make no move."""

import pytest

from complaints.errors import NotPermitted
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS
from complaints.tests.test_workflow_roles import EXPECTED_ACTORS, _case_ready_for
from complaints.workflow import MOVES
from review.models import Assignment, Referral
from review.tests.factories import OrganizationFactory, coordinator, reviewer

pytestmark = pytest.mark.django_db

REVIEWER_MAY = {"record_determination"}


def _reviewer_on(case, *, attested: bool):
    """A reviewer with an assignment row on ``case`` (made directly: most of these statuses come
    before or after the organization has the file, and the matrix asks about every move)."""
    org = OrganizationFactory()
    person = reviewer(org)
    referral = Referral.objects.filter(case=case).first() or Referral.objects.create(
        case=case, organization=org, sent_at=case.received_at, sent_by=coordinator(org).user
    )
    Assignment.objects.create(
        referral=referral,
        reviewer=person,
        assigned_at=case.received_at,
        assigned_by=person.user,
        attested_at=case.received_at if attested else None,
        attestation_text=Assignment.ATTESTATION if attested else "",
    )
    return person.user


def test_the_table_says_the_same():
    assert {name for name, move in MOVES.items() if "REVIEWER" in move.roles} == REVIEWER_MAY


@pytest.mark.parametrize("state", ["attested", "not attested", "assigned elsewhere"])
@pytest.mark.parametrize("move", sorted(EXPECTED_ACTORS))
def test_what_a_reviewer_may_do(move, state):
    case = _case_ready_for(move)
    if state == "assigned elsewhere":
        actor = _reviewer_on(_case_ready_for("record_determination"), attested=True)
    else:
        actor = _reviewer_on(case, attested=state == "attested")
    before = (case.status, case.events.count())
    if move in REVIEWER_MAY and state == "attested":
        moved = case_move(case=case, move=move, actor=actor, data=MOVE_INPUTS[move])
        assert moved.status == MOVES[move].target
        assert moved.events.get(move=move).actor_role == "REVIEWER"
        return
    with pytest.raises(NotPermitted):
        case_move(case=case, move=move, actor=actor, data=MOVE_INPUTS[move])
    case.refresh_from_db()
    assert (case.status, case.events.count()) == before
