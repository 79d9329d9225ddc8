"""Who may open a review organization page: a signed-in, active reviewer account with a reviewer
row, whose session passed the second factor.

Anyone not signed in is sent to the review sign-in; a reviewer without the second factor this
session is sent to it. Anyone else signed in (enrollee, plan user, Help Center staff) gets "not
found", exactly like a reviewer asking for a case that is not theirs. The guard itself is
``twofactor.pages.flow_page``, shared with the plan portal.
"""

from functools import wraps

from review.selectors import reviewer_profile
from twofactor.pages import flow_page
from twofactor.views import Flow


def is_review_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_reviewer and reviewer_profile(user) is not None)


FLOW = Flow(
    title="independent review portal",
    base_template="review/base.html",
    home_url="review-queue",
    login_url="review-login",
    enrol_url="review-enrol",
    verify_url="review-verify",
    codes_url="review-recovery-codes",
    allows=is_review_member,
)


def review_page(view):
    """Decorate a review view: checks who asks, never cached, in English (staff-like pages); the
    view finds the asker's reviewer row as ``request.reviewer``."""

    @wraps(view)
    def with_reviewer(request, *args, **kwargs):
        request.reviewer = reviewer_profile(request.user)
        return view(request, *args, **kwargs)

    return flow_page(FLOW)(with_reviewer)
