"""Factories for cases: a complete filing, built through the real filing service."""

from dataclasses import replace
from datetime import date, datetime

from accounts.tests.factories import EnrolleeFactory, HealthPlanFactory
from complaints.models import Case, Channel, DenialReason, ProblemCategory
from complaints.services.filing import FilingData, PatientData, case_file


def patient_data(**overrides) -> PatientData:
    values = {
        "first_name": "Rosa",
        "middle_initial": "M",
        "last_name": "Delgado",
        "gender": "FEMALE",
        "birth_date": date(1968, 4, 2),
        "street": "1200 K Street",
        "city": "Sacramento",
        "zip_code": "95814",
        "phone": "916-555-0100",
        "email": "rosa@example.test",
        "letter_language": "en",
    }
    values.update(overrides)
    return PatientData(**values)


def filing_data(**overrides) -> FilingData:
    """A complete form: a medical-necessity denial after a decided grievance (IMR-eligible)."""
    values = {
        "patient": patient_data(),
        "category": ProblemCategory.TREATMENT_DENIED,
        "denial_reason": DenialReason.MEDICAL_NECESSITY,
        "treatment_in_dispute": "Knee replacement surgery",
        "what_happened": "My plan said the surgery is not medically necessary.",
        "desired_outcome": "Approve the surgery my surgeon ordered.",
        "signed_name": "Rosa M Delgado",
        "records_authorized": True,
        "member_id": "M123456",
        "grievance_filed": True,
        "grievance_filed_date": date(2026, 9, 1),
        "plan_decided": True,
        "plan_decision_date": date(2026, 9, 20),
        "treating_provider": "Dr. Ahmed, Sacramento Orthopedics",
    }
    values.update(overrides)
    if "health_plan_id" not in values and not values.get("plan_name_not_listed"):
        values["health_plan_id"] = HealthPlanFactory().id
    return FilingData(**values)


def file_case(
    *, enrollee=None, received_at: datetime | None = None, channel=Channel.ONLINE, actor=None, **overrides
) -> Case:
    """File a case online (or, with a staff ``actor`` and another channel, from paper)."""
    data = filing_data(**overrides)
    if channel == Channel.ONLINE:
        enrollee = enrollee or EnrolleeFactory()
        return case_file(data=data, channel=channel, actor=enrollee, filed_by=enrollee, received_at=received_at)
    return case_file(data=data, channel=channel, actor=actor, filed_by=enrollee, received_at=received_at)


__all__ = ["file_case", "filing_data", "patient_data", "replace"]
