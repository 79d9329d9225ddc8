"""The eligibility check at /guide/check/: a GET form whose answers stay in the address bar,
so nothing is stored and the result can be bookmarked or shared."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from filing.eligibility import eligibility_advice
from filing.forms.eligibility import EligibilityForm
from imr.similar import similar_cases


@require_GET
def eligibility_check(request):
    form = EligibilityForm(request.GET or None)
    advice = similar = None
    if form.is_bound and form.is_valid():
        advice = eligibility_advice(form.answers(), today=timezone.localdate())
        similar = similar_cases(
            denial_reason=form.cleaned_data["denial_reason"], treatment_text=form.cleaned_data["treatment"]
        )
    return render(request, "filing/check.html", {"form": form, "advice": advice, "similar": similar})
