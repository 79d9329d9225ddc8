"""Each path of the BRIEF's process, end to end through the services alone, with its timeline."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import HealthPlan, StaffGroup
from accounts.tests.factories import PlanUserFactory, StaffFactory
from complaints.clocks import LOCAL_TZ, ClockName
from complaints.errors import MoveRefused
from complaints.models import Channel, DenialReason, Outcome, ReviewUnit, Status, Track
from complaints.services.moves import case_move
from complaints.tests.drive import IMR_PATH, MOVE_INPUTS, case_at, drive
from complaints.tests.factories import file_case
from complaints.workflow import MoveInput

pytestmark = pytest.mark.django_db


def _moves(case):
    return list(case.events.filter(kind="MOVE").order_by("occurred_at", "id").values_list("move", flat=True))


def _letters(case):
    return sorted(case.letters.values_list("kind", "recipient"))


def _clock(case, name):
    return case.clocks.get(name=name)


def test_imr_overturned_carried_out_and_closed():
    case = drive(file_case(), IMR_PATH)
    assert case.status == Status.CLOSED
    assert case.track == Track.IMR
    assert case.outcome == Outcome.OVERTURNED
    assert case.enrollee_won
    assert _moves(case) == IMR_PATH
    assert _letters(case) == sorted(
        [
            ("ACKNOWLEDGEMENT", "ENROLLEE"),
            ("RESPONSE_REQUEST", "PLAN"),
            ("IMR_ELIGIBILITY", "ENROLLEE"),
            ("IMR_ELIGIBILITY", "PLAN"),
            ("IMR_DECISION", "ENROLLEE"),
            ("IMR_DECISION", "PLAN"),
        ]
    )
    for name in (
        ClockName.ACKNOWLEDGEMENT,
        ClockName.ELIGIBILITY_NOTICE,
        ClockName.PLAN_RESPONSE,
        ClockName.IMR_DECISION,
        ClockName.IMR_IMPLEMENTATION,
    ):
        assert _clock(case, name).met_at is not None, name
    assert not case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True).exists()
    first, last = case.events.order_by("occurred_at", "id").first(), case.events.order_by("occurred_at", "id").last()
    assert first.kind == "FILED"
    assert first.summary.startswith("Filed online; case number HC-")
    assert last.to_status == Status.CLOSED


def test_imr_upheld_closes_without_anything_to_carry_out():
    case = case_at(Status.IN_IMR_REVIEW)
    clinical = StaffFactory(groups=[StaffGroup.CLINICAL])
    case = case_move(
        case=case,
        move="record_determination",
        actor=clinical,
        data=MoveInput(outcome=Outcome.UPHELD, reason="Not medically necessary."),
    )
    case = case_move(case=case, move="issue_imr_decision", actor=clinical)
    assert not case.clocks.filter(name=ClockName.IMR_IMPLEMENTATION).exists()
    with pytest.raises(MoveRefused, match="Only a decision in the enrollee's favour"):
        case_move(
            case=case,
            move="confirm_carried_out",
            actor=StaffFactory(groups=[StaffGroup.INTAKE]),
            data=MOVE_INPUTS["confirm_carried_out"],
        )
    case = case_move(case=case, move="close", actor=clinical)
    assert case.status == Status.CLOSED
    assert not case.enrollee_won


def test_a_won_case_cannot_close_before_the_plan_carries_it_out():
    case = case_at(Status.DECISION_ISSUED)
    with pytest.raises(MoveRefused, match="carried out"):
        case_move(case=case, move="close", actor=StaffFactory(groups=[StaffGroup.SUPERVISOR]))


def test_a_billing_dispute_is_a_consumer_complaint_decided_by_legal_and_carried_out_by_the_plan():
    case = case_at(
        Status.RESPONSE_RECEIVED, denial_reason=DenialReason.COVERAGE_BILLING, treatment_in_dispute="Bill of $1,200"
    )
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    with pytest.raises(MoveRefused, match="Coverage and billing disputes"):
        case_move(case=case, move="triage_imr", actor=intake, data=MOVE_INPUTS["triage_imr"])
    case = case_move(case=case, move="triage_complaint", actor=intake, data=MOVE_INPUTS["triage_complaint"])
    assert case.track == Track.COMPLAINT
    assert case.converted_from_imr is False
    assert _clock(case, ClockName.COMPLAINT_DECISION).started_at == case.received_at
    case = case_move(case=case, move="assign_review", actor=intake, data=MoveInput(review_unit=ReviewUnit.LEGAL))
    legal = StaffFactory(groups=[StaffGroup.LEGAL])
    case = case_move(case=case, move="decide_complaint", actor=legal, data=MOVE_INPUTS["decide_complaint"])
    assert case.status == Status.DECISION_ISSUED
    assert _clock(case, ClockName.COMPLAINT_DECISION).met_at is not None
    plan_user = PlanUserFactory(health_plan=case.health_plan)
    case = case_move(
        case=case, move="confirm_carried_out", actor=plan_user, data=MoveInput(carried_out_date=date(2026, 11, 20))
    )
    case = case_move(case=case, move="close", actor=legal)
    assert case.status == Status.CLOSED
    assert ("COMPLAINT_DECISION", "PLAN") in _letters(case)


def test_an_imr_request_filed_too_late_is_reviewed_as_a_complaint_never_just_closed():
    received = timezone.now()
    decided = (received - timedelta(days=250)).date()
    case = case_at(Status.RESPONSE_RECEIVED, plan_decision_date=decided, grievance_filed_date=decided - timedelta(20))
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    with pytest.raises(MoveRefused, match="more than 6 months"):
        case_move(case=case, move="triage_imr", actor=intake, data=MOVE_INPUTS["triage_imr"])
    case = case_move(
        case=case, move="triage_complaint", actor=intake, data=MoveInput(reason="Filed 8 months after the decision.")
    )
    assert case.converted_from_imr is True
    assert ("COMPLAINT_CONVERSION", "ENROLLEE") in _letters(case)
    assert ("COMPLAINT_CONVERSION", "PLAN") in _letters(case)


def test_a_late_filing_with_an_accepted_reason_can_go_to_imr():
    decided = (timezone.now() - timedelta(days=250)).date()
    case = case_at(
        Status.RESPONSE_RECEIVED,
        plan_decision_date=decided,
        grievance_filed_date=decided - timedelta(20),
        late_filing_reason="I was in hospital for two months.",
    )
    from complaints.models import Case

    # Staff accepting the reason is recorded on the case (the admin issue adds its screen).
    Case.objects.filter(pk=case.pk).update(late_filing_accepted=True)
    case.refresh_from_db()
    case = case_move(
        case=case, move="triage_imr", actor=StaffFactory(groups=[StaffGroup.INTAKE]), data=MOVE_INPUTS["triage_imr"]
    )
    assert case.status == Status.TRIAGED_IMR


def test_the_imr_organization_finds_it_does_not_qualify_and_it_becomes_a_complaint():
    case = case_at(Status.IN_IMR_REVIEW)
    clinical = StaffFactory(groups=[StaffGroup.CLINICAL])
    case = case_move(case=case, move="convert_to_complaint", actor=clinical, data=MOVE_INPUTS["convert_to_complaint"])
    assert case.status == Status.TRIAGED_COMPLAINT
    assert case.track == Track.COMPLAINT
    assert case.converted_from_imr
    assert _clock(case, ClockName.IMR_DECISION).stopped_at is not None
    assert _clock(case, ClockName.COMPLAINT_DECISION).is_running


def test_a_plan_not_regulated_by_dmhc_is_closed_and_referred():
    plan = HealthPlan.objects.create(
        name="Health insurance policy", regulated_by_dmhc=False, regulator_name="California Department of Insurance"
    )
    case = case_at(Status.ACKNOWLEDGED, health_plan_id=plan.id)
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    with pytest.raises(MoveRefused, match="not regulated"):
        case_move(case=case, move="request_plan_response", actor=intake)
    case = case_move(
        case=case,
        move="refer_not_regulated",
        actor=intake,
        data=MoveInput(reason="Insurance policy.", referral_to=plan.regulator_name),
    )
    assert case.status == Status.REFERRED
    assert case.referral_to == "California Department of Insurance"
    assert case.closed_at is not None
    assert not case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True).exists()
    assert _letters(case) == [("ACKNOWLEDGEMENT", "ENROLLEE"), ("CLOSURE", "ENROLLEE")]


def test_a_regulated_plan_cannot_be_referred_away():
    case = case_at(Status.ACKNOWLEDGED)
    with pytest.raises(MoveRefused, match="regulated by DMHC"):
        case_move(
            case=case,
            move="refer_not_regulated",
            actor=StaffFactory(groups=[StaffGroup.INTAKE]),
            data=MOVE_INPUTS["refer_not_regulated"],
        )


def test_grievance_not_finished_closes_and_the_enrollee_may_come_back_later():
    filed = timezone.localdate() - timedelta(days=10)
    case = case_at(Status.ACKNOWLEDGED, plan_decided=False, plan_decision_date=None, grievance_filed_date=filed)
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    with pytest.raises(MoveRefused, match="grievance"):
        case_move(case=case, move="request_plan_response", actor=intake)
    case = case_move(case=case, move="close_grievance_first", actor=intake, data=MOVE_INPUTS["close_grievance_first"])
    assert case.status == Status.GRIEVANCE_FIRST


def test_after_30_days_without_a_plan_decision_the_grievance_counts_as_complete():
    filed = timezone.localdate() - timedelta(days=45)
    case = case_at(Status.ACKNOWLEDGED, plan_decided=False, plan_decision_date=None, grievance_filed_date=filed)
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    with pytest.raises(MoveRefused):
        case_move(case=case, move="close_grievance_first", actor=intake, data=MOVE_INPUTS["close_grievance_first"])
    assert case_move(case=case, move="request_plan_response", actor=intake).status == Status.RESPONSE_REQUESTED


def test_an_urgent_case_skips_the_grievance_and_runs_on_urgent_clocks():
    with time_machine.travel("2026-11-16 10:00 -08:00", tick=False):
        case = case_at(
            Status.RESPONSE_REQUESTED,
            urgent=True,
            urgent_reason="Surgery scheduled next week.",
            grievance_filed=False,
            grievance_filed_date=None,
            plan_decided=False,
            plan_decision_date=None,
        )
        eligibility = _clock(case, ClockName.ELIGIBILITY_NOTICE)
        assert eligibility.due_at - eligibility.started_at == timedelta(hours=48)
        response = _clock(case, ClockName.PLAN_RESPONSE)
        assert response.due_at - response.started_at == timedelta(hours=24)
    # The plan is late: a day later staff may triage without its response.
    with time_machine.travel("2026-11-17 11:00 -08:00", tick=False):
        case = case_move(
            case=case, move="triage_imr", actor=StaffFactory(groups=[StaffGroup.INTAKE]), data=MOVE_INPUTS["triage_imr"]
        )
        decision = _clock(case, ClockName.IMR_DECISION)
        assert decision.urgent
        assert decision.due_at.astimezone(LOCAL_TZ).isoformat() == "2026-11-24T23:59:59-08:00"


def test_triage_waits_for_the_plan_until_its_response_is_overdue():
    case = case_at(Status.RESPONSE_REQUESTED)
    with pytest.raises(MoveRefused, match="Wait for the plan"):
        case_move(
            case=case,
            move="triage_complaint",
            actor=StaffFactory(groups=[StaffGroup.INTAKE]),
            data=MOVE_INPUTS["triage_complaint"],
        )


def test_the_enrollee_withdraws_and_every_clock_stops():
    case = case_at(Status.RESPONSE_REQUESTED)
    case = case_move(case=case, move="withdraw", actor=case.filed_by, data=MOVE_INPUTS["withdraw"])
    assert case.status == Status.WITHDRAWN
    assert not case.clocks.filter(met_at__isnull=True, stopped_at__isnull=True).exists()
    event = case.events.get(move="withdraw")
    assert event.actor_role == "ENROLLEE"
    assert event.reason == "I no longer need help."


def test_the_plan_reverses_itself_and_the_enrollee_wins():
    case = case_at(Status.TRIAGED_IMR)
    plan_user = PlanUserFactory(health_plan=case.health_plan)
    case = case_move(case=case, move="plan_reversed", actor=plan_user, data=MOVE_INPUTS["plan_reversed"])
    assert case.status == Status.PLAN_REVERSED
    assert case.outcome == Outcome.PLAN_REVERSED
    assert case.enrollee_won
    assert case.events.get(move="plan_reversed").actor_role == "PLAN"


def test_staff_enter_a_case_that_came_by_phone():
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    case = file_case(channel=Channel.PHONE, actor=intake)
    assert case.filed_by is None
    event = case.events.get(kind="FILED")
    assert event.summary.startswith("Entered by staff from a phone call")
    assert event.actor == intake
