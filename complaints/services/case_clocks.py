"""Writes to a case's clocks: start, meet, stop, extend. Each lands in the timeline.

Due moments come from ``complaints.clocks`` (the rules table and arithmetic). This module decides
only when each clock starts: most start at the move that needs them, but some count from an
earlier fact of the case (receipt, the plan's decision, the grievance date).
"""

from datetime import date, datetime

from django.db import transaction

from complaints.clocks import CLOCK_RULES, HISTORICAL_CLOCKS, LOCAL_TZ, ClockName, due_at, extension_refusal
from complaints.errors import CaseError
from complaints.models import Case, CaseEvent, Clock, ClockExtension
from complaints.row_checks import row_clean
from complaints.services.timeline import event_new, event_record, events_record


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)


def case_next_due_refresh(*, case: Case, clocks: list[Clock] | None = None) -> None:
    """Store on the case its running clock due first, for the work queue. ``clocks``: every clock
    of the case, saved, when the caller holds them all (then they are not read again)."""
    # One rule, in Python, whether the clocks are held or read: a case has a handful of clocks.
    clocks = list(Clock.objects.filter(case=case)) if clocks is None else clocks
    running = [clock for clock in clocks if clock.is_running and clock.name not in HISTORICAL_CLOCKS]
    earliest = min(running, key=lambda clock: (clock.due_at, clock.id), default=None)
    first = (earliest.due_at, earliest.name) if earliest else None
    next_due_at, next_clock_name = first or (None, "")
    if (case.next_due_at, case.next_clock_name) != (next_due_at, next_clock_name):
        Case.objects.filter(pk=case.pk).update(next_due_at=next_due_at, next_clock_name=next_clock_name)
        case.next_due_at, case.next_clock_name = next_due_at, next_clock_name


def clock_anchor(case: Case, name: ClockName, now: datetime) -> datetime | None:
    """The moment ``name`` starts counting for ``case``, or None if its starting fact is unknown."""
    if name in (ClockName.ACKNOWLEDGEMENT, ClockName.ELIGIBILITY_NOTICE, ClockName.COMPLAINT_DECISION):
        return case.received_at
    if name == ClockName.FILING_WINDOW:
        return _start_of_day(case.plan_decision_date) if case.plan_decision_date else None
    if name == ClockName.PLAN_GRIEVANCE:
        return _start_of_day(case.grievance_filed_date) if case.grievance_filed_date else None
    return now


def clock_start(
    *, case: Case, name: ClockName, now: datetime, actor=None, actor_role: str = "SYSTEM", met_at=None
) -> Clock | None:
    """Start ``name`` on ``case`` unless it already runs (starting twice changes nothing).

    ``met_at`` records a clock whose event is already in the past (the filing window at filing).
    Returns None when the clock's starting fact is unknown.
    """
    started = clocks_start(case=case, starts=[(name, met_at)], now=now, actor=actor, actor_role=actor_role)
    return started[ClockName(name)]


def clocks_start(
    *,
    case: Case,
    starts: list[tuple[ClockName, datetime | None]],
    now: datetime,
    actor=None,
    actor_role: str = "SYSTEM",
    events_before: list[CaseEvent] | None = None,
    clocks: list[Clock] | None = None,
) -> dict[ClockName, Clock | None]:
    """Start each ``(name, met_at)`` of ``starts`` as ``clock_start`` does, in that order, with
    one read of the case's clocks, one insert of the new clocks and one of their timeline events.
    ``events_before``: events made by ``event_new`` that come first in the timeline, written in
    the same insert. ``clocks``: the case's clocks when the caller knows them (a case made in its
    transaction has none); else they are read. Returns each name's clock: the one already there,
    the new one, or None (no starting fact)."""
    clocks = list(case.clocks.order_by("id")) if clocks is None else clocks
    result: dict[ClockName, Clock | None] = {ClockName(clock.name): clock for clock in clocks}
    new: list[Clock] = []
    for name, met_at in starts:
        name = ClockName(name)
        if name in result:
            continue
        started_at = clock_anchor(case, name, now)
        result[name] = None
        if started_at is None:
            continue
        clock = Clock(
            case=case,
            name=name,
            urgent=case.urgent,
            started_at=started_at,
            due_at=due_at(name, started_at, urgent=case.urgent),
            met_at=met_at,
        )
        # Unique per case and name: the read above found none, and the caller holds the case.
        row_clean(clock, saved=["case"], validate_unique=False)
        result[name] = clock
        new.append(clock)
    if new:
        Clock.objects.bulk_create(new)
    events = [_started_event(clock, now=now, actor=actor, actor_role=actor_role) for clock in new]
    events_record([*(events_before or []), *events])
    if new:
        case_next_due_refresh(case=case, clocks=clocks + new)
    return {ClockName(name): result[ClockName(name)] for name, _ in starts}


