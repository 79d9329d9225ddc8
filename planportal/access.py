"""Who may open a plan page: a signed-in, active plan user whose session passed the second factor.

Anyone not signed in is sent to the plan sign-in; a plan user who has not given the second factor
in this session is sent to it. Anyone else signed in (an enrollee, Help Center staff) gets "not
found", exactly like a plan user asking for another plan's case, so a plan address gives no hint.
The guard itself is ``twofactor.pages.flow_page``, shared with the review portal.
"""

from twofactor.pages import flow_page
from twofactor.views import Flow


def is_plan_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_plan_user and user.health_plan_id)


FLOW = Flow(
    title="health plan portal",
    base_template="planportal/base.html",
    home_url="plan-portal",
    login_url="plan-login",
    enrol_url="plan-enrol",
    verify_url="plan-verify",
    codes_url="plan-recovery-codes",
    allows=is_plan_member,
)

# Decorate a plan portal view: checks who asks, never cached, always in English.
plan_page = flow_page(FLOW)
