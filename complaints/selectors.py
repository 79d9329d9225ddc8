"""Reads of cases that know who is asking. Every view reaches cases through these.

"Not yours" and "not found" look the same: both raise Case.DoesNotExist (404 in views).
"""

from django.db.models import Prefetch, QuerySet

from complaints.models import Case, CaseEvent, Clock


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases ``user`` may see: their own (enrollee), their plan's (plan user), all (staff)."""
    cases = Case.objects.select_related("health_plan", "patient")
    if user is None or not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.is_help_center_staff:
        return cases
    if user.is_plan_user:
        return cases.filter(health_plan_id=user.health_plan_id)
    if user.is_enrollee:
        return cases.filter(filed_by=user)
    return cases.none()


def case_get_for_user(*, user, number: str) -> Case:
    """The case with this number if ``user`` may see it; raises Case.DoesNotExist otherwise."""
    return cases_visible_to(user).get(number=number)


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("occurred_at", "id")


def case_clocks(*, case: Case) -> QuerySet[Clock]:
    return case.clocks.prefetch_related(Prefetch("extensions")).order_by("due_at", "id")
