"""Reads for the plan portal. Every one starts from ``complaints.selectors.cases_visible_to``, so a
plan user only ever reaches their own plan's cases; a case of another plan is "not found".

A plan sees a case once the Help Center has asked it for its written response (the case then has
a plan response clock): before that the case is still at intake and the plan has nothing to do.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import (
    ENROLLEE_WINS,
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    Clock,
    Document,
    PlanResponse,
    Status,
)
from complaints.selectors import case_timeline, cases_visible_to, documents_visible_to, letters_visible_to

PLAN_CLOCKS = (ClockName.PLAN_RESPONSE, ClockName.IMR_IMPLEMENTATION)
# How long before a due time an item is marked "due soon".
DUE_SOON = timedelta(hours=24)


class Need:
    RESPOND = "RESPOND"
    CARRY_OUT = "CARRY_OUT"


NEED_LABELS = {
    Need.RESPOND: "Send the written response and records",
    Need.CARRY_OUT: "Carry out the decision and confirm it",
}


@dataclass(frozen=True)
class QueueItem:
    case: Case
    need: str
    due_at: datetime | None
    late: bool
    due_soon: bool

    @property
    def need_label(self) -> str:
        return NEED_LABELS[self.need]


def plan_cases(user) -> QuerySet[Case]:
    """The cases of the user's plan that the Help Center has sent to the plan."""
    sent_to_plan = Clock.objects.filter(case=OuterRef("pk"), name=ClockName.PLAN_RESPONSE)
    return cases_visible_to(user).filter(Exists(sent_to_plan)) if user.is_plan_user else Case.objects.none()


def plan_case_get(*, user, number: str) -> Case:
    """The case if it is the user's plan's and was sent to the plan; raises Case.DoesNotExist."""
    return plan_cases(user).get(number=number)


def end_of_day(day) -> datetime:
    """A date the plan must meet counts to the end of that day in California."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)


def case_need(case: Case, now: datetime) -> QueueItem | None:
    """What the plan must do on the case now, with its due time; None if nothing.

    Needs ``case.plan_clocks`` (the running plan clocks) prefetched, as ``plan_queue`` does.
    """
    running = {clock.name: clock for clock in case.plan_clocks if clock.is_running}
    if case.status == Status.RESPONSE_REQUESTED:
        need, clock = Need.RESPOND, running.get(ClockName.PLAN_RESPONSE)
        due = clock.due_at if clock else None
    elif case.status == Status.DECISION_ISSUED and case.outcome in ENROLLEE_WINS:
        need, clock = Need.CARRY_OUT, running.get(ClockName.IMR_IMPLEMENTATION)
        due = clock.due_at if clock else (end_of_day(case.carry_out_by_date) if case.carry_out_by_date else None)
    else:
        return None
    due = due.astimezone(LOCAL_TZ) if due else None
    late = due is not None and due < now
    return QueueItem(
        case=case, need=need, due_at=due, late=late, due_soon=not late and due is not None and due - now <= DUE_SOON
    )


def _with_plan_clocks(cases: QuerySet[Case]) -> QuerySet[Case]:
    clocks = Clock.objects.filter(name__in=PLAN_CLOCKS).order_by("due_at", "id")
    return cases.prefetch_related(Prefetch("clocks", queryset=clocks, to_attr="plan_clocks"))


def plan_queue(*, user, now: datetime) -> list[QueueItem]:
    """The plan's cases that need something from it, late ones first, then by due time."""
    waiting = plan_cases(user).filter(
        Q(status=Status.RESPONSE_REQUESTED) | Q(status=Status.DECISION_ISSUED, outcome__in=ENROLLEE_WINS)
    )
    items = [
        item for case in _with_plan_clocks(waiting.order_by("received_at", "id")) if (item := case_need(case, now))
    ]
    far_future = datetime.max.replace(tzinfo=LOCAL_TZ)
    return sorted(items, key=lambda item: (not item.late, item.due_at or far_future, item.case.number))


def plan_open_cases(*, user) -> QuerySet[Case]:
    """Every open case of the plan that the Help Center sent to it, newest first."""
    return plan_cases(user).exclude(status__in=TERMINAL_STATUSES).order_by("-received_at", "-id")


@dataclass(frozen=True)
class PlanCaseView:
    """Everything the plan may see on one case, and nothing more."""

    case: Case
    need: QueueItem | None
    clocks: list[Clock]
    enrollee_documents: list[Document]
    responses: list[PlanResponse]
    proofs: list[Document]
    letters: list
    timeline: list["HistoryRow"]


@dataclass(frozen=True)
class HistoryRow:
    occurred_at: datetime
    summary: str
    who: str


_WHO = {"PLAN": "your plan", "ENROLLEE": "the member", "SYSTEM": "the portal"}


def _history_row(event: CaseEvent) -> HistoryRow:
    """One line of history as a plan reads it: staff are "the Help Center", never named, and no
    reason typed by staff or the member is shown."""
    who = _WHO.get(event.actor_role, "the Help Center")
    if event.actor_role == "PLAN" and event.actor is not None:
        who = f"your plan: {event.actor.full_name}"
    return HistoryRow(occurred_at=event.occurred_at, summary=event.summary, who=who)


def plan_case_view(*, user, case: Case, now: datetime) -> PlanCaseView:
    """The plan's view of ``case`` (which must come from ``plan_case_get``)."""
    clocks = list(case.clocks.filter(name__in=PLAN_CLOCKS).order_by("started_at", "id"))
    case.plan_clocks = clocks
    documents = list(documents_visible_to(user=user, case=case))
    responses = list(case.plan_responses.select_related("submitted_by").order_by("submitted_at", "id"))
    for response in responses:
        # Only what documents_visible_to lets the plan open, even on its own responses.
        response.visible_documents = [d for d in documents if d.plan_response_id == response.id]
    return PlanCaseView(
        case=case,
        need=case_need(case, now),
        clocks=clocks,
        enrollee_documents=[d for d in documents if d.source != Document.Source.PLAN and d.plan_response_id is None],
        responses=responses,
        proofs=[
            d for d in documents if d.kind == Document.Kind.PROOF_OF_IMPLEMENTATION and d.source == Document.Source.PLAN
        ],
        letters=list(letters_visible_to(user=user, case=case)),
        timeline=[_history_row(event) for event in plan_timeline(case=case)],
    )


def plan_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    """The part of the timeline a plan may read: status changes, its own responses and uploads,
    and its own clocks. Reasons typed by staff or the enrollee are left out by the page."""
    kinds = CaseEvent.Kind
    return case_timeline(case=case).filter(
        Q(kind__in=[kinds.MOVE, kinds.PLAN_RESPONSE])
        | Q(
            kind__in=[kinds.CLOCK_STARTED, kinds.CLOCK_MET, kinds.CLOCK_STOPPED, kinds.CLOCK_EXTENDED],
            data__clock__in=list(PLAN_CLOCKS),
        )
        | Q(kind=kinds.DOCUMENT_ADDED, actor_role="PLAN")
    )
