"""The eligibility check: a few answers, one clear piece of advice, and the last day to file."""

from datetime import date, datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from complaints.clocks import LOCAL_TZ
from complaints.models import DenialReason
from filing.eligibility import EligibilityAnswers, Verdict, eligibility_advice, grievance_last_day
from filing.forms.case import filing_window_last_day

TODAY = date(2026, 11, 20)  # a Friday


def advice(**answers):
    values = {"urgent": False, "grievance_filed": True, "denial_reason": DenialReason.MEDICAL_NECESSITY}
    values.update(answers)
    return eligibility_advice(EligibilityAnswers(**values), today=TODAY)


def test_urgent_means_call_now_and_no_grievance_first():
    result = advice(urgent=True, grievance_filed=False)
    assert result.verdict == Verdict.CALL_NOW
    assert result.grievance_waived


def test_no_grievance_yet_means_file_with_the_plan_first():
    assert advice(grievance_filed=False).verdict == Verdict.PLAN_FIRST


def test_an_experimental_denial_needs_no_grievance_first():
    result = advice(grievance_filed=False, denial_reason=DenialReason.EXPERIMENTAL)
    assert result.verdict == Verdict.FILE_NOW
    assert result.imr_likely


def test_a_recent_grievance_waits_for_its_30_days_then_the_person_can_come_back():
    # Filed 2026-11-02: 30 calendar days is 2026-12-02 (a Wednesday); from 2026-12-03 they can file.
    result = advice(grievance_filed_date=date(2026, 11, 2))
    assert result.verdict == Verdict.WAIT_FOR_PLAN
    assert result.come_back_on == date(2026, 12, 3)


def test_a_grievance_the_plan_left_unanswered_for_30_days_can_come_here():
    assert advice(grievance_filed_date=date(2026, 10, 1)).verdict == Verdict.FILE_NOW


def test_a_decision_gives_the_last_day_of_the_six_month_window():
    # Decided 2026-06-15: 6 months later is 2026-12-15, a Tuesday.
    result = advice(grievance_filed_date=date(2026, 5, 1), plan_decided=True, plan_decision_date=date(2026, 6, 15))
    assert result.verdict == Verdict.FILE_NOW
    assert result.last_day == date(2026, 12, 15)


def test_a_window_ending_on_a_weekend_rolls_to_the_next_working_day():
    # Decided 2026-05-21: 6 months later is Saturday 2026-11-21, so the last day is Monday 2026-11-23.
    assert filing_window_last_day(date(2026, 5, 21)) == date(2026, 11, 23)


def test_a_decision_older_than_six_months_is_late_but_can_still_be_filed():
    result = advice(plan_decided=True, plan_decision_date=date(2026, 3, 1), grievance_filed_date=date(2026, 2, 1))
    assert result.verdict == Verdict.FILE_LATE
    assert result.last_day == date(2026, 9, 1)


def test_coverage_disputes_are_likely_complaints_and_denials_of_care_likely_imr():
    assert not advice(grievance_filed_date=date(2026, 9, 1), denial_reason=DenialReason.COVERAGE_BILLING).imr_likely
    assert advice(grievance_filed_date=date(2026, 9, 1), denial_reason=DenialReason.EMERGENCY_PAYMENT).imr_likely


@given(filed=st.dates(min_value=date(2000, 1, 1), max_value=TODAY))
def test_waiting_is_advised_exactly_until_the_plans_30_days_have_run(filed):
    result = advice(grievance_filed_date=filed)
    if grievance_last_day(filed) >= TODAY:
        assert result.verdict == Verdict.WAIT_FOR_PLAN
        assert result.come_back_on > TODAY
    else:
        assert result.verdict == Verdict.FILE_NOW


@pytest.mark.django_db
def test_the_page_gives_the_last_day_in_both_languages(client):
    query = (
        "urgent=no&grievance_filed=yes&grievance_filed_date_0=5&grievance_filed_date_1=1&grievance_filed_date_2=2026"
        "&plan_decided=yes&plan_decision_date_0=6&plan_decision_date_1=15&plan_decision_date_2=2026"
        "&denial_reason=MEDICAL_NECESSITY"
    )
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL_TZ), tick=False):
        english = client.get(f"/guide/check/?{query}").text
        spanish = client.get(f"/es/guide/check/?{query}").text
    assert "You can apply now" in english
    assert "Dec. 15, 2026" in english
    assert "Independent Medical Review" in english
    assert "15 de diciembre de 2026" in spanish


@pytest.mark.django_db
def test_the_page_lists_what_is_missing_above_the_questions(client):
    page = client.get("/guide/check/?urgent=no&grievance_filed=yes").text
    assert page.index("There is a problem") < page.index("<form")
    assert 'href="#id_grievance_filed_date_0"' in page
    assert 'href="#id_denial_reason_0"' in page
