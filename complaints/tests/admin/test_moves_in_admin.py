"""Every move of the workflow table, made from the case page in the admin; what each form asks
for; errors next to their fields; and a second submit that makes no second move."""

from datetime import date

import pytest
import time_machine

from accounts.models import HealthPlan
from accounts.tests.factories import HealthPlanFactory
from complaints.models import CaseEvent, Outcome, ReviewUnit, Status
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS, case_at, drive
from complaints.tests.factories import file_case
from complaints.workflow import MOVES, MoveInput

from .conftest import signed_in
from .support import ENTRY_URL, case_url, entry_post, errors_next_to, form_names, move_url, offered_moves, page_text

pytestmark = pytest.mark.django_db


def unregulated_case():
    plan = HealthPlan.objects.create(
        name="Self-funded employer plan", regulated_by_dmhc=False, regulator_name="U.S. Department of Labor"
    )
    return file_case(health_plan_id=plan.id)


def grievance_not_filed_case():
    return file_case(grievance_filed=False, grievance_filed_date=None, plan_decided=False, plan_decision_date=None)


# For each move: a case where the move is open to a supervisor now.
SETUPS = {
    "acknowledge": lambda: case_at(Status.FILED),
    "refer_not_regulated": unregulated_case,
    "close_grievance_first": grievance_not_filed_case,
    "request_plan_response": lambda: case_at(Status.ACKNOWLEDGED),
    "receive_plan_response": lambda: case_at(Status.RESPONSE_REQUESTED),
    "triage_imr": lambda: case_at(Status.RESPONSE_RECEIVED),
    "triage_complaint": lambda: case_at(Status.RESPONSE_RECEIVED),
    "convert_to_complaint": lambda: case_at(Status.TRIAGED_IMR),
    "send_to_imr": lambda: case_at(Status.TRIAGED_IMR),
    "record_determination": lambda: case_at(Status.IN_IMR_REVIEW),
    "issue_imr_decision": lambda: case_at(Status.DETERMINATION_RECEIVED),
    "assign_review": lambda: case_at(Status.TRIAGED_COMPLAINT, denial_reason="COVERAGE_BILLING"),
    "decide_complaint": lambda: case_at(Status.IN_COMPLAINT_REVIEW, denial_reason="COVERAGE_BILLING"),
    "confirm_carried_out": lambda: case_at(Status.DECISION_ISSUED),
    "close": lambda: case_at(Status.CARRIED_OUT),
    "withdraw": lambda: case_at(Status.ACKNOWLEDGED),
    "plan_reversed": lambda: case_at(Status.RESPONSE_RECEIVED),
}

# What each move's form asks for (the table's needs, and the optional inputs the move records).
EXPECTED_FIELDS = {
    "acknowledge": [],
    "refer_not_regulated": ["reason", "referral_to"],
    "close_grievance_first": ["reason"],
    "request_plan_response": [],
    "receive_plan_response": [],
    "triage_imr": ["reason"],
    "triage_complaint": ["reason"],
    "convert_to_complaint": ["reason"],
    "send_to_imr": ["organization", "specialty_needed"],
    "record_determination": ["outcome", "reason"],
    "issue_imr_decision": [],
    "assign_review": ["review_unit", "assignee"],
    "decide_complaint": ["outcome", "reason", "carry_out_by"],
    "confirm_carried_out": ["carried_out_date"],
    "close": ["reason"],
    "withdraw": ["reason"],
    "plan_reversed": ["reason"],
}


def post_data(move: str, data: MoveInput | None = None) -> dict:
    data = data or MOVE_INPUTS[move]
    values = {}
    for name in ("reason", "outcome", "review_unit", "referral_to", "carried_out_date", "carry_out_by"):
        value = getattr(data, name)
        if value not in (None, ""):
            values[f"{move}-{name}"] = value.isoformat() if isinstance(value, date) else str(value)
    if data.assignee is not None:
        values[f"{move}-assignee"] = str(data.assignee.pk)
    if move == "send_to_imr":
        # Staff choose where the file goes; "paper" is the organization outside the portal.
        values[f"{move}-organization"] = "paper"
    return values


def test_every_move_of_the_table_has_a_setup_here():
    assert set(SETUPS) == set(MOVES)


