"""Reads of cases that know who is asking. Every view reaches cases through these.

"Not yours" and "not found" look the same: both raise Case.DoesNotExist (404 in views).
"""

from django.db.models import Prefetch, QuerySet

from complaints.models import Case, CaseEvent, Clock
from complaints.seams import SEAMS


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
    if user.is_reviewer:
        # Only cases assigned to them whose conflict-of-interest attestation is signed; the review
        # app hands the selector in (complaints.seams).
        ids = SEAMS.reviewer_case_ids(user)
        return cases.filter(pk__in=ids) if ids is not None else cases.none()
    return cases.none()


def case_get_for_user(*, user, number: str) -> Case:
    """The case with this number if ``user`` may see it; raises Case.DoesNotExist otherwise."""
    return cases_visible_to(user).get(number=number)


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("occurred_at", "id")


def case_clocks(*, case: Case) -> QuerySet[Clock]:
    return case.clocks.prefetch_related(Prefetch("extensions")).order_by("due_at", "id")


def letters_visible_to(*, user, case: Case) -> QuerySet:
    """Issued letters of ``case`` that ``user`` may open: staff all, the enrollee and the plan
    only those addressed to them. The case itself must come from ``cases_visible_to``."""
    from complaints.models import Letter

    letters = case.letters.filter(state=Letter.State.ISSUED).order_by("issued_at", "id")
    if user.is_help_center_staff:
        return letters
    if user.is_plan_user and case.health_plan_id == user.health_plan_id:
        return letters.filter(recipient="PLAN")
    if user.is_enrollee and case.filed_by_id == user.id:
        return letters.filter(recipient="ENROLLEE")
    return letters.none()


def documents_in_review_file(*, case: Case, up_to=None) -> QuerySet:
    """Every document of ``case`` an outside reviewer receives (the case packet, the decision
    letters' list): the enrollee's, the plan's and the Help Center's, oldest first. With
    ``up_to``, only those added by then. Not a per-user read: callers check who is asking."""
    documents = case.documents.order_by("uploaded_at", "id")
    if up_to is not None:
        documents = documents.filter(uploaded_at__lte=up_to)
    return documents


def documents_openable_by(*, user, case: Case) -> QuerySet:
    """The documents of ``case`` that ``user`` may download now: those ``documents_visible_to``
    gives, less any the virus scan has not found clean (see ``complaints.scanning``)."""
    from complaints.scanning import openable_scan_states

    return documents_visible_to(user=user, case=case).filter(scan_state__in=openable_scan_states())


def documents_visible_to(*, user, case: Case) -> QuerySet:
    """Documents of ``case`` that ``user`` may open: staff all; the plan those shared with it
    and its own; the enrollee those of the case they filed; an independent reviewer the whole
    file of a case ``cases_visible_to`` gives them (assigned and attested)."""
    documents = case.documents.order_by("uploaded_at", "id")
    if user.is_help_center_staff:
        return documents
    if user.is_reviewer:
        return documents if cases_visible_to(user).filter(pk=case.pk).exists() else documents.none()
    if user.is_plan_user and case.health_plan_id == user.health_plan_id:
        return documents.filter(shared_with_plan=True)
    if user.is_enrollee and case.filed_by_id == user.id:
        return documents
    return documents.none()
