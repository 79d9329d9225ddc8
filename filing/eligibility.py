"""The eligibility check: from a few answers to one clear piece of advice.

Pure functions over dates: no database, no clock reads (``today`` is passed in). The rules are
the workflow's (``complaints.workflow``): urgent problems and experimental/investigational denials
need no plan grievance first (HSC 1368.01, 1368.03); otherwise the plan has 30 days to decide the
grievance; the application is due within 6 months of the plan's written decision, later only with
a good reason the Help Center accepts (HSC 1374.30; 28 CCR 1300.74.30). Coverage and billing
disputes are Consumer Complaints; the other denials can go to Independent Medical Review.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models

from complaints.clocks import LOCAL_TZ, ClockName, due_at
from complaints.models import IMR_ELIGIBLE_REASONS, DenialReason
from filing.forms.case import filing_window_last_day


class Verdict(models.TextChoices):
    CALL_NOW = "CALL_NOW", "Call the Help Center now"
    PLAN_FIRST = "PLAN_FIRST", "File a grievance with the plan first"
    WAIT_FOR_PLAN = "WAIT_FOR_PLAN", "Give the plan its 30 days"
    FILE_NOW = "FILE_NOW", "File with the Help Center now"
    FILE_LATE = "FILE_LATE", "File now and say why it is late"


@dataclass(frozen=True)
class EligibilityAnswers:
    urgent: bool
    grievance_filed: bool
    denial_reason: str
    grievance_filed_date: date | None = None
    plan_decided: bool = False
    plan_decision_date: date | None = None


@dataclass(frozen=True)
class Advice:
    verdict: Verdict
    imr_likely: bool
    grievance_waived: bool
    last_day: date | None = None
    come_back_on: date | None = None


def grievance_last_day(filed_date: date, *, urgent: bool = False) -> date:
    """The last day the plan has to decide a grievance: 30 calendar days, 3 if urgent (HSC 1368.01)."""
    start = datetime.combine(filed_date, datetime.min.time(), tzinfo=LOCAL_TZ)
    return due_at(ClockName.PLAN_GRIEVANCE, start, urgent=urgent).date()


def eligibility_advice(answers: EligibilityAnswers, *, today: date) -> Advice:
    imr_likely = answers.denial_reason in IMR_ELIGIBLE_REASONS
    waived = answers.urgent or answers.denial_reason == DenialReason.EXPERIMENTAL
    last_day = (
        filing_window_last_day(answers.plan_decision_date)
        if answers.plan_decided and answers.plan_decision_date
        else None
    )
    common = {"imr_likely": imr_likely, "grievance_waived": waived, "last_day": last_day}
    if answers.urgent:
        return Advice(verdict=Verdict.CALL_NOW, **common)
    if last_day is not None:
        return Advice(verdict=Verdict.FILE_NOW if today <= last_day else Verdict.FILE_LATE, **common)
    if waived:
        return Advice(verdict=Verdict.FILE_NOW, **common)
    if not answers.grievance_filed or answers.grievance_filed_date is None:
        return Advice(verdict=Verdict.PLAN_FIRST, **common)
    plan_deadline = grievance_last_day(answers.grievance_filed_date)
    if today > plan_deadline:
        return Advice(verdict=Verdict.FILE_NOW, **common)
    return Advice(verdict=Verdict.WAIT_FOR_PLAN, come_back_on=plan_deadline + timedelta(days=1), **common)
