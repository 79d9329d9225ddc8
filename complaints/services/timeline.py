"""The case timeline: one immutable event per thing that happened."""

from datetime import datetime

from complaints.models import Case, CaseEvent


def event_record(
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
    """Append an event to the case's timeline. Events are never updated or deleted."""
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
    event.full_clean()
    event.save()
    return event
