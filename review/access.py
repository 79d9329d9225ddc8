"""Who may open a review organization page: a signed-in, active reviewer account with a reviewer
row, whose session passed the second factor.

Anyone not signed in is sent to the review sign-in; a reviewer without the second factor this
session is sent to it. Anyone else signed in (enrollee, plan user, Help Center staff) gets "not
found", exactly like a reviewer asking for a case that is not theirs.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache

from review.selectors import reviewer_profile
from twofactor.services import is_enrolled


def is_review_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_reviewer and reviewer_profile(user) is not None)


def review_page(view):
    """Decorate a review view: checks who asks, never cached, in English (staff-like pages)."""

    @wraps(view)
    @never_cache
    def guarded(request, *args, **kwargs):
        with translation.override("en"):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("review-login"))
            if not is_review_member(user):
                raise Http404("No such page.")
            if not user.is_verified():
                step = "review-verify" if is_enrolled(user) else "review-enrol"
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
            request.reviewer = reviewer_profile(user)
            return view(request, *args, **kwargs)

    return guarded
