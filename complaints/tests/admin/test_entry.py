"""Staff enter a case that came by phone, mail or fax: the filing service, the real time of receipt,
errors next to their fields, and never a second case from a second POST."""

from datetime import datetime

import pytest
import time_machine

from accounts.tests.factories import HealthPlanFactory
from complaints.admin.entry import entry_token_nonce
from complaints.clocks import LOCAL_TZ, ClockName, due_at
from complaints.models import Case, CaseEvent, Channel, Status
from ops.leases import lease_acquire

from .conftest import signed_in
from .support import ENTRY_URL, case_url, entry_post, errors_next_to, page_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 4, 11, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def plan():
    return HealthPlanFactory(name="Blue Shield of California")


@pytest.fixture(autouse=True)
def _a_wednesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def fresh_token(client) -> str:
    page = client.get(ENTRY_URL)
    assert page.status_code == 200
    return page.context["entry_token"]


def test_a_phone_call_becomes_a_case_signed_by_the_staff_member(intake, plan):
    client = signed_in(intake)
    response = client.post(ENTRY_URL, entry_post(token=fresh_token(client), plan=plan, received_at="2026-11-04T10:45"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert case.channel == Channel.PHONE
    assert case.filed_by is None
    assert case.signed_name == "Taken by phone by Ines Intake"
    assert case.received_at == datetime(2026, 11, 4, 10, 45, tzinfo=LOCAL_TZ)
    assert case.patient.full_name == "Maria Lopez"
    assert case.patient.letter_language == "es"
    assert case.health_plan == plan
    filed = case.events.get(kind=CaseEvent.Kind.FILED)
    assert filed.summary == f"Entered by staff from a phone call; case number {case.number}"
    assert filed.actor == intake
    text = page_text(client.get(case_url(case)))
    assert f"Case {case.number} entered (phone call)." in text
    assert "Entered by staff: phone call." in text


def test_mail_counts_its_clocks_from_the_day_it_arrived(intake, plan):
    client = signed_in(intake)
    client.post(
        ENTRY_URL,
        entry_post(
            token=fresh_token(client),
            plan=plan,
            channel="MAIL",
            received_at="2026-10-30T09:15",
            signed_name="Maria Lopez",
        ),
    )
    case = Case.objects.get()
    arrived = datetime(2026, 10, 30, 9, 15, tzinfo=LOCAL_TZ)
    assert (case.channel, case.received_at, case.signed_name) == ("MAIL", arrived, "Maria Lopez")
    acknowledgement = case.clocks.get(name=ClockName.ACKNOWLEDGEMENT)
    assert acknowledgement.due_at == due_at(ClockName.ACKNOWLEDGEMENT, arrived)
    assert case.events.get(kind=CaseEvent.Kind.FILED).summary.startswith("Entered by staff from a letter")


def test_a_fax_needs_the_name_signed_on_the_paper(intake, plan):
    client = signed_in(intake)
    response = client.post(ENTRY_URL, entry_post(token=fresh_token(client), plan=plan, channel="FAX"))
    assert response.status_code == 400
    assert "Type the name as it is signed on the paper form." in page_text(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"patient_last_name": ""}, "patient_last_name", "This field is required."),
        ({"health_plan": ""}, "health_plan", "Choose the health plan, or type its name if it is not listed."),
        ({"received_at": "2026-11-05T09:00"}, "received_at", "The receipt time cannot be in the future."),
        ({"records_authorized": None}, "records_authorized", "The Help Center needs permission"),
        ({"urgent": "on"}, "urgent_reason", "Say why the problem is urgent."),
        ({"plan_decision_date": ""}, "plan_decision_date", "Give the date of the plan's written decision."),
        ({"patient_zip_code": "9" * 11}, "patient_zip_code", "Ensure this value has at most 10 characters"),
        ({"grievance_filed_date": "2026-12-01"}, "grievance_filed_date", "This date cannot be in the future."),
        ({"patient_gender": ""}, "patient_gender", "This field is required."),
        ({"denial_reason": ""}, "denial_reason", "This field is required."),
    ],
)
def test_errors_are_shown_next_to_their_fields_and_nothing_is_filed(intake, plan, changes, field, message):
    client = signed_in(intake)
    response = client.post(ENTRY_URL, entry_post(token=fresh_token(client), plan=plan, **changes))
    assert response.status_code == 400
    assert "The case was not entered." in page_text(response)
    assert message in errors_next_to(response, field)
    assert not Case.objects.exists()
    # What was typed is kept.
    assert 'value="Maria"' in response.content.decode()


def test_a_second_post_of_the_same_form_makes_no_second_case(intake, plan):
    client = signed_in(intake)
    data = entry_post(token=fresh_token(client), plan=plan)
    first = client.post(ENTRY_URL, data)
    again = client.post(ENTRY_URL, data, follow=True)
    case = Case.objects.get()
    assert first["Location"] == case_url(case)
    assert again.redirect_chain[-1][0] == case_url(case)
    assert f"This form was already sent and made case {case.number}. No second case was made." in page_text(again)


def test_a_post_while_the_same_form_is_being_sent_makes_no_case(intake, plan):
    client = signed_in(intake)
    token = fresh_token(client)
    # The first click is still being processed: it holds the token's lease.
    assert lease_acquire(name=f"case-entry:{entry_token_nonce(token, intake)}", holder="first-click", seconds=60)
    response = client.post(ENTRY_URL, entry_post(token=token, plan=plan), follow=True)
    assert "This form is already being sent, or was sent before. No second case was made" in page_text(response)
    assert not Case.objects.exists()


def test_a_corrected_form_can_be_sent_again_with_the_same_token(intake, plan):
    client = signed_in(intake)
    token = fresh_token(client)
    assert client.post(ENTRY_URL, entry_post(token=token, plan=plan, patient_city="")).status_code == 400
    assert client.post(ENTRY_URL, entry_post(token=token, plan=plan)).status_code == 302
    assert Case.objects.count() == 1


def test_a_token_made_for_someone_else_is_refused_and_the_answers_kept(intake, supervisor, plan):
    token = fresh_token(signed_in(supervisor))
    response = signed_in(intake).post(ENTRY_URL, entry_post(token=token, plan=plan))
    assert response.status_code == 400
    assert "This form had expired. Nothing was saved" in page_text(response)
    assert 'value="Maria"' in response.content.decode()
    assert response.context["entry_token"] != token
    assert not Case.objects.exists()


def test_a_parent_filing_for_a_child_is_entered_with_the_representative(intake, plan):
    client = signed_in(intake)
    client.post(
        ENTRY_URL,
        entry_post(
            token=fresh_token(client),
            plan=plan,
            filer_relationship="PARENT_GUARDIAN",
            representative_full_name="Ana Lopez",
            representative_phone="559-555-0123",
            representative_relationship_to_patient="Mother",
        ),
    )
    case = Case.objects.get()
    assert case.representative.full_name == "Ana Lopez"
    assert case.status == Status.FILED


def test_only_intake_and_supervisors_enter_cases(clinical, legal, plan):
    for person in (clinical, legal):
        client = signed_in(person)
        assert client.get(ENTRY_URL).status_code == 403
        assert client.post(ENTRY_URL, entry_post(token="x", plan=plan)).status_code == 403
    assert not Case.objects.exists()
