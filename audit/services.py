"""Writing the audit log. Every row is written once, here, and never changed.

``audit_record`` writes one event. It takes the request when there is one, for where the person
was (address, browser, page); the rest is what happened. The detail is a short note for the
reader of the log: callers must never put health information in it (names, diagnoses, text typed
in a form). Case numbers, document and letter ids are identifiers, not health information.
"""

from django.utils import timezone

from audit.models import Action, AuditEvent, Outcome
from ops.network import client_ip, user_agent

# ``actor`` not given: the request's signed-in user, if any.
FROM_REQUEST = object()


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {}
    return {"actor": actor, "actor_label": actor.get_username()[:254], "actor_kind": getattr(actor, "kind", "")[:10]}


def audit_record(
    *,
    action: Action,
    outcome: Outcome,
    request=None,
    actor=FROM_REQUEST,
    actor_label: str = "",
    case_number: str = "",
    object_kind: str = "",
    object_id: str = "",
    route: str = "",
    status_code: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Write one audit event and return it.

    ``actor`` is the account that acted (by default the request's signed-in user; None: no
    account); ``actor_label`` is used when there is no account, e.g. the e-mail typed at a failed
    sign-in. ``route`` defaults to the request's URL name. Raises a database
    error if the row cannot be written: a page that reads health information must not be served
    without its audit row.
    """
    if actor is FROM_REQUEST:
        actor = getattr(request, "user", None) if request is not None else None
    if not route and request is not None and getattr(request, "resolver_match", None) is not None:
        route = request.resolver_match.view_name or ""
    who = _actor_fields(actor)
    who["actor_label"] = (who.get("actor_label") or actor_label)[:254]
    event = AuditEvent(
        occurred_at=timezone.now(),
        action=action,
        outcome=outcome,
        case_number=(case_number or "")[:20],
        object_kind=object_kind[:30],
        object_id=str(object_id or "")[:64],
        route=route[:100],
        status_code=status_code,
        detail=detail[:300],
        **who,
    )
    if request is not None:
        event.method = request.method[:8] if request.method else ""
        event.path = request.path[:300]
        event.ip_address = client_ip(request) or None
        event.user_agent = user_agent(request)
    # The actor was just read from the session or the database: checking it again costs a query
    # on every page, and the database's foreign key checks it anyway.
    event.full_clean(exclude=["actor"], validate_unique=False, validate_constraints=False)
    event.save(force_insert=True)
    return event