@pytest.mark.parametrize("move", list(MOVES))
def test_each_move_is_offered_with_what_it_needs_and_made_from_the_admin(move, supervisor):
    case = SETUPS[move]()
    client = signed_in(supervisor)
    page = client.get(case_url(case))
    assert move in offered_moves(page)
    assert form_names(page, move) == [f"{move}-{name}" for name in EXPECTED_FIELDS[move]]

    response = client.post(move_url(case, move), post_data(move), follow=True)

    case.refresh_from_db()
    assert case.status == MOVES[move].target
    assert f"“{MOVES[move].label}” done." in page_text(response)
    event = case.events.filter(kind=CaseEvent.Kind.MOVE).latest("id")
    assert (event.move, event.actor) == (move, supervisor)
    # Back on the case page, with its clocks.
    assert response.redirect_chain[-1][0] == case_url(case)
    assert "Clocks" in page_text(response)


def test_a_missing_reason_is_shown_next_to_its_field_and_nothing_moves(supervisor):
    case = case_at(Status.RESPONSE_RECEIVED)
    response = signed_in(supervisor).post(move_url(case, "triage_imr"), {"triage_imr-reason": "  "})
    assert response.status_code == 400
    text = page_text(response)
    assert "This step was not done" in text
    assert errors_next_to(response, "triage_imr-reason") == "This field is required."
    case.refresh_from_db()
    assert case.status == Status.RESPONSE_RECEIVED


def test_the_services_own_errors_land_next_to_their_fields(supervisor):
    # A decision for the enrollee needs the date the plan must act by: the table's rule, not the form's.
    case = case_at(Status.IN_COMPLAINT_REVIEW, denial_reason="COVERAGE_BILLING")
    response = signed_in(supervisor).post(
        move_url(case, "decide_complaint"),
        {"decide_complaint-outcome": Outcome.IN_FAVOUR, "decide_complaint-reason": "The plan must pay."},
    )
    assert response.status_code == 400
    assert errors_next_to(response, "decide_complaint-carry_out_by") == "This is needed for this step."
    case.refresh_from_db()
    assert case.status == Status.IN_COMPLAINT_REVIEW


def test_an_outcome_from_another_move_is_refused(supervisor):
    case = case_at(Status.IN_IMR_REVIEW)
    response = signed_in(supervisor).post(
        move_url(case, "record_determination"),
        {"record_determination-outcome": Outcome.IN_FAVOUR, "record_determination-reason": "Findings."},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in page_text(response)
    case.refresh_from_db()
    assert case.status == Status.IN_IMR_REVIEW


def test_the_assignee_must_belong_to_the_chosen_unit(supervisor, clinical, legal):
    case = case_at(Status.TRIAGED_COMPLAINT, denial_reason="COVERAGE_BILLING")
    client = signed_in(supervisor)
    page = client.get(case_url(case))
    # Only clinical and legal staff are offered, each with their unit.
    assert "Cleo Clinical (Clinical)" in page_text(page)
    assert "Leo Legal (Legal)" in page_text(page)
    assert "Sam Supervisor (" not in page_text(page)
    wrong = client.post(
        move_url(case, "assign_review"),
        {"assign_review-review_unit": ReviewUnit.LEGAL, "assign_review-assignee": str(clinical.pk)},
    )
    assert wrong.status_code == 400
    assert errors_next_to(wrong, "assign_review-assignee") == "Cleo Clinical is not in the legal unit."
    right = client.post(
        move_url(case, "assign_review"),
        {"assign_review-review_unit": ReviewUnit.LEGAL, "assign_review-assignee": str(legal.pk)},
    )
    assert right.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.review_unit, case.assigned_to) == (Status.IN_COMPLAINT_REVIEW, "LEGAL", legal)


def test_a_second_submit_makes_no_second_move_and_says_so(supervisor):
    case = case_at(Status.RESPONSE_RECEIVED)
    client = signed_in(supervisor)
    data = post_data("triage_complaint")
    client.post(move_url(case, "triage_complaint"), data)
    again = client.post(move_url(case, "triage_complaint"), data, follow=True)
    assert again.status_code == 200
    assert "“Triage: Consumer Complaint” was not done" in page_text(again)
    assert "not possible while the case is consumer complaint" in page_text(again)
    assert case.events.filter(move="triage_complaint").count() == 1


