"""Cases at the stages a plan acts on, and plan users signed in with their second factor."""

from datetime import date

import pytest

from accounts.tests.factories import HealthPlanFactory, PlanUserFactory
from complaints.models import Document, Letter, Outcome, Status
from complaints.services.documents import document_add
from complaints.services.letter_issue import letter_issue
from complaints.tests.drive import PATHS, drive, supervisor
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF, PNG
from complaints.workflow import MoveInput
from twofactor.testing import sign_in_verified


def enrollee_documents(case):
    """One document the member shared with the plan, and one kept from it."""
    shared = document_add(
        case=case, name="denial-letter.pdf", data=PDF, kind=Document.Kind.DENIAL_LETTER,
        source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE",
    )  # fmt: skip
    private = document_add(
        case=case, name="private-note.png", data=PNG, kind=Document.Kind.OTHER,
        source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE", shared_with_plan=False,
    )  # fmt: skip
    return shared, private


def issue_letters(case):
    """Render every letter the case's moves asked for (a worker does this after commit)."""
    for letter in Letter.objects.filter(case=case, state=Letter.State.PENDING).order_by("id"):
        letter_issue(letter_id=letter.id)


def complaint_decided_in_favour(**filing):
    """A Consumer Complaint decided for the member: the plan must carry it out by a date."""
    case = drive(file_case(**filing), PATHS[Status.IN_COMPLAINT_REVIEW])
    from complaints.services.moves import case_move

    return case_move(
        case=case,
        move="decide_complaint",
        actor=supervisor(),
        data=MoveInput(
            outcome=Outcome.IN_FAVOUR, reason="The plan must pay the claim.", carry_out_by=date(2026, 12, 15)
        ),
    )


@pytest.fixture
def plan():
    return HealthPlanFactory(name="Plan X Health")


@pytest.fixture
def other_plan():
    return HealthPlanFactory(name="Plan Y Health")


@pytest.fixture
def plan_user(plan):
    return PlanUserFactory(health_plan=plan, email="compliance@planx.example.test", full_name="Pat Compliance")


@pytest.fixture
def plan_client(client, plan_user):
    sign_in_verified(client, plan_user)
    return client


@pytest.fixture
def waiting_case(plan):
    """A case of the plan whose written response is requested."""
    case = drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])
    enrollee_documents(case)
    return case


@pytest.fixture
def overturned_case(plan):
    """An IMR the member won: the plan must carry it out within 5 business days."""
    return drive(file_case(health_plan_id=plan.id), PATHS[Status.DECISION_ISSUED])
