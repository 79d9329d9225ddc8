"""Reads for the review organization's pages, each knowing who asks.

A reviewer reaches a case's health information only through an assignment that is theirs, not
declined, and attested (``attested_case_ids``, which complaints also asks through
``complaints.seams``). Before the attestation they reach only the attestation page
(``assignment_to_attest``), which names the parties (needed to judge a conflict) and nothing of
the medical question. "Not yours" raises the same DoesNotExist as "no such case" (404 in views).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import Case, Clock, Status
from complaints.selectors import case_get_for_user, documents_openable_by
from review.models import Assignment, Determination, Referral, Reviewer

DUE_SOON = timedelta(hours=48)


def reviewer_profile(user) -> Reviewer | None:
    """The reviewer row of a signed-in, active reviewer account, or None."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_reviewer:
        return None
    profile = getattr(user, "_reviewer_profile_cache", None)
    if profile is None:
        profile = Reviewer.objects.select_related("organization").filter(user=user).first()
        user._reviewer_profile_cache = profile
    return profile


def _live_assignments(user) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        reviewer__user=user, reviewer__user__is_active=True, reviewer__reviews_cases=True, declined_at__isnull=True
    )


def attested_case_ids(user) -> QuerySet | None:
    """Ids of the cases whose file ``user`` may read: assigned to them, not declined, attested."""
    if user is None or not getattr(user, "is_reviewer", False) or not user.is_active:
        return None
    return _live_assignments(user).filter(attested_at__isnull=False).values("referral__case_id")


def assignment_to_attest(*, user, number: str) -> Assignment:
    """The user's live assignment on case ``number`` that is not attested yet; DoesNotExist otherwise."""
    return (
        _live_assignments(user)
        .filter(attested_at__isnull=True, referral__case__number=number)
        .select_related("referral__case__health_plan", "referral__case__patient", "referral__organization")
        .get()
    )


def assignment_attested(*, user, number: str) -> Assignment:
    """The user's attested assignment on case ``number`` (the case reached through the complaints
    selector, so both rules hold); raises Assignment.DoesNotExist otherwise."""
    try:
        case = case_get_for_user(user=user, number=number)
    except Case.DoesNotExist:
        raise Assignment.DoesNotExist from None
    assignment = (
        _live_assignments(user)
        .filter(attested_at__isnull=False, referral__case=case)
        .select_related("referral__organization", "reviewer")
        .get()
    )
    assignment.referral.case = case
    return assignment


@dataclass(frozen=True)
class CaseFile:
    """What the reviewer reads: the question, the application, the plan's response, every document."""

    case: Case
    assignment: Assignment
    determination: Determination | None
    enrollee_documents: list
    plan_responses: list
    plan_documents: list
    clock: Clock | None


def case_file(*, assignment: Assignment) -> CaseFile:
    case = assignment.referral.case
    documents = list(documents_openable_by(user=assignment.reviewer.user, case=case))
    responses = list(case.plan_responses.order_by("submitted_at", "id"))
    for response in responses:
        response.file_documents = [d for d in documents if d.plan_response_id == response.id]
    return CaseFile(
        case=case,
        assignment=assignment,
        determination=Determination.objects.filter(assignment=assignment).first(),
        enrollee_documents=[d for d in documents if d.source != "PLAN"],
        plan_responses=responses,
        plan_documents=[d for d in documents if d.source == "PLAN" and d.plan_response_id is None],
        clock=case.clocks.filter(name=ClockName.IMRO_DETERMINATION).first(),
    )


@dataclass(frozen=True)
class QueueRow:
    assignment: Assignment | None
    referral: Referral
    due_at: datetime | None
    late: bool
    due_soon: bool
    submitted: bool

    @property
    def case(self) -> Case:
        return self.referral.case


def _clock_state(clock: Clock | None, now: datetime) -> tuple[datetime | None, bool, bool]:
    if clock is None or not clock.is_running:
        return None, False, False
    due = clock.due_at.astimezone(LOCAL_TZ)
    late = due < now
    return due, late, not late and due - now <= DUE_SOON


