"""Staff decide whether a late filing's reason is accepted (HSC 1374.30: later than 6 months only
with a good reason that staff accept). The answer is a fact of the case, not a status: it opens
or keeps closed the way to IMR (``workflow.filed_in_time``)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from complaints.errors import CaseError, NotPermitted
from complaints.models import Case, CaseEvent, Status
from complaints.services.timeline import event_record
from complaints.workflow import Role, actor_roles

_BEFORE_TRIAGE = frozenset({Status.FILED, Status.ACKNOWLEDGED, Status.RESPONSE_REQUESTED, Status.RESPONSE_RECEIVED})
_DECIDERS = frozenset({Role.INTAKE, Role.SUPERVISOR})


def late_filing_decide(*, case: Case, accepted: bool, reason: str, actor, now: datetime | None = None) -> Case:
    """Record whether the late filing's reason is accepted. Raises NotPermitted for anyone but
    intake or supervisors, and CaseError without a reason, without a late-filing reason on the
    case, or once the case has been triaged."""
    if not actor_roles(actor, case) & _DECIDERS:
        raise NotPermitted("Only intake staff or a supervisor decide on a late filing.")
    reason = (reason or "").strip()
    if not reason:
        raise CaseError("Say why.", field_errors={"reason": "Say why the reason is or is not accepted."})
    now = now or timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not locked.late_filing_reason:
            raise CaseError("The enrollee gave no reason for a late filing on this case.")
        if locked.status not in _BEFORE_TRIAGE:
            raise CaseError("The case has been triaged; the late filing can no longer be decided.")
        locked.late_filing_accepted = accepted
        locked.full_clean()
        locked.save(update_fields=["late_filing_accepted"])
        event_record(
            case=locked,
            kind=CaseEvent.Kind.LATE_FILING,
            summary="Late filing accepted" if accepted else "Late filing not accepted",
            occurred_at=now,
            actor=actor,
            actor_role="STAFF",
            reason=reason,
            data={"accepted": accepted},
        )
    return locked
