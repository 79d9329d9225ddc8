"""The review organization's services: sending, assigning, attesting or declining, the
determination's draft and submission, the majority rule, and every refusal changing nothing."""

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.clocks import ClockName
from complaints.errors import CaseError, MoveRefused, NotPermitted
from complaints.models import CaseEvent, DenialReason, Outcome, Status
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS
from complaints.workflow import MoveInput
from review.models import Assignment, Determination, Referral
from review.services import (
    MIN_FINDING_CHARS,
    assignment_make,
    attestation_decline,
    attestation_sign,
    case_outcome,
    determination_save_draft,
    determination_submit,
)
from review.tests.factories import (
    FINDINGS,
    OrganizationFactory,
    assigned,
    attested,
    coordinator,
    reviewer,
    sent_case,
)

pytestmark = pytest.mark.django_db


def _snapshot(case):
    case.refresh_from_db()
    return (
        case.status,
        case.outcome,
        case.outcome_reasons,
        case.events.count(),
        list(Determination.objects.order_by("id").values_list("id", "outcome", "reasons", "submitted_at")),
        list(Assignment.objects.order_by("id").values_list("id", "attested_at", "declined_at")),
    )


def test_sending_the_file_records_the_organization_and_starts_its_clock():
    org = OrganizationFactory(name="Maximus Federal")
    case = sent_case(org, specialty_needed="Oncology")
    referral = Referral.objects.get(case=case)
    assert (referral.organization, referral.specialty_needed, referral.reviewers_needed) == (org, "Oncology", 1)
    clock = case.clocks.get(name=ClockName.IMRO_DETERMINATION)
    assert clock.is_running
    assert not clock.urgent
    assert case.events.filter(kind=CaseEvent.Kind.REVIEW, summary__contains="Maximus Federal").exists()


def test_an_experimental_treatment_needs_two_reviewers():
    case = sent_case(OrganizationFactory(), denial_reason=DenialReason.EXPERIMENTAL)
    assert case.imr_referral.reviewers_needed == 2


def test_an_inactive_organization_is_refused_and_the_case_does_not_move():
    org = OrganizationFactory(is_active=False)
    from complaints.tests.drive import case_at, supervisor

    case = case_at(Status.TRIAGED_IMR)
    with pytest.raises(MoveRefused) as refused:
        case_move(
            case=case, move="send_to_imr", actor=supervisor(), data=MoveInput(extra={"organization": str(org.pk)})
        )
    assert "organization" in refused.value.field_errors
    case.refresh_from_db()
    assert case.status == Status.TRIAGED_IMR
    assert not Referral.objects.exists()


def test_only_the_organizations_coordinator_assigns_and_only_its_own_reviewers():
    org, other = OrganizationFactory(), OrganizationFactory()
    case = sent_case(org)
    doctor, outsider = reviewer(org), reviewer(other)
    with pytest.raises(NotPermitted):
        assignment_make(referral=case.imr_referral, reviewer=doctor, actor=coordinator(other).user)
    with pytest.raises(NotPermitted):
        assignment_make(referral=case.imr_referral, reviewer=doctor, actor=doctor.user)
    boss = coordinator(org)
    with pytest.raises(CaseError) as refused:
        assignment_make(referral=case.imr_referral, reviewer=outsider, actor=boss.user)
    assert "reviewer" in refused.value.field_errors
    assigned(case, doctor, boss)
    with pytest.raises(CaseError, match="already has the reviewers it needs"):
        assignment_make(referral=case.imr_referral, reviewer=reviewer(org), actor=boss.user)


def test_a_decline_goes_back_to_the_coordinator_who_assigns_someone_else():
    org = OrganizationFactory()
    case = sent_case(org)
    boss, first, second = coordinator(org), reviewer(org), reviewer(org)
    assignment = assigned(case, first, boss)
    with pytest.raises(CaseError) as empty:
        attestation_decline(assignment=assignment, actor=first.user, reason="  ")
    assert "reason" in empty.value.field_errors
    attestation_decline(assignment=assignment, actor=first.user, reason="I treated this patient in 2019.")
    assignment.refresh_from_db()
    assert assignment.declined_at is not None
    event = case.events.get(kind=CaseEvent.Kind.REVIEW, summary__startswith="Reviewer declined")
    assert event.reason == "I treated this patient in 2019."
    assert event.actor == first.user
    # The same reviewer is not asked again; another is.
    with pytest.raises(CaseError, match="already asked"):
        assignment_make(referral=case.imr_referral, reviewer=first, actor=boss.user)
    assigned(case, second, boss)
    # A decline cannot be turned into an attestation.
    with pytest.raises(CaseError, match="declined"):
        attestation_sign(assignment=assignment, actor=first.user, confirmed=True)


