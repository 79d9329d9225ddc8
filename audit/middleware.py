"""Writes the audit row of every request to a page that reads or changes health information.

``AuditMiddleware`` runs after the view. It looks up the page's rule (``audit.rules``) by its URL
name and, for a signed-in person, writes who, what, which case, when, from where and the outcome
told by the response. The views say which case they actually reached with one call,
``case_reached(request, case)``, right after their selector found it: a case number in the log
then means the person got to that case; a number asked for but not reached is logged as denied.
"""

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from audit.models import Outcome
from audit.rules import SIGN_IN_ROUTES, rule_for
from audit.services import audit_record

_REACHED = "_audit_case_number"


def case_reached(request, case) -> None:
    """Note on the request that the person reached ``case`` (a Case, or a case number)."""
    setattr(request, _REACHED, getattr(case, "number", case) or "")


def _outcome(request, response, rule) -> Outcome:
    status = response.status_code
    if status >= 500:
        return Outcome.ERROR
    if status in (401, 403, 404, 405):
        return Outcome.DENIED
    if status >= 400:
        return Outcome.REFUSED
    if 300 <= status < 400 and _is_sign_in(response.get("Location", "")):
        return Outcome.DENIED
    if request.method == "POST" and status < 300 and not rule.post_shows:
        # A change that went through answers with a redirect; a page shown again has errors.
        return Outcome.REFUSED
    return Outcome.SUCCESS


def _is_sign_in(location: str) -> bool:
    path = urlsplit(location).path
    if not path.startswith("/"):
        return False
    try:
        return resolve(path).view_name in SIGN_IN_ROUTES
    except Resolver404:
        return False


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        rule = rule_for(match.view_name if match else None)
        user = getattr(request, "user", None)
        if rule is not None and user is not None and user.is_authenticated:
            kwargs = match.kwargs
            reached = getattr(request, _REACHED, "")
            audit_record(
                action=rule.action(request.method),
                outcome=_outcome(request, response, rule),
                request=request,
                actor=user,
                case_number=reached or str(kwargs.get("number", "")),
                object_kind=rule.object_kind,
                object_id=str(kwargs.get(rule.id_kwarg, "")) if rule.id_kwarg else "",
                route=match.view_name,
                status_code=response.status_code,
                detail="" if reached or "number" not in kwargs else "case not reached",
            )
        return response
