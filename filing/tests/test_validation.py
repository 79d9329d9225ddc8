"""Every field of the form refuses what no honest answer contains, and keeps what it accepts as typed."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.clocks import LOCAL_TZ
from complaints.models import Case, Patient
from filing.forms import GrievanceForm, PatientForm, PlanForm, ProblemForm, RepresentativeForm, SignForm, WhoForm
from filing.forms.eligibility import EligibilityForm
from filing.tests import answers

pytestmark = pytest.mark.django_db

AS_ASSISTANT = {"who": {"relationship": "AUTHORIZED_ASSISTANT"}}


def patient_errors(**overrides) -> dict:
    form = PatientForm(answers.patient(**overrides), answers={"who": {"relationship": "PATIENT"}})
    form.is_valid()
    return form.errors


def test_a_complete_patient_is_accepted_and_kept_as_typed():
    form = PatientForm(answers.patient(first_name="José-María", last_name="O'Brien Núñez"), answers={})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == "José-María"
    assert form.to_answers()["birth_date"] == "1968-04-02"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Enter the first name."),
        ("first_name", "R" * (Patient._meta.get_field("first_name").max_length + 1), "characters or fewer"),
        ("first_name", "Ro\x00sa", "control character"),
        ("first_name", "Ro\x1bsa", "control character"),
        ("first_name", "\u202easoR", "control character"),
        ("first_name", "12345", "Enter a name with letters."),
        ("last_name", "Delgado\r\nBcc: x@example.test", "control character"),
        ("middle_initial", "AB", "1 character or fewer"),
        ("middle_initial", "7", "Enter one letter"),
        ("zip_code", "9581", "Enter a ZIP code of 5 digits"),
        ("zip_code", "9581a", "Enter a ZIP code of 5 digits"),
        ("zip_code", "00000", "California ZIP codes run from 90000 to 96199"),
        ("zip_code", "96200", "California ZIP codes run from 90000 to 96199"),
        ("zip_code", "10001", "California ZIP codes run from 90000 to 96199"),
        ("zip_code", "95814-27", "Enter a ZIP code of 5 digits"),
        ("phone", "916-555-010", "Enter a phone number with its area code"),
        ("phone", "call me maybe", "Enter a phone number with its area code"),
        ("phone", "9" * 16, "Enter a phone number with its area code"),
        ("phone", "", "Enter a phone number."),
        ("email", "rosa@", "valid email"),
        ("email", "rosa@example.test\nBcc: other@example.test", "valid email"),
        ("gender", "ROBOT", "Choose the patient's gender."),
        ("state", "XX", "Choose the state."),
        ("letter_language", "fr", "Choose English or Spanish"),
        ("contact_by_email", "perhaps", "Choose yes or no."),
    ],
)
def test_a_wrong_patient_answer_is_refused_with_a_plain_message(field, value, message):
    errors = patient_errors(**{field: value})
    assert field in errors
    assert message in " ".join(errors[field])


def test_a_zip_code_outside_california_is_fine_for_another_state():
    assert patient_errors(state="NY", zip_code="10001") == {}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("2", "30", "1990"), "This date does not exist."),
        (("13", "1", "1990"), "This date does not exist."),
        (("4", "2", "1899"), "Enter a date after 1900."),
        (("4", "", "1968"), "Enter the month, the day and the year."),
        (("four", "2", "1968"), "Enter the date in numbers"),
        (("4", "2", "68"), "Enter the date in numbers"),
        (("", "", ""), "Enter the date: month, day and year."),
    ],
)
def test_an_impossible_date_of_birth_is_refused(parts, message):
    errors = patient_errors(birth_date_0=parts[0], birth_date_1=parts[1], birth_date_2=parts[2])
    assert message in " ".join(errors["birth_date"])


def test_a_date_of_birth_in_the_future_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = patient_errors(**answers.date_parts("birth_date", tomorrow))
    assert errors["birth_date"] == ["This date cannot be in the future."]


def test_contact_by_email_needs_an_email_address():
    assert "email" in patient_errors(email="", contact_by_email="yes")
    assert patient_errors(email="", contact_by_email="no") == {}


def test_the_representative_needs_the_patients_signature_or_a_power_of_attorney():
    form = RepresentativeForm(answers.representative(patient_signed_name=""), answers=AS_ASSISTANT)
    assert not form.is_valid()
    assert "patient_signed_name" in form.errors
    with_power = RepresentativeForm(
        answers.representative(patient_signed_name="", has_power_of_attorney="yes"), answers=AS_ASSISTANT
    )
    assert with_power.is_valid(), with_power.errors


@pytest.mark.parametrize(
    ("field", "value"),
    [("full_name", ""), ("phone", "123"), ("zip_code", "99999"), ("assistant_signed_name", "")],
)
def test_a_wrong_representative_answer_is_refused(field, value):
    form = RepresentativeForm(answers.representative(**{field: value}), answers=AS_ASSISTANT)
    assert not form.is_valid()
    assert field in form.errors


def test_who_is_filing_must_be_one_of_the_three():
    assert not WhoForm({"relationship": "LAWYER"}).is_valid()
    assert WhoForm({"relationship": "PARENT_GUARDIAN"}).is_valid()


def test_the_plan_must_be_listed_or_named(plan):
    assert PlanForm(answers.plan(plan)).is_valid()
    assert "health_plan" in _errors(PlanForm(answers.plan(plan, health_plan="999999")))
    assert "health_plan" in _errors(PlanForm(answers.plan(plan, health_plan="")))
    too_long = "M" * (Case._meta.get_field("member_id").max_length + 1)
    assert "member_id" in _errors(PlanForm(answers.plan(plan, member_id=too_long)))


def test_grievance_dates_cannot_be_in_the_future_or_out_of_order():
    today = timezone.localdate()
    future = answers.grievance(**answers.date_parts("grievance_filed_date", today + timedelta(days=3)))
    assert _errors(GrievanceForm(future))["grievance_filed_date"] == ["This date cannot be in the future."]
    backwards = answers.grievance(filed_days_ago=10, decided_days_ago=20)
    assert "cannot come before" in " ".join(_errors(GrievanceForm(backwards))["plan_decision_date"])
    missing = answers.grievance(grievance_filed_date_0="", grievance_filed_date_1="", grievance_filed_date_2="")
    assert "grievance_filed_date" in _errors(GrievanceForm(missing))


def test_answers_that_do_not_apply_are_not_kept():
    form = GrievanceForm(answers.grievance(grievance_filed="no"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["grievance_filed_date"] is None
    assert form.cleaned_data["plan_decision_date"] is None
    problem = ProblemForm(answers.problem(urgent="no", urgent_reason="it hurts"))
    assert problem.is_valid()
    assert problem.cleaned_data["urgent_reason"] == ""


def test_the_last_day_of_the_window_is_still_on_time_and_the_next_day_is_late():
    # A decision on 2026-03-31: 6 months later is 2026-09-30, a Wednesday (HSC 1374.30).
    on_time = answers.grievance(
        **answers.date_parts("grievance_filed_date", date(2026, 3, 1)),
        **answers.date_parts("plan_decision_date", date(2026, 3, 31)),
    )
    with time_machine.travel(datetime(2026, 9, 30, 23, 0, tzinfo=LOCAL_TZ), tick=False):
        assert GrievanceForm(on_time).is_valid()
    with time_machine.travel(datetime(2026, 10, 1, 0, 30, tzinfo=LOCAL_TZ), tick=False):
        errors = _errors(GrievanceForm(on_time))
    assert "Sept. 30, 2026" in errors["late_filing_reason"][0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("what_happened", "x" * 5001, "Please shorten this answer to 5000 characters or fewer (it has 5001)."),
        ("what_happened", "", "Tell us what happened."),
        ("what_happened", "line\x07bell", "control character"),
        ("treatment_in_dispute", "y" * 501, "Use 500 characters or fewer."),
        ("category", "PIZZA", "Choose the kind of problem."),
        ("denial_reason", "", "Choose the reason the plan gave."),
        ("urgent_reason", "", "Tell us why it is urgent."),
    ],
)
def test_a_wrong_problem_answer_is_refused(field, value, message):
    overrides = {field: value}
    if field == "urgent_reason":
        overrides["urgent"] = "yes"
    errors = _errors(ProblemForm(answers.problem(**overrides)))
    assert message in " ".join(errors[field])


def test_long_text_keeps_line_breaks_and_scripts_as_typed():
    text = "First line.\r\nSecond line <script>alert(1)</script>\tend"
    form = ProblemForm(answers.problem(what_happened=text))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["what_happened"] == text.strip()


def test_signing_needs_both_boxes_and_a_typed_name():
    errors = _errors(SignForm({"signed_name": ""}))
    assert set(errors) == {"records_authorized", "declaration", "signed_name"}


@given(text=st.text(max_size=300))
@settings(max_examples=150, deadline=None)
def test_any_text_in_a_name_is_either_refused_or_kept_without_control_characters(text):
    form = PatientForm(answers.patient(first_name=text), answers={})
    if form.is_valid():
        kept = form.cleaned_data["first_name"]
        assert kept == text.strip()
        assert not any(ord(character) < 32 or 0x7F <= ord(character) < 0xA0 for character in kept)
        assert len(kept) <= Patient._meta.get_field("first_name").max_length
    else:
        assert form.errors["first_name"]


@given(month=st.text(max_size=4), day=st.text(max_size=4), year=st.text(max_size=6))
@settings(max_examples=150, deadline=None)
def test_any_typing_in_a_date_is_either_a_real_past_date_or_a_message(month, day, year):
    form = EligibilityForm(
        {
            "urgent": "no",
            "grievance_filed": "yes",
            "grievance_filed_date_0": month,
            "grievance_filed_date_1": day,
            "grievance_filed_date_2": year,
            "denial_reason": "OTHER",
        }
    )
    if form.is_valid():
        value = form.cleaned_data["grievance_filed_date"]
        assert date(1900, 1, 1) <= value <= timezone.localdate()
    else:
        assert form.errors["grievance_filed_date"]


def _errors(form) -> dict:
    form.is_valid()
    return form.errors
