"""The eligibility check at /guide/check/: a GET form whose answers stay in the address bar,
so nothing is stored and the result can be bookmarked or shared."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from filing.eligibility import eligibility_advice
from filing.forms.eligibility import EligibilityForm
from imr.models import DECISION_TYPE_FOR_REASON
from imr.similar import similar_cases


@require_GET
def eligibility_check(request):
    form = EligibilityForm(request.GET or None)
    advice = similar = None
    treatment_unmatched = False
    if form.is_bound and form.is_valid():
        advice = eligibility_advice(form.answers(), today=timezone.localdate())
        reason, treatment = form.cleaned_data["denial_reason"], form.cleaned_data["treatment"]
        similar = similar_cases(denial_reason=reason, treatment_text=treatment)
        # Words given for a reason that can go to IMR, but naming no one published treatment (in
        # Spanish they never can: DMHC names them in English): say so, not nothing.
        treatment_unmatched = similar is None and bool(treatment.strip()) and reason in DECISION_TYPE_FOR_REASON
    context = {"form": form, "advice": advice, "similar": similar, "treatment_unmatched": treatment_unmatched}
    return render(request, "filing/check.html", context)