def test_a_rule_that_holds_a_move_back_is_explained_not_offered(supervisor):
    # Coverage disputes never go to IMR: triage to IMR is held back, with the reason.
    case = case_at(Status.RESPONSE_RECEIVED, denial_reason="COVERAGE_BILLING")
    page = signed_in(supervisor).get(case_url(case))
    assert "triage_imr" not in offered_moves(page)
    assert "triage_complaint" in offered_moves(page)
    assert (
        "Triage: Independent Medical Review: Coverage and billing disputes are reviewed as Consumer Complaints"
        in page_text(page)
    )
    # And forcing it anyway is refused by the table, shown as a message.
    forced = signed_in(supervisor).post(move_url(case, "triage_imr"), post_data("triage_imr"), follow=True)
    assert "was not done: Coverage and billing disputes" in page_text(forced)
    case.refresh_from_db()
    assert case.status == Status.RESPONSE_RECEIVED


def test_the_referral_is_prefilled_with_the_plans_regulator(supervisor):
    case = unregulated_case()
    page = signed_in(supervisor).get(case_url(case))
    assert 'value="U.S. Department of Labor"' in page.content.decode()


def test_an_unknown_move_is_not_found(supervisor):
    case = case_at(Status.FILED)
    assert signed_in(supervisor).post(move_url(case, "teleport"), {}).status_code == 404


def test_a_supervisor_takes_a_new_case_to_a_decision_and_closure_entirely_in_the_admin(supervisor):
    client = signed_in(supervisor)
    plan = HealthPlanFactory(name="Blue Shield of California")
    with time_machine.travel("2026-11-02 09:00 -08:00", tick=False):
        entry = client.get(ENTRY_URL)
        token = entry.context["entry_token"]
        created = client.post(ENTRY_URL, entry_post(token=token, plan=plan), follow=True)
    case = created.context["case"]
    assert case.channel == "PHONE"
    steps = [
        ("acknowledge", {}),
        ("request_plan_response", {}),
        ("receive_plan_response", {}),
        ("triage_imr", post_data("triage_imr")),
        ("send_to_imr", post_data("send_to_imr")),
        ("record_determination", post_data("record_determination")),
        ("issue_imr_decision", {}),
        ("confirm_carried_out", post_data("confirm_carried_out", MoveInput(carried_out_date=date(2026, 11, 20)))),
        ("close", {"close-reason": "The plan approved the surgery and it is scheduled."}),
    ]
    with time_machine.travel("2026-11-03 10:00 -08:00", tick=True):
        for move, data in steps:
            page = client.get(case_url(case))
            assert move in offered_moves(page), move
            text = page_text(page)
            # The clocks are on the page at every step: one still running, or all settled.
            assert "left" in text or "OVERDUE" in text or "Met on time" in text, move
            moved = client.post(move_url(case, move), data, follow=True)
            assert f"“{MOVES[move].label}” done." in page_text(moved), move
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.outcome == Outcome.OVERTURNED
    assert case.closure_reason == "The plan approved the surgery and it is scheduled."
    with time_machine.travel("2026-11-04 10:00 -08:00", tick=False):
        text = page_text(client.get(case_url(case)))
    assert "Entered by staff from a phone call" in text
    assert "IMR decision clock met on time" in text
    assert "No step of the workflow is open to you on this case now." in text


def test_moves_made_elsewhere_show_on_the_page_and_leave_no_stale_button(supervisor, intake):
    case = case_at(Status.RESPONSE_RECEIVED)
    case_move(case=case, move="triage_complaint", actor=intake, data=MOVE_INPUTS["triage_complaint"])
    page = signed_in(supervisor).get(case_url(case))
    assert "triage_complaint" not in offered_moves(page)
    assert "assign_review" in offered_moves(page)
    assert "Ines Intake (intake) A billing dispute." in page_text(page)


def test_withdrawing_stops_the_clocks_shown_on_the_page(supervisor):
    case = drive(file_case(), ["acknowledge"])
    client = signed_in(supervisor)
    client.post(move_url(case, "withdraw"), {"withdraw-reason": "The enrollee called to withdraw."})
    text = page_text(client.get(case_url(case)))
    assert "Stopped" in text
    assert "the case ended first" in text
    assert "Extend this clock" not in text
