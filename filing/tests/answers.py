"""What a person types at each step, as the browser would post it, and a helper that walks a
draft through the steps with the Django test client."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone, translation

from filing.models import FilingDraft


def date_parts(name: str, day: date) -> dict:
    return {f"{name}_0": str(day.month), f"{name}_1": str(day.day), f"{name}_2": str(day.year)}


def who(relationship: str = "PATIENT") -> dict:
    return {"relationship": relationship}


def patient(**overrides) -> dict:
    values = {
        "first_name": "Rosa",
        "middle_initial": "M",
        "last_name": "Delgado",
        "gender": "FEMALE",
        **date_parts("birth_date", date(1968, 4, 2)),
        "street": "1200 K Street",
        "city": "Sacramento",
        "state": "CA",
        "zip_code": "95814",
        "phone": "916-555-0100",
        "phone_secondary": "",
        "email": "rosa.patient@example.test",
        "contact_by_email": "yes",
        "primary_language": "English",
        "correspond_in_language": "no",
        "letter_language": "en",
        "race_ethnicity": "",
    }
    values.update(overrides)
    return values


def representative(**overrides) -> dict:
    values = {
        "full_name": "Marta Delgado",
        "relationship_to_patient": "Daughter",
        "street": "55 Oak Avenue",
        "city": "Fresno",
        "state": "CA",
        "zip_code": "93721",
        "phone": "(559) 555-0199",
        "email": "marta@example.test",
        "has_power_of_attorney": "no",
        "patient_signed_name": "Rosa M Delgado",
        "assistant_signed_name": "Marta Delgado",
    }
    values.update(overrides)
    return values


def plan(plan_row, **overrides) -> dict:
    values = {
        "health_plan": str(plan_row.id),
        "plan_name_not_listed": "",
        "member_id": "M123456",
        "medical_group": "Capitol Medical Group",
        "employer": "",
        "medi_cal_id": "",
        "medicare_id": "",
    }
    values.update(overrides)
    return values


def grievance(*, filed_days_ago: int = 40, decided_days_ago: int | None = 20, **overrides) -> dict:
    today = timezone.localdate()
    values = {"grievance_filed": "yes", **date_parts("grievance_filed_date", today - timedelta(days=filed_days_ago))}
    if decided_days_ago is None:
        values["plan_decided"] = "no"
    else:
        values.update(plan_decided="yes", **date_parts("plan_decision_date", today - timedelta(days=decided_days_ago)))
    values["late_filing_reason"] = ""
    values.update(overrides)
    return values


def problem(**overrides) -> dict:
    values = {
        "category": "TREATMENT_DENIED",
        "denial_reason": "MEDICAL_NECESSITY",
        "treatment_in_dispute": "Knee replacement surgery",
        "what_happened": "My surgeon ordered a knee replacement. The plan said it is not medically necessary.",
        "desired_outcome": "Approve the surgery.",
        "treating_provider": "Dr. Ahmed, Sacramento Orthopedics",
        "urgent": "no",
        "urgent_reason": "",
        "state_fair_hearing": "no",
    }
    values.update(overrides)
    return values


def sign(**overrides) -> dict:
    values = {"records_authorized": "on", "declaration": "on", "signed_name": "Rosa M Delgado"}
    values.update(overrides)
    return values


@translation.override("en")
def step_url(draft: FilingDraft, step: str, prefix: str = "") -> str:
    """The step's address; ``prefix="/es"`` for the Spanish one."""
    names = {"documents": "file-documents", "review": "file-review", "sign": "file-sign", "done": "file-done"}
    if step in names:
        url = reverse(names[step], kwargs={"draft_id": draft.public_id})
    else:
        url = reverse("file-step", kwargs={"draft_id": draft.public_id, "step": step})
    return prefix + url


def start_draft(client) -> FilingDraft:
    response = client.post("/file/new/")
    assert response.status_code == 302
    return FilingDraft.objects.order_by("-id").first()


def fill_draft(
    client, health_plan, *, relationship: str = "PATIENT", upto: str = "documents", **step_data
) -> FilingDraft:
    """Post every step up to and including ``upto``; ``step_data`` replaces a step's answers."""
    draft = start_draft(client)
    steps = [
        ("who", who(relationship)),
        ("patient", patient()),
        ("representative", representative()),
        ("plan", plan(health_plan)),
        ("grievance", grievance()),
        ("problem", problem()),
        ("documents", {"action": "continue", "kind": "OTHER"}),
    ]
    for step, data in steps:
        if step == "representative" and relationship == "PATIENT":
            continue
        response = client.post(step_url(draft, step), step_data.get(step, data))
        assert response.status_code == 302, (step, response.context and response.context["form"].errors)
        if step == upto:
            break
    draft.refresh_from_db()
    return draft
