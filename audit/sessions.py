"""Signed-in sessions end after a period without any request, and at a fixed time after sign-in.

``SessionLifetimeMiddleware`` keeps two moments in the session of a signed-in person: when they
signed in and when they were last seen (written at most once a minute, so a busy page costs no
extra write). A request after ``SESSION_IDLE_TIMEOUT_SECONDS`` of silence, or later than
``SESSION_MAX_AGE_SECONDS`` after sign-in, signs the person out before the page runs: the page
then asks them to sign in again. The session cookie's own age (``SESSION_COOKIE_AGE``) is the idle
timeout, so an idle browser also drops the cookie, and ``clearsessions`` removes idle rows.

It must run after AuthenticationMiddleware and before django-otp's OTPMiddleware, so that the
second-factor check sees the signed-out user.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

STARTED_KEY = "_session_signed_in_at"
SEEN_KEY = "_session_last_seen_at"
SEEN_WRITE_SECONDS = 60
# Set on the request before signing out an expired session: the audit log says why.
ENDED_REASON_ATTRIBUTE = "audit_session_ended"


@receiver(user_logged_in, dispatch_uid="audit.session_started")
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED_KEY] = now
        request.session[SEEN_KEY] = now


def session_expired_reason(session, now: int) -> str:
    """Why this signed-in session must end now ("" if it may go on)."""
    started = session.get(STARTED_KEY)
    seen = session.get(SEEN_KEY)
    if isinstance(started, int) and now - started > settings.SESSION_MAX_AGE_SECONDS:
        return "signed in too long ago"
    if isinstance(seen, int) and now - seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
        return "inactive too long"
    return ""


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            reason = session_expired_reason(session, now)
            if reason:
                setattr(request, ENDED_REASON_ATTRIBUTE, reason)
                logout(request)
            else:
                session.setdefault(STARTED_KEY, now)
                seen = session.get(SEEN_KEY)
                if not isinstance(seen, int) or now - seen >= SEEN_WRITE_SECONDS:
                    session[SEEN_KEY] = now
        return self.get_response(request)
