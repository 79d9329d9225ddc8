"""Who may enter the admin, which pages each staff group opens, and which moves each one is offered
(and refused when forged)."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import StaffGroup
from accounts.permissions import GROUP_PERMISSIONS
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, ReviewerUserFactory, StaffFactory
from complaints.models import ReviewUnit, Status
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS, case_at
from complaints.workflow import MoveInput
from twofactor.testing import sign_in_verified

from .conftest import signed_in
from .support import ENTRY_URL, QUEUE_URL, case_url, move_url, offered_moves, page_text
from .test_moves_in_admin import post_data

pytestmark = pytest.mark.django_db

DASHBOARD_URL = "/admin/complaints/case/dashboard/"
USERS_URL = "/admin/accounts/user/"


@pytest.mark.parametrize(
    "make_user", [EnrolleeFactory, PlanUserFactory, ReviewerUserFactory], ids=["enrollee", "plan user", "reviewer"]
)
def test_enrollees_plan_users_and_reviewers_cannot_enter_the_admin(client, make_user):
    user = make_user(email="outsider@example.test")
    refused = client.post("/admin/login/?next=/admin/", {"email": "outsider@example.test", "password": TEST_PASSWORD})
    assert refused.status_code == 400
    assert "The e-mail address or password is not right" in page_text(refused)
    # Even signed in elsewhere in the portal (second factor included), every admin page sends
    # them to the admin sign-in.
    sign_in_verified(client, user)
    for url in ["/admin/", QUEUE_URL, DASHBOARD_URL, ENTRY_URL]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_an_inactive_staff_member_cannot_enter(client):
    former = StaffFactory(groups=[StaffGroup.SUPERVISOR], is_active=False)
    sign_in_verified(client, former)
    assert client.get(QUEUE_URL).status_code == 302


def test_staff_in_no_group_see_nothing(client):
    sign_in_verified(client, StaffFactory(groups=[]))
    assert "You don\u2019t have permission to view or edit anything." in page_text(client.get("/admin/"))
    assert client.get(QUEUE_URL).status_code == 403
    assert client.get(DASHBOARD_URL).status_code == 403


@pytest.mark.parametrize(
    ("group", "queue", "entry", "dashboard", "users"),
    [
        (StaffGroup.INTAKE, 200, 200, 403, 403),
        (StaffGroup.CLINICAL, 200, 403, 403, 403),
        (StaffGroup.LEGAL, 200, 403, 403, 403),
        (StaffGroup.SUPERVISOR, 200, 200, 200, 200),
    ],
)
def test_each_group_opens_its_pages(group, queue, entry, dashboard, users):
    client = signed_in(StaffFactory(groups=[group]))
    case = case_at(Status.FILED)
    assert client.get(QUEUE_URL).status_code == queue
    assert client.get(case_url(case)).status_code == queue
    assert client.get(ENTRY_URL).status_code == entry
    assert client.get(DASHBOARD_URL).status_code == dashboard
    assert client.get(USERS_URL).status_code == users
    index = page_text(client.get("/admin/"))
    assert ("Supervisor dashboard" in index) == (dashboard == 200)
    assert ("Enter a case from a phone call, letter or fax" in index) == (entry == 200)


def test_the_groups_hold_exactly_the_table_after_migrate():
    for name, labels in GROUP_PERMISSIONS.items():
        held = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == set(labels), name


def test_nobody_edits_or_deletes_a_case_through_the_admin_form(supervisor):
    case = case_at(Status.FILED)
    client = signed_in(supervisor)
    page = client.get(case_url(case))
    assert f"Case {case.number}" in page_text(page)
    assert 'name="_save"' not in page.content.decode()
    client.post(case_url(case), {"status": "CLOSED", "what_happened": "changed"})
    case.refresh_from_db()
    assert (case.status, case.what_happened) == (Status.FILED, "My plan said the surgery is not medically necessary.")
    assert client.get(f"/admin/complaints/case/{case.pk}/delete/").status_code == 403


# ---- moves by group -------------------------------------------------------------------------------
DECISIONS = {"record_determination", "issue_imr_decision", "convert_to_complaint", "decide_complaint"}


@pytest.mark.parametrize(
    "status", [Status.IN_IMR_REVIEW, Status.DETERMINATION_RECEIVED, Status.TRIAGED_IMR, Status.IN_COMPLAINT_REVIEW]
)
def test_an_intake_officer_is_offered_no_clinical_or_legal_decision(intake, status):
    case = case_at(status, **({"denial_reason": "COVERAGE_BILLING"} if status == Status.IN_COMPLAINT_REVIEW else {}))
    offered = set(offered_moves(signed_in(intake).get(case_url(case))))
    assert not offered & DECISIONS
    assert "withdraw" in offered  # intake can still close a case the enrollee withdraws


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (Status.IN_IMR_REVIEW, "record_determination"),
        (Status.DETERMINATION_RECEIVED, "issue_imr_decision"),
        (Status.TRIAGED_IMR, "convert_to_complaint"),
        (Status.IN_COMPLAINT_REVIEW, "decide_complaint"),
    ],
)
def test_a_forged_decision_by_intake_is_refused_by_the_service(intake, status, move):
    case = case_at(status, **({"denial_reason": "COVERAGE_BILLING"} if status == Status.IN_COMPLAINT_REVIEW else {}))
    events_before = case.events.count()
    response = signed_in(intake).post(move_url(case, move), post_data(move))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == status
    assert case.events.count() == events_before


def test_a_complaint_is_decided_only_by_its_unit(clinical, legal, intake):
    case = case_at(Status.TRIAGED_COMPLAINT, denial_reason="COVERAGE_BILLING")
    case_move(case=case, move="assign_review", actor=intake, data=MoveInput(review_unit=ReviewUnit.LEGAL))
    assert "decide_complaint" not in offered_moves(signed_in(clinical).get(case_url(case)))
    forged = signed_in(clinical).post(move_url(case, "decide_complaint"), post_data("decide_complaint"))
    assert forged.status_code == 403
    legal_page = signed_in(legal).get(case_url(case))
    assert "decide_complaint" in offered_moves(legal_page)
    decided = signed_in(legal).post(move_url(case, "decide_complaint"), post_data("decide_complaint"))
    assert decided.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DECISION_ISSUED


def test_clinical_and_legal_staff_do_not_triage_or_enter_cases(clinical, legal):
    case = case_at(Status.RESPONSE_RECEIVED)
    for person in (clinical, legal):
        client = signed_in(person)
        assert offered_moves(client.get(case_url(case))) == []
        assert client.post(move_url(case, "triage_imr"), post_data("triage_imr")).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.RESPONSE_RECEIVED


def test_intake_triages_and_a_supervisor_can_do_every_move_here(intake, supervisor):
    case = case_at(Status.RESPONSE_RECEIVED)
    assert {"triage_imr", "triage_complaint"} <= set(offered_moves(signed_in(intake).get(case_url(case))))
    review = case_at(Status.IN_IMR_REVIEW)
    assert {"record_determination", "convert_to_complaint"} <= set(
        offered_moves(signed_in(supervisor).get(case_url(review)))
    )
    assert MOVE_INPUTS["record_determination"].outcome == "OVERTURNED"
