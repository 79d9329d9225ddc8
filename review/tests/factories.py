"""Organizations, reviewers and cases sent to them, built through the real services."""

import factory

from accounts.tests.factories import ReviewerUserFactory
from complaints.models import Case, Status
from complaints.services.moves import case_move
from complaints.tests.drive import case_at, supervisor
from complaints.workflow import MoveInput
from review.models import Assignment, Reviewer, ReviewOrganization
from review.services import assignment_make, attestation_sign

FINDINGS = {
    "outcome": "OVERTURNED",
    "part_granted": "",
    "reviewer_specialty": "Orthopedic surgery",
    "board_certification": "American Board of Orthopaedic Surgery, 2009",
    "question": "Is the knee replacement medically necessary for this enrollee's severe osteoarthritis?",
    "reasons": "Imaging shows bone-on-bone disease and six months of therapy and injections failed to help.",
    "evidence": "AAOS clinical practice guideline on knee osteoarthritis (2021); Skou et al., NEJM 2015.",
}


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewOrganization

    name = factory.Sequence(lambda n: f"Review Organization {n}")
    contact_name = "Casey Contact"
    contact_email = factory.Sequence(lambda n: f"contact{n}@iro.example.test")


def reviewer(organization, *, specialty: str = "Orthopedic surgery", coordinator: bool = False, reviews=True, **user):
    account = ReviewerUserFactory(**user)
    return Reviewer.objects.create(
        user=account, organization=organization, specialty=specialty if reviews else "",
        reviews_cases=reviews, is_coordinator=coordinator,
    )  # fmt: skip


def coordinator(organization, **user):
    return reviewer(organization, coordinator=True, reviews=False, **user)


def sent_case(organization, *, specialty_needed: str = "", actor=None, **filing) -> Case:
    """A case sent to ``organization`` by a supervisor (the move send_to_imr)."""
    case = case_at(Status.TRIAGED_IMR, **filing)
    return case_move(
        case=case,
        move="send_to_imr",
        actor=actor or supervisor(),
        data=MoveInput(extra={"organization": str(organization.pk), "specialty_needed": specialty_needed}),
    )


def assigned(case: Case, person: Reviewer, by: Reviewer | None = None) -> Assignment:
    by = by or coordinator(person.organization)
    return assignment_make(referral=case.imr_referral, reviewer=person, actor=by.user)


def attested(case: Case, person: Reviewer, by: Reviewer | None = None) -> Assignment:
    return attestation_sign(assignment=assigned(case, person, by), actor=person.user, confirmed=True)
