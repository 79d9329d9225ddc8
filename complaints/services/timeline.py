"""The case timeline: one immutable event per thing that happened."""

from collections.abc import Sequence
from datetime import datetime

from complaints.models import Case, CaseEvent
from complaints.row_checks import row_clean


def event_new(
    *,
    case: Case,
    kind: str,
    summary: str,
    occurred_at: datetime,
    actor=None,
    actor_role: str = "SYSTEM",
    move: str = "",
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """A validated, unsaved event; ``events_record`` saves it (or ``event_record`` does both).
    Raises ValidationError if the event breaks a rule of the model."""
    event = CaseEvent(
        case=case,
        kind=kind,
        summary=summary[:300],
        occurred_at=occurred_at,
        actor=actor,
        actor_role=actor_role,
        move=move,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )
    # The case and the actor are rows the caller holds (just written, or read in its transaction).
    row_clean(event, saved=["case", "actor"])
    return event


def events_record(events: Sequence[CaseEvent]) -> list[CaseEvent]:
    """Append events made by ``event_new`` to their timelines, in this order, in one insert."""
    return CaseEvent.objects.bulk_create(events) if events else []


def event_record(**fields) -> CaseEvent:
    """Append an event to the case's timeline (the arguments of ``event_new``). Events are never
    updated or deleted."""
    event = event_new(**fields)
    event.save()
    return event
