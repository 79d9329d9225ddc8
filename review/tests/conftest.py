"""A small world of review organizations for the page and access tests.

Organization A (Arden Review): a coordinator; Dr. Doe, assigned and attested on ``case_a`` (an
experimental treatment, two reviewers); Dr. Pending, assigned to ``case_a`` but not attested; Dr.
Colleague, attested on ``case_a2`` only. Organization B (Birch Review): its coordinator and Dr.
Birch, attested on ``case_b``. Each case has an enrollee document, a plan response with a document.
"""

from dataclasses import dataclass, field

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import HealthPlanFactory, PlanUserFactory, StaffFactory
from complaints.models import Case, DenialReason, Document
from complaints.services.documents import document_add
from complaints.services.plan_responses import plan_response_submit
from complaints.tests.samples import PDF
from review.models import Reviewer
from review.tests.factories import OrganizationFactory, assigned, attested, coordinator, reviewer, sent_case


@dataclass
class World:
    case_a: Case
    case_a2: Case
    case_b: Case
    people: dict
    documents: dict
    packets: dict = field(default_factory=dict)  # built on demand by the tests that need one


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = HealthPlanFactory(name="Review World Plan")
    plan_user = PlanUserFactory(health_plan=plan)
    org_a, org_b = OrganizationFactory(name="Arden Review"), OrganizationFactory(name="Birch Review")
    boss_a = coordinator(org_a, full_name="Cora Coordinator")
    boss_b = coordinator(org_b, full_name="Cole Coordinator")
    doe = reviewer(org_a, specialty="Oncology", full_name="Dana Doe")
    pending = reviewer(org_a, specialty="Oncology", full_name="Pat Pending")
    colleague = reviewer(org_a, full_name="Carl Colleague")
    birch = reviewer(org_b, full_name="Bea Birch")
    case_a = sent_case(
        org_a, health_plan_id=plan.id, denial_reason=DenialReason.EXPERIMENTAL, specialty_needed="Oncology"
    )
    case_a2 = sent_case(org_a, health_plan_id=plan.id)
    case_b = sent_case(org_b, health_plan_id=plan.id)
    attested(case_a, doe, boss_a)
    assigned(case_a, pending, boss_a)
    attested(case_a2, colleague, boss_a)
    attested(case_b, birch, boss_b)
    documents = {}
    for name, case in (("a", case_a), ("a2", case_a2), ("b", case_b)):
        documents[f"enrollee {name}"] = document_add(
            case=case, name=f"records-{name}.pdf", data=PDF, kind=Document.Kind.MEDICAL_RECORDS,
            source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE", shared_with_plan=False,
        )  # fmt: skip
        response = plan_response_submit(
            case=case, statement=f"Plan statement {name}: the drug is investigational for this cancer.",
            files=[(f"plan-criteria-{name}.pdf", PDF)], actor=plan_user,
        )  # fmt: skip
        documents[f"plan {name}"] = response.documents.get()
    people = {
        "coordinator A": boss_a.user,
        "coordinator B": boss_b.user,
        "reviewer": doe.user,
        "not attested": pending.user,
        "same organization": colleague.user,
        "other organization": birch.user,
        "plan user": plan_user,
        "enrollee": case_a.filed_by,
        "staff": StaffFactory(groups=[StaffGroup.SUPERVISOR]),
    }
    return World(case_a=case_a, case_a2=case_a2, case_b=case_b, people=people, documents=documents)


def profile(user) -> Reviewer:
    return Reviewer.objects.get(user=user)
