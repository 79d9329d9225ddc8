"""The questions of the eligibility check (a GET form: the answers live only in the address)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filing import labels
from filing.eligibility import EligibilityAnswers
from filing.forms.base import SummaryErrorsMixin
from filing.forms.fields import MemorableDateField, YesNoField


class EligibilityForm(SummaryErrorsMixin, forms.Form):
    urgent = YesNoField(
        label=_("Is it urgent? Could waiting seriously harm your health (or the patient's)?"),
        help_text=_("For example: severe pain, or a risk of losing a limb, an organ or your life."),
    )
    grievance_filed = YesNoField(label=_("Have you filed a grievance (a complaint) with your health plan?"))
    grievance_filed_date = MemorableDateField(label=_("If yes: the date you filed it"), required=False)
    plan_decided = YesNoField(
        label=_("If yes: has your plan sent you its written decision on the grievance?"), required=False
    )
    plan_decision_date = MemorableDateField(label=_("If yes: the date of the plan's decision"), required=False)
    denial_reason = forms.ChoiceField(
        label=_("What reason did the plan give?"),
        choices=labels.DENIAL_REASON_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason the plan gave.")},
    )
    treatment = forms.CharField(
        label=_("What did the plan deny, change or delay? (optional)"),
        help_text=_(
            "For example: physical therapy, an MRI, a medicine. We use it only to show how similar cases ended."
        ),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms.helper import FormHelper

        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        filed = cleaned.get("grievance_filed")
        if filed and not cleaned.get("grievance_filed_date") and "grievance_filed_date" not in self.errors:
            self.add_error("grievance_filed_date", _("Enter the date you filed the grievance."))
        decided = filed and cleaned.get("plan_decided")
        if decided and not cleaned.get("plan_decision_date") and "plan_decision_date" not in self.errors:
            self.add_error("plan_decision_date", _("Enter the date of the plan's decision."))
        return cleaned

    def answers(self) -> EligibilityAnswers:
        cleaned = self.cleaned_data
        filed = bool(cleaned.get("grievance_filed"))
        decided = filed and bool(cleaned.get("plan_decided"))
        return EligibilityAnswers(
            urgent=bool(cleaned["urgent"]),
            grievance_filed=filed,
            grievance_filed_date=cleaned.get("grievance_filed_date") if filed else None,
            plan_decided=decided,
            plan_decision_date=cleaned.get("plan_decision_date") if decided else None,
            denial_reason=cleaned["denial_reason"],
        )
