"""Sign-ins, failed sign-ins, lockouts and sign-outs, in the audit log; and the glue that puts
every sign-in page (enrollee, plan portal, staff admin) under one rule (``audit.lockout``).

Every sign-in page calls ``django.contrib.auth.authenticate`` with the request, so django-axes
counts each failure by account (the e-mail, in lower case) and client address, and refuses the
account-and-address pair for ``AXES_COOLOFF_TIME`` once it has ``AXES_FAILURE_LIMIT`` failures;
``audit.lockout`` adds the address's limit and the account's growing delays. While refused, even
the right password is not tried, and the page says to wait. A refused attempt is not counted and
extends nothing, so every refusal ends.
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_credentials
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpResponse

from audit.lockout import sign_in_refusal
from audit.models import Action, Outcome
from audit.services import audit_record
from audit.sessions import ENDED_REASON_ATTRIBUTE
from ops.network import client_ip

LOCKED_OUT_TEXT = "Too many tries. Wait 15 minutes and try again."


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' check before the password is tried.

    Every sign-in page passes the request (a test proves it for each one). A call without a
    request cannot be counted or tied to an address; it is not a sign-in page (the test client's
    ``login()``, a management shell), so it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        # django-axes first: a locked pair is refused as such (it raises).
        super().authenticate(request, username=username, password=password, **kwargs)
        credentials = get_credentials(username=username, password=password, **kwargs)
        refusal = sign_in_refusal(
            username=lockout_username(request, credentials), ip_address=request.axes_ip_address or ""
        )
        if refusal is not None:
            # Refused as django-axes refuses a locked pair: the failure signal follows, nothing
            # is counted, and the page says how long to wait.
            request.axes_locked_out = True
            request.sign_in_refusal = refusal
            raise AxesBackendPermissionDenied(refusal.reason)
        return None


def lockout_username(request, credentials) -> str:
    """The account an attempt counts against: the e-mail typed, ignoring case and spaces (so
    that changing the case of a letter does not start a new count)."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("email") or request.POST.get("username")
    return (typed or "").strip().lower()


def lockout_client_ip(request) -> str:
    return client_ip(request)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out attempt gets: the sign-in page's own answer (each page shows the
    wait in its own words), with status 429."""
    if original_response is None:
        return HttpResponse(LOCKED_OUT_TEXT, status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response


def is_locked_out(request) -> bool:
    """Whether this request's sign-in was refused without trying the password (the page then
    says to wait)."""
    return bool(getattr(request, "axes_locked_out", False))


def is_slowed(request) -> bool:
    """Whether the refusal is the account's short wait (a minute at most), not a cool-off."""
    refusal = getattr(request, "sign_in_refusal", None)
    return refusal is not None and refusal.slowed


def _account(email: str):
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email.strip()).first()


@receiver(user_logged_in, dispatch_uid="audit.signed_in")
def _signed_in(sender, request, user, **kwargs):
    audit_record(action=Action.SIGN_IN, outcome=Outcome.SUCCESS, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = str((credentials or {}).get("username") or "")[:254]
    # Refused because already locked out (the password was not even tried), as opposed to the
    # wrong password that just brought on the lockout (django-axes counted it first).
    locked = (
        request is not None and is_locked_out(request) and getattr(request, "axes_failures_since_start", None) is None
    )
    audit_record(
        action=Action.SIGN_IN_FAILED,
        outcome=Outcome.DENIED if locked else Outcome.FAILED,
        request=request,
        actor=_account(typed),
        actor_label=typed,
        detail=_refused_detail(request) if locked else "wrong e-mail address or password",
    )


def _refused_detail(request) -> str:
    refusal = getattr(request, "sign_in_refusal", None)
    return f"refused: {refusal.reason}" if refusal is not None else "refused: locked out"


def _locked_detail(request) -> str:
    refusal = getattr(request, "sign_in_refusal", None)
    return f"attempt refused: {refusal.reason}" if refusal is not None else "attempt while locked out"


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    failures = getattr(request, "axes_failures_since_start", None)
    audit_record(
        action=Action.LOCKED_OUT,
        outcome=Outcome.DENIED,
        request=request,
        actor=_account(username or ""),
        actor_label=username or "",
        detail=f"locked out after {failures} failures" if failures else _locked_detail(request),
    )


@receiver(user_logged_out, dispatch_uid="audit.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    ended = getattr(request, ENDED_REASON_ATTRIBUTE, "") if request is not None else ""
    audit_record(
        action=Action.SESSION_ENDED if ended else Action.SIGN_OUT,
        outcome=Outcome.SUCCESS,
        request=request,
        actor=user,
        detail=ended,
    )
