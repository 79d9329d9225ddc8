"""Turning a draft's stored answers into the filing service's ``FilingData``.

The steps validate their own answers when they are saved. What only shows across steps (the
filer changed, the 6-month window passed while the draft waited, a power of attorney promised
but not attached) is checked here, and reported by step so the person is sent back to fix it.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from accounts.models import HealthPlan
from complaints.models import Document, FilerRelationship
from complaints.services.filing import FilingData, PatientData, RepresentativeData
from filing.forms.case import PLAN_NOT_LISTED, filing_window_last_day
from filing.forms.people import ADULT_AGE, age_on
from filing.steps import steps_for


@dataclass
class AnswerProblem:
    step: str
    message: str


class AnswersIncomplete(Exception):
    def __init__(self, problems: list[AnswerProblem]):
        super().__init__("; ".join(f"{problem.step}: {problem.message}" for problem in problems))
        self.problems = problems


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def answer_problems(answers: dict, *, document_kinds: list[str], today: date) -> list[AnswerProblem]:
    """What stops these answers from being sent, by step. Empty: ready to sign."""
    problems = [
        AnswerProblem(step.slug, _("This part is not finished yet."))
        for step in steps_for(answers)
        if step.form_class is not None and step.slug != "sign" and not step.is_complete(answers)
    ]
    if problems:
        return problems
    who = answers["who"]["relationship"]
    patient = answers["patient"]
    birth_date = _date(patient.get("birth_date"))
    if who == FilerRelationship.PARENT_GUARDIAN and birth_date and age_on(birth_date, today) >= ADULT_AGE:
        problems.append(AnswerProblem("patient", _("A parent or guardian can file only for a patient under 18.")))
    representative = answers.get("representative") or {}
    if (
        who == FilerRelationship.AUTHORIZED_ASSISTANT
        and representative.get("has_power_of_attorney")
        and Document.Kind.POWER_OF_ATTORNEY not in document_kinds
    ):
        problems.append(
            AnswerProblem(
                "documents",
                _("Attach a copy of the power of attorney, or go back and have the patient sign instead."),
            )
        )
    grievance = answers["grievance"]
    decision_date = _date(grievance.get("plan_decision_date"))
    if decision_date and today > filing_window_last_day(decision_date) and not grievance.get("late_filing_reason"):
        problems.append(
            AnswerProblem(
                "grievance",
                _("The 6-month window has now passed. Tell us why you are applying now."),
            )
        )
    plan_choice = answers["plan"].get("health_plan")
    if plan_choice != PLAN_NOT_LISTED and not HealthPlan.objects.filter(pk=plan_choice).exists():
        problems.append(AnswerProblem("plan", _("Choose the health plan again.")))
    return problems


def filing_data(answers: dict, *, signed_name: str, records_authorized: bool) -> FilingData:
    """The service's input from complete answers (check ``answer_problems`` first)."""
    who = answers["who"]["relationship"]
    patient = answers["patient"]
    plan = answers["plan"]
    grievance = answers["grievance"]
    problem = answers["problem"]
    primary_language = patient.get("primary_language", "")
    representative = None
    if who != FilerRelationship.PATIENT:
        stored = answers["representative"]
        representative = RepresentativeData(
            relationship=who,
            full_name=stored["full_name"],
            phone=stored["phone"],
            relationship_to_patient=stored.get("relationship_to_patient", ""),
            street=stored.get("street", ""),
            city=stored.get("city", ""),
            state=stored.get("state", ""),
            zip_code=stored.get("zip_code", ""),
            email=stored.get("email", ""),
            patient_signed_name=stored.get("patient_signed_name", "") or "",
            patient_signed_date=_date(stored.get("patient_signed_date")),
            assistant_signed_name=stored.get("assistant_signed_name", "") or "",
            assistant_signed_date=_date(stored.get("assistant_signed_date")),
            has_power_of_attorney=bool(stored.get("has_power_of_attorney")),
        )
    plan_choice = plan.get("health_plan")
    return FilingData(
        patient=PatientData(
            first_name=patient["first_name"],
            middle_initial=patient.get("middle_initial", ""),
            last_name=patient["last_name"],
            gender=patient["gender"],
            birth_date=_date(patient["birth_date"]),
            street=patient["street"],
            city=patient["city"],
            state=patient["state"],
            zip_code=patient["zip_code"],
            phone=patient["phone"],
            phone_secondary=patient.get("phone_secondary", ""),
            email=patient.get("email", ""),
            contact_by_email=bool(patient.get("contact_by_email")),
            primary_language=primary_language,
            correspond_in_language=bool(patient.get("correspond_in_language")),
            letter_language=patient.get("letter_language", "en"),
            race_ethnicity=patient.get("race_ethnicity", ""),
        ),
        filer_relationship=who,
        representative=representative,
        health_plan_id=None if plan_choice == PLAN_NOT_LISTED else int(plan_choice),
        plan_name_not_listed=plan.get("plan_name_not_listed", "") if plan_choice == PLAN_NOT_LISTED else "",
        member_id=plan.get("member_id", ""),
        medical_group=plan.get("medical_group", ""),
        employer=plan.get("employer", ""),
        medi_cal_id=plan.get("medi_cal_id", ""),
        medicare_id=plan.get("medicare_id", ""),
        grievance_filed=bool(grievance.get("grievance_filed")),
        grievance_filed_date=_date(grievance.get("grievance_filed_date")),
        plan_decided=bool(grievance.get("plan_decided")),
        plan_decision_date=_date(grievance.get("plan_decision_date")),
        late_filing_reason=grievance.get("late_filing_reason", "") or "",
        category=problem["category"],
        denial_reason=problem["denial_reason"],
        treatment_in_dispute=problem["treatment_in_dispute"],
        what_happened=problem["what_happened"],
        desired_outcome=problem["desired_outcome"],
        treating_provider=problem.get("treating_provider", ""),
        urgent=bool(problem.get("urgent")),
        urgent_reason=problem.get("urgent_reason", "") or "",
        state_fair_hearing=bool(problem.get("state_fair_hearing")),
        signed_name=signed_name,
        records_authorized=records_authorized,
    )


# Where a field error from the filing service belongs: the step that asked the question.
SERVICE_FIELD_STEPS = {
    "patient.": "patient",
    "representative": "representative",
    "health_plan": "plan",
    "plan_name_not_listed": "plan",
    "member_id": "plan",
    "medical_group": "plan",
    "employer": "plan",
    "medi_cal_id": "plan",
    "medicare_id": "plan",
    "grievance": "grievance",
    "plan_decided": "grievance",
    "plan_decision_date": "grievance",
    "late_filing_reason": "grievance",
    "records_authorized": "sign",
    "signed_name": "sign",
}


def step_for_service_field(field_name: str) -> str:
    for prefix, step in SERVICE_FIELD_STEPS.items():
        if field_name.startswith(prefix):
            return step
    return "problem"