def test_the_attestation_is_kept_word_for_word_and_is_in_the_timeline():
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = assigned(case, doctor)
    with pytest.raises(CaseError) as unticked:
        attestation_sign(assignment=assignment, actor=doctor.user, confirmed=False)
    assert "confirm" in unticked.value.field_errors
    with pytest.raises(NotPermitted):
        attestation_sign(assignment=assignment, actor=reviewer(org).user, confirmed=True)
    attestation_sign(assignment=assignment, actor=doctor.user, confirmed=True)
    assignment.refresh_from_db()
    assert assignment.attestation_text == Assignment.ATTESTATION
    assert "maker of any drug, device or treatment" in assignment.attestation_text
    event = case.events.get(kind=CaseEvent.Kind.REVIEW, summary="Reviewer attested to no conflict of interest")
    assert event.actor == doctor.user
    assert event.actor_role == "REVIEWER"


def test_a_draft_is_kept_and_a_submission_records_the_determination_on_the_case():
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = attested(case, doctor)
    draft = determination_save_draft(assignment=assignment, actor=doctor.user, values={"question": "Is it needed?"})
    assert draft.submitted_at is None
    assert draft.question == "Is it needed?"
    determination_submit(assignment=assignment, actor=doctor.user, values=FINDINGS)
    case.refresh_from_db()
    assert case.status == Status.DETERMINATION_RECEIVED
    assert case.outcome == Outcome.OVERTURNED
    for text in (FINDINGS["question"], FINDINGS["reasons"], FINDINGS["evidence"], FINDINGS["board_certification"]):
        assert text in case.outcome_reasons
    move = case.events.get(kind=CaseEvent.Kind.MOVE, move="record_determination")
    assert move.actor == doctor.user
    assert move.actor_role == "REVIEWER"
    clock = case.clocks.get(name=ClockName.IMRO_DETERMINATION)
    assert clock.met_at is not None
    assert clock.met_on_time


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reasons", ""),
        ("reasons", "x" * 20),
        ("question", "Is it needed?"),
        ("evidence", "   " + "y" * (MIN_FINDING_CHARS - 1) + "   "),
        ("outcome", ""),
        ("board_certification", ""),
    ],
)
def test_an_empty_or_short_finding_is_refused_next_to_its_field_and_nothing_changes(field, value):
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = attested(case, doctor)
    before = _snapshot(case)
    with pytest.raises(CaseError) as refused:
        determination_submit(assignment=assignment, actor=doctor.user, values={**FINDINGS, field: value})
    assert list(refused.value.field_errors) == [field]
    assert _snapshot(case) == before


def test_overturned_in_part_names_the_part():
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = attested(case, doctor)
    values = {**FINDINGS, "outcome": "OVERTURNED_IN_PART"}
    with pytest.raises(CaseError) as refused:
        determination_submit(assignment=assignment, actor=doctor.user, values=values)
    assert list(refused.value.field_errors) == ["part_granted"]
    determination_submit(
        assignment=assignment, actor=doctor.user, values={**values, "part_granted": "The surgery, not the rehab stay."}
    )
    case.refresh_from_db()
    assert case.outcome == Outcome.OVERTURNED
    assert "Part the plan must provide: The surgery, not the rehab stay." in case.outcome_reasons


def test_a_second_submission_is_refused_and_changes_nothing():
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = attested(case, doctor)
    determination_submit(assignment=assignment, actor=doctor.user, values=FINDINGS)
    before = _snapshot(case)
    with pytest.raises(CaseError, match="cannot be changed"):
        determination_submit(assignment=assignment, actor=doctor.user, values={**FINDINGS, "outcome": "UPHELD"})
    with pytest.raises(CaseError, match="cannot be changed"):
        determination_save_draft(assignment=assignment, actor=doctor.user, values=FINDINGS)
    assert _snapshot(case) == before


