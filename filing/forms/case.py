"""Steps about the case: the plan, the plan grievance, the problem, and the signature."""

from datetime import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import HealthPlan
from complaints.clocks import LOCAL_TZ, ClockName, due_at
from filing import labels
from filing.forms.base import StepForm
from filing.forms.fields import LongTextField, MemorableDateField, TextField, YesNoField, case_max, today_local

PLAN_NOT_LISTED = "other"


def filing_window_last_day(decision_date):
    """The last day to file: 6 months after the plan's written decision (HSC 1374.30)."""
    start = datetime.combine(decision_date, datetime.min.time(), tzinfo=LOCAL_TZ)
    return due_at(ClockName.FILING_WINDOW, start).date()


class PlanForm(StepForm):
    health_plan = forms.ChoiceField(
        label=_("Health plan"),
        help_text=_("The name is on the patient's plan card."),
        error_messages={"required": _("Choose the health plan, or choose that it is not on the list.")},
    )
    plan_name_not_listed = TextField(
        label=_("If the plan is not on the list: its name"),
        max_length=case_max("plan_name_not_listed"),
        required=False,
    )
    member_id = TextField(
        label=_("Member ID (optional)"),
        max_length=case_max("member_id"),
        required=False,
        help_text=_("Also on the plan card."),
    )
    medical_group = TextField(
        label=_("Medical group or IPA (optional)"), max_length=case_max("medical_group"), required=False
    )
    employer = TextField(
        label=_("Employer that provides the plan (optional)"), max_length=case_max("employer"), required=False
    )
    medi_cal_id = TextField(label=_("Medi-Cal ID (optional)"), max_length=case_max("medi_cal_id"), required=False)
    medicare_id = TextField(label=_("Medicare ID (optional)"), max_length=case_max("medicare_id"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plans = HealthPlan.objects.filter(is_active=True).order_by("name").values_list("id", "name")
        self.fields["health_plan"].choices = [
            ("", _("Choose the plan")),
            *((str(plan_id), name) for plan_id, name in plans),
            (PLAN_NOT_LISTED, _("The plan is not on this list")),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("health_plan") == PLAN_NOT_LISTED:
            if not cleaned.get("plan_name_not_listed"):
                self.add_error("plan_name_not_listed", _("Type the name of the health plan."))
        elif cleaned.get("health_plan"):
            cleaned["plan_name_not_listed"] = ""
        return cleaned


class GrievanceForm(StepForm):
    grievance_filed = YesNoField(
        label=_("Have you filed a grievance (a complaint) with the health plan about this problem?")
    )
    grievance_filed_date = MemorableDateField(
        label=_("If yes: the date you filed it"), required=False, help_text=_("An approximate date is fine.")
    )
    plan_decided = YesNoField(
        label=_("Has the plan sent its written decision on the grievance?"),
        required=False,
    )
    plan_decision_date = MemorableDateField(
        label=_("If yes: the date of the plan's written decision"),
        required=False,
        help_text=_("It is on the plan's letter."),
    )
    late_filing_reason = LongTextField(
        label=_("Only if the plan decided more than 6 months ago: why are you asking for help now?"),
        required=False,
        rows=4,
        help_text=_(
            "You can still apply after 6 months if you have a good reason. "
            "The Help Center decides whether it can accept a late application."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("grievance_filed"):
            if cleaned.get("grievance_filed") is False:
                cleaned.update(grievance_filed_date=None, plan_decided=False, plan_decision_date=None)
                cleaned["late_filing_reason"] = ""
            return cleaned
        if not cleaned.get("grievance_filed_date") and "grievance_filed_date" not in self.errors:
            self.add_error("grievance_filed_date", _("Enter the date you filed the grievance with the plan."))
        if cleaned.get("plan_decided") is None and "plan_decided" not in self.errors:
            self.add_error("plan_decided", _("Choose yes or no."))
        if not cleaned.get("plan_decided"):
            cleaned.update(plan_decision_date=None, late_filing_reason="")
            return cleaned
        decision_date = cleaned.get("plan_decision_date")
        if decision_date is None:
            if "plan_decision_date" not in self.errors:
                self.add_error("plan_decision_date", _("Enter the date of the plan's written decision."))
            return cleaned
        filed_date = cleaned.get("grievance_filed_date")
        if filed_date and decision_date < filed_date:
            self.add_error(
                "plan_decision_date", _("The plan's decision cannot come before the date you filed the grievance.")
            )
        last_day = filing_window_last_day(decision_date)
        if today_local() > last_day:
            if not cleaned.get("late_filing_reason"):
                self.add_error(
                    "late_filing_reason",
                    _(
                        "The plan decided more than 6 months ago (the last day was %(day)s). Tell us why you are "
                        "applying now. The Help Center decides whether it can accept a late application."
                    )
                    % {"day": date_format(last_day, "DATE_FORMAT")},
                )
        else:
            cleaned["late_filing_reason"] = ""
        return cleaned


class ProblemForm(StepForm):
    category = forms.ChoiceField(
        label=_("What kind of problem is it?"),
        choices=labels.CATEGORY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of problem.")},
    )
    denial_reason = forms.ChoiceField(
        label=_("What reason did the plan give?"),
        choices=labels.DENIAL_REASON_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason the plan gave.")},
    )
    treatment_in_dispute = TextField(
        label=_("What did the plan deny, change or delay? Or which bill is in dispute?"),
        max_length=case_max("treatment_in_dispute"),
        help_text=_("For example: knee surgery, a medicine, a hospital bill of March 3."),
        required_message=_("Say what the plan denied, changed or delayed, or which bill is in dispute."),
    )
    what_happened = LongTextField(
        label=_("What happened?"),
        help_text=_("In your own words. Dates help."),
        required_message=_("Tell us what happened."),
    )
    desired_outcome = LongTextField(
        label=_("What would you like to happen?"),
        rows=4,
        required_message=_("Tell us what you would like to happen."),
    )
    treating_provider = TextField(
        label=_("The doctor or other provider treating the patient (optional)"),
        max_length=case_max("treating_provider"),
        required=False,
    )
    urgent = YesNoField(
        label=_("Is it urgent? Could waiting seriously harm the patient's health?"),
    )
    urgent_reason = LongTextField(label=_("If it is urgent: why?"), required=False, rows=3)
    state_fair_hearing = YesNoField(
        label=_("Medi-Cal only: has a State Fair Hearing already decided this same problem?"),
        help_text=_("If the patient does not have Medi-Cal, answer no."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("urgent") and not cleaned.get("urgent_reason"):
            self.add_error("urgent_reason", _("Tell us why it is urgent."))
        if cleaned.get("urgent") is False:
            cleaned["urgent_reason"] = ""
        return cleaned


class SignForm(StepForm):
    records_authorized = forms.BooleanField(
        label=_(
            "I allow the patient's health plan, doctors and hospitals to give the Help Center the medical "
            "records it needs for this case, and the Help Center to share them with the independent reviewers."
        ),
        error_messages={"required": _("We need this permission to review the case. Tick the box to give it.")},
    )
    declaration = forms.BooleanField(
        label=_("The information in this application is true, as far as I know."),
        error_messages={"required": _("Tick the box to confirm the information is true.")},
    )
    signed_name = TextField(
        label=_("Type your full name to sign"),
        max_length=case_max("signed_name"),
        name=True,
        help_text=_("Your typed name is your signature."),
        required_message=_("Type your full name to sign."),
    )
