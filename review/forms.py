"""Forms of the review pages. They only check shape; the rules are in ``review.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from review.models import Determination, Reviewer


class AttestForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm the statement above is true for this case."),
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you decline (for your coordinator)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, reviewer: Reviewer) -> str:
        return f"{reviewer.user.full_name or reviewer.user.email}: {reviewer.specialty}"


class AssignForm(forms.Form):
    # The list holds the organization's active reviewers not yet asked on the case; anything else
    # posted (another organization's reviewer, one already asked) is refused with this sentence.
    reviewer = ReviewerChoiceField(
        queryset=Reviewer.objects.none(),
        label=_("Reviewer"),
        empty_label=_("Choose a reviewer"),
        error_messages={
            "invalid_choice": _("Choose one of the reviewers listed: your organization's, not yet asked on this case.")
        },
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


_TEXT = {"rows": 6, "cols": 70}


class DeterminationForm(forms.Form):
    """Every field may be empty in a draft; ``review.services.determination_problems`` says what a
    submitted determination needs, next to each field."""

    outcome = forms.ChoiceField(
        label=_("Determination"),
        choices=Determination.Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    part_granted = forms.CharField(
        label=_("If overturned in part: which part the plan must provide"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
        required=False,
        max_length=5000,
    )
    reviewer_specialty = forms.CharField(label=_("Your specialty"), max_length=200, required=False)
    board_certification = forms.CharField(
        label=_("Your board certification"),
        max_length=300,
        required=False,
        help_text=_("For example: American Board of Internal Medicine, Medical Oncology."),
    )
    question = forms.CharField(
        label=_("The question reviewed"), widget=forms.Textarea(attrs=_TEXT), required=False, max_length=20_000
    )
    reasons = forms.CharField(
        label=_("Reasons for the determination"), widget=forms.Textarea(attrs=_TEXT), required=False, max_length=50_000
    )
    evidence = forms.CharField(
        label=_("Medical evidence and literature cited"),
        widget=forms.Textarea(attrs=_TEXT),
        required=False,
        max_length=50_000,
    )