@pytest.mark.parametrize("ending", ["withdraw", "plan_reversed"])
def test_a_determination_after_withdrawal_or_plan_reversal_is_refused(ending):
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = attested(case, doctor)
    case_move(case=case, move=ending, actor=StaffFactory(groups=[StaffGroup.INTAKE]), data=MOVE_INPUTS[ending])
    before = _snapshot(case)
    with pytest.raises(CaseError, match="no longer in independent review"):
        determination_submit(assignment=assignment, actor=doctor.user, values=FINDINGS)
    assert _snapshot(case) == before
    # Its clock stopped with the case.
    assert case.clocks.get(name=ClockName.IMRO_DETERMINATION).stopped_at is not None


def test_no_determination_before_the_attestation():
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = assigned(case, doctor)
    with pytest.raises(NotPermitted):
        determination_save_draft(assignment=assignment, actor=doctor.user, values=FINDINGS)
    with pytest.raises(NotPermitted):
        case_move(case=case, move="record_determination", actor=doctor.user, data=MOVE_INPUTS["record_determination"])


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("OVERTURNED", "OVERTURNED", Outcome.OVERTURNED),
        ("UPHELD", "UPHELD", Outcome.UPHELD),
        ("UPHELD", "OVERTURNED", Outcome.OVERTURNED),  # an even split favours the enrollee
        ("OVERTURNED_IN_PART", "UPHELD", Outcome.OVERTURNED),
    ],
)
def test_two_reviewers_the_case_waits_for_both_and_takes_the_majority_ties_to_the_enrollee(first, second, expected):
    org = OrganizationFactory()
    case = sent_case(org, denial_reason=DenialReason.EXPERIMENTAL)
    boss, one, two = coordinator(org), reviewer(org), reviewer(org, specialty="Oncology")
    a, b = attested(case, one, boss), attested(case, two, boss)
    part = {"part_granted": "The first cycle."} if first == "OVERTURNED_IN_PART" else {}
    determination_submit(assignment=a, actor=one.user, values={**FINDINGS, "outcome": first, **part})
    case.refresh_from_db()
    assert case.status == Status.IN_IMR_REVIEW  # one of two: the case waits
    determination_submit(assignment=b, actor=two.user, values={**FINDINGS, "outcome": second})
    case.refresh_from_db()
    assert case.status == Status.DETERMINATION_RECEIVED
    assert case.outcome == expected
    assert "Reviewer 1:" in case.outcome_reasons
    assert "Reviewer 2:" in case.outcome_reasons


def test_the_majority_of_three():
    upheld, overturned = Determination(outcome="UPHELD"), Determination(outcome="OVERTURNED")
    assert case_outcome([upheld, upheld, overturned]) == Outcome.UPHELD
    assert case_outcome([upheld, overturned, overturned]) == Outcome.OVERTURNED


def test_a_reviewer_never_issues_the_decision_nor_acts_on_a_case_not_theirs():
    org = OrganizationFactory()
    case = sent_case(org)
    doctor, colleague = reviewer(org), reviewer(org)
    assignment = attested(case, doctor)
    with pytest.raises(NotPermitted):
        determination_submit(assignment=assignment, actor=colleague.user, values=FINDINGS)
    determination_submit(assignment=assignment, actor=doctor.user, values=FINDINGS)
    for move in ("issue_imr_decision", "close", "withdraw", "convert_to_complaint"):
        with pytest.raises((NotPermitted, MoveRefused)):
            case_move(case=case, move=move, actor=doctor.user, data=MOVE_INPUTS[move])
    case.refresh_from_db()
    assert case.status == Status.DETERMINATION_RECEIVED


def test_staff_can_still_record_a_paper_determination_and_the_reviewer_is_then_refused():
    org = OrganizationFactory()
    case = sent_case(org)
    doctor = reviewer(org)
    assignment = attested(case, doctor)
    case_move(
        case=case,
        move="record_determination",
        actor=StaffFactory(groups=[StaffGroup.CLINICAL]),
        data=MOVE_INPUTS["record_determination"],
    )
    with pytest.raises(CaseError, match="no longer in independent review"):
        determination_submit(assignment=assignment, actor=doctor.user, values=FINDINGS)
