from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import PlanUserFactory, StaffFactory
from complaints.errors import CaseError
from complaints.models import Case, Channel, FilerRelationship, Status
from complaints.services.filing import RepresentativeData, case_file
from complaints.tests.factories import file_case, filing_data

pytestmark = pytest.mark.django_db


def test_a_filed_case_gets_a_number_received_time_and_the_filed_event():
    case = file_case()
    assert case.number.startswith(f"HC-{timezone.localdate().year}-")
    assert len(case.number) == len("HC-2026-000123")
    assert case.status == Status.FILED
    assert case.patient.full_name == "Rosa M. Delgado"
    assert case.events.filter(kind="FILED").count() == 1


def test_numbers_follow_each_other():
    first, second = file_case(), file_case()
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_each_california_year_numbers_its_cases_from_one():
    # 23:00 on New Year's Eve in California is already 1 January in UTC: the number keeps the
    # local year, and the new year's sequence starts at one.
    with time_machine.travel("2031-12-31 23:00 -08:00", tick=False):
        new_years_eve = [file_case().number, file_case().number]
    with time_machine.travel("2032-01-01 00:30 -08:00", tick=False):
        new_year = file_case().number
    assert new_years_eve == ["HC-2031-000001", "HC-2031-000002"]
    assert new_year == "HC-2032-000001"


def test_an_assistant_files_for_the_patient_with_the_designation_signed_by_both():
    today = timezone.localdate()
    assistant = RepresentativeData(
        relationship=FilerRelationship.AUTHORIZED_ASSISTANT,
        full_name="Luis Delgado",
        relationship_to_patient="Son",
        phone="916-555-0101",
        street="5 Elm St",
        city="Davis",
        state="CA",
        zip_code="95616",
        patient_signed_name="Rosa M Delgado",
        patient_signed_date=today,
        assistant_signed_name="Luis Delgado",
        assistant_signed_date=today,
    )
    case = file_case(filer_relationship=FilerRelationship.AUTHORIZED_ASSISTANT, representative=assistant)
    assert case.representative.full_name == "Luis Delgado"


def test_an_assistant_without_the_patients_signature_is_refused_and_nothing_is_saved():
    assistant = RepresentativeData(
        relationship=FilerRelationship.AUTHORIZED_ASSISTANT,
        full_name="Luis Delgado",
        phone="916-555-0101",
        assistant_signed_name="Luis Delgado",
        assistant_signed_date=timezone.localdate(),
    )
    with pytest.raises(CaseError) as refused:
        file_case(filer_relationship=FilerRelationship.AUTHORIZED_ASSISTANT, representative=assistant)
    assert any(key.startswith("representative.") for key in refused.value.field_errors)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"records_authorized": False}, "records_authorized"),
        ({"urgent": True, "urgent_reason": ""}, "urgent_reason"),
        ({"plan_decided": True, "plan_decision_date": None}, "plan_decision_date"),
        ({"plan_decision_date": timezone.localdate() + timedelta(days=3)}, "plan_decision_date"),
        ({"health_plan_id": None, "plan_name_not_listed": "  "}, "health_plan"),
        ({"filer_relationship": FilerRelationship.PARENT_GUARDIAN}, "representative"),
    ],
)
def test_bad_filings_are_refused_field_by_field_and_leave_no_rows(overrides, field):
    with pytest.raises(CaseError) as refused:
        file_case(**overrides)
    assert field in refused.value.field_errors
    assert Case.objects.count() == 0


def test_only_an_enrollee_files_online():
    with pytest.raises(CaseError, match="enrollee account"):
        case_file(data=filing_data(), channel=Channel.ONLINE, actor=PlanUserFactory())


def test_only_staff_enter_paper_cases():
    with pytest.raises(CaseError, match="Only Help Center staff"):
        case_file(data=filing_data(), channel=Channel.MAIL, actor=PlanUserFactory())


def test_staff_record_when_a_letter_really_arrived():
    arrived = timezone.now() - timedelta(days=2)
    case = file_case(channel=Channel.MAIL, actor=StaffFactory(), received_at=arrived)
    assert case.received_at == arrived
    assert case.clocks.get(name="ACKNOWLEDGEMENT").started_at == arrived


def test_a_future_receipt_time_is_refused():
    with pytest.raises(CaseError):
        file_case(channel=Channel.FAX, actor=StaffFactory(), received_at=timezone.now() + timedelta(hours=2))


def test_a_plan_not_in_the_list_can_be_named():
    case = file_case(health_plan_id=None, plan_name_not_listed="Acme Dental HMO")
    assert case.health_plan is None
    assert case.plan_display_name == "Acme Dental HMO"