def _imro_clock():
    return Prefetch(
        "referral__case__clocks",
        queryset=Clock.objects.filter(name=ClockName.IMRO_DETERMINATION),
        to_attr="imro_clocks",
    )


# How many rows each list shows, due first: rendering, not the database, is what grows with rows
# (make bench, review module).
REVIEWER_LIMIT = 100
COORDINATOR_LIMIT = 50


def reviewer_queue(*, user, now: datetime, limit: int = REVIEWER_LIMIT) -> list[QueueRow]:
    """The reviewer's open assignments (cases still in IMR review), due first. Three queries."""
    assignments = (
        _live_assignments(user)
        .filter(referral__case__status=Status.IN_IMR_REVIEW)
        .select_related("referral__case", "referral__organization")
        .prefetch_related(_imro_clock())
        .annotate(submitted=Exists(Determination.objects.filter(assignment=OuterRef("pk"), submitted_at__isnull=False)))
        .order_by("referral__case__next_due_at", "assigned_at", "id")[:limit]
    )
    rows = []
    for assignment in assignments:
        clocks = assignment.referral.case.imro_clocks
        due, late, soon = _clock_state(clocks[0] if clocks else None, now)
        rows.append(
            QueueRow(
                assignment=assignment, referral=assignment.referral, due_at=due, late=late, due_soon=soon,
                submitted=assignment.submitted,
            )
        )  # fmt: skip
    far = datetime.max.replace(tzinfo=LOCAL_TZ)
    return sorted(rows, key=lambda row: (row.submitted, row.due_at or far, row.case.number))


def coordinator_referrals(*, user) -> QuerySet[Referral]:
    """The open referrals of the coordinator's organization; none for anyone else."""
    profile = reviewer_profile(user)
    if profile is None or not profile.is_coordinator:
        return Referral.objects.none()
    return Referral.objects.filter(organization_id=profile.organization_id, case__status=Status.IN_IMR_REVIEW)


@dataclass(frozen=True)
class CoordinatorView:
    unassigned: list[QueueRow]
    late: list[QueueRow]


def coordinator_queue(*, user, now: datetime, limit: int = COORDINATOR_LIMIT) -> CoordinatorView:
    """The organization's cases still short of reviewers, and its late cases, the ``limit`` due
    first. Three queries."""
    referrals = (
        coordinator_referrals(user=user)
        .annotate(live=Count("assignments", filter=Q(assignments__declined_at__isnull=True)))
        .filter(Q(live__lt=F("reviewers_needed")) | Q(case__next_due_at__lt=now))
        .select_related("case")
        .prefetch_related(
            Prefetch(
                "case__clocks",
                queryset=Clock.objects.filter(name=ClockName.IMRO_DETERMINATION),
                to_attr="imro_clocks",
            )
        )
        .order_by("case__next_due_at", "sent_at", "id")[:limit]
    )
    unassigned, late = [], []
    for referral in referrals:
        clocks = referral.case.imro_clocks
        due, is_late, soon = _clock_state(clocks[0] if clocks else None, now)
        row = QueueRow(assignment=None, referral=referral, due_at=due, late=is_late, due_soon=soon, submitted=False)
        if referral.live < referral.reviewers_needed:
            unassigned.append(row)
        if is_late:
            late.append(row)
    return CoordinatorView(unassigned=unassigned, late=late)


def referral_for_coordinator(*, user, number: str) -> Referral:
    """An open referral of the coordinator's organization; DoesNotExist otherwise."""
    return (
        coordinator_referrals(user=user)
        .select_related("case", "organization")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("reviewer__user")))
        .get(case__number=number)
    )


def assignable_reviewers(*, referral: Referral) -> QuerySet[Reviewer]:
    """Active reviewers of the referral's organization not yet asked on this case, the specialty
    asked for first."""
    asked = Assignment.objects.filter(referral=referral).values("reviewer_id")
    reviewers = (
        Reviewer.objects.filter(organization=referral.organization, reviews_cases=True, user__is_active=True)
        .exclude(pk__in=asked)
        .select_related("user")
    )
    return reviewers.order_by("specialty", "user__full_name", "id")