def _started_event(clock: Clock, *, now: datetime, actor, actor_role: str) -> CaseEvent:
    name = ClockName(clock.name)
    rule = CLOCK_RULES[name]
    length = rule.urgent if clock.urgent else rule.normal
    return event_new(
        case=clock.case,
        kind=CaseEvent.Kind.CLOCK_STARTED,
        summary=f"{name.label} clock: {length}, due {clock.due_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M %Z}",
        occurred_at=now,
        actor=actor,
        actor_role=actor_role,
        data={"clock": name, "started_at": clock.started_at.isoformat(), "due_at": clock.due_at.isoformat()},
    )


def clock_meet(*, case: Case, name: ClockName, now: datetime, actor=None, actor_role: str = "SYSTEM") -> Clock | None:
    """Mark ``name`` met now. A clock that is not running (or never started) is left alone."""
    clock = case.clocks.select_for_update().filter(name=name, met_at__isnull=True, stopped_at__isnull=True).first()
    if clock is None:
        return None
    clock.met_at = now
    clock.save(update_fields=["met_at"])
    on_time = "on time" if clock.met_on_time else "LATE"
    event_record(
        case=case,
        kind=CaseEvent.Kind.CLOCK_MET,
        summary=f"{ClockName(name).label} clock met {on_time}",
        occurred_at=now,
        actor=actor,
        actor_role=actor_role,
        data={"clock": name, "due_at": clock.due_at.isoformat(), "on_time": clock.met_on_time},
    )
    case_next_due_refresh(case=case)
    return clock


def clocks_stop(
    *, case: Case, now: datetime, names: tuple[ClockName, ...] | None = None, actor=None, actor_role: str = "SYSTEM"
) -> list[Clock]:
    """Stop running clocks of the case (all of them, or those ``names``): they no longer count."""
    running = case.clocks.select_for_update().filter(met_at__isnull=True, stopped_at__isnull=True)
    if names is not None:
        running = running.filter(name__in=names)
    stopped = list(running.order_by("id"))
    for clock in stopped:
        clock.stopped_at = now
        clock.save(update_fields=["stopped_at"])
        event_record(
            case=case,
            kind=CaseEvent.Kind.CLOCK_STOPPED,
            summary=f"{clock.get_name_display()} clock stopped",
            occurred_at=now,
            actor=actor,
            actor_role=actor_role,
            data={"clock": clock.name},
        )
    if stopped:
        case_next_due_refresh(case=case)
    return stopped


def clock_extend(*, clock: Clock, new_due_at: datetime, reason: str, actor, now: datetime) -> Clock:
    """Move a running clock's due moment later, for a stated reason, by Help Center staff.

    Raises CaseError when the actor is not staff, the reason is empty, the clock no longer runs,
    or the new due moment is not later than the current one.
    """
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say why the clock is extended."
    if new_due_at.tzinfo is None:
        errors["new_due_at"] = "Give the new due time with its time zone."
    if errors:
        raise CaseError("The extension is incomplete.", field_errors=errors)
    if actor is None or not actor.is_help_center_staff:
        raise CaseError("Only Help Center staff can extend a clock.")
    with transaction.atomic():
        clock = Clock.objects.select_for_update().select_related("case").get(pk=clock.pk)
        if not clock.is_running:
            raise CaseError("This clock no longer runs; it cannot be extended.")
        if new_due_at <= clock.due_at:
            raise CaseError(
                "An extension must move the due time later.", field_errors={"new_due_at": "Choose a later time."}
            )
        refusal = extension_refusal(
            clock.name, extension_count=clock.extension_count, due=clock.due_at, new_due=new_due_at
        )
        if refusal:
            raise CaseError(refusal, field_errors={"new_due_at": refusal})
        extension = ClockExtension(
            clock=clock,
            extended_by=actor,
            extended_at=now,
            previous_due_at=clock.due_at,
            new_due_at=new_due_at,
            reason=reason,
        )
        extension.full_clean()
        extension.save()
        clock.due_at = new_due_at
        clock.extension_count += 1
        clock.save(update_fields=["due_at", "extension_count"])
        event_record(
            case=clock.case,
            kind=CaseEvent.Kind.CLOCK_EXTENDED,
            summary=(
                f"{clock.get_name_display()} clock extended from "
                f"{extension.previous_due_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} "
                f"to {new_due_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M %Z}"
            ),
            occurred_at=now,
            actor=actor,
            actor_role="STAFF",
            reason=reason,
            data={"clock": clock.name, "previous_due_at": extension.previous_due_at.isoformat()},
        )
        case_next_due_refresh(case=clock.case)
    return clock
