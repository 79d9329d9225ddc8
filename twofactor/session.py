"""The sign-in in progress, kept in the session between the password and the second factor.

A correct password alone never signs anyone in: it only marks the session as "password checked
for user N" for a few minutes. ``django.contrib.auth.login`` runs once the second factor is
checked, together with ``django_otp.login`` so that ``request.user.is_verified()`` holds for the
rest of the session.
"""

import time

import django_otp
from django.contrib import auth
from django.contrib.auth import get_user_model

PENDING_KEY = "twofactor_pending"
PENDING_SECONDS = 10 * 60
CODES_KEY = "twofactor_new_recovery_codes"


def pending_begin(request, user) -> None:
    """Remember that ``user`` gave the right password in this session (for a few minutes)."""
    if request.user.is_authenticated:
        # Someone else (or the same person, half signed in) was signed in here: start clean.
        auth.logout(request)
    else:
        # A new session id, so an id planted before the password was typed is worth nothing.
        request.session.cycle_key()
    request.session[PENDING_KEY] = {"user_id": user.pk, "backend": user.backend, "at": int(time.time())}


def pending_user(request):
    """The active user whose password was checked in this session, if recent enough; else None."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if int(time.time()) - int(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=data.get("user_id"), is_active=True).first()
    if user is not None:
        user.backend = data.get("backend")
    return user


def person_signing_in(request):
    """Who is between the password and the second factor: a pending user, or a signed-in user
    not yet verified this session. None when nobody is (or the session is already verified)."""
    user = request.user
    if user.is_authenticated:
        return None if user.is_verified() else user
    return pending_user(request)


def sign_in_complete(request, user, device) -> None:
    """The second factor was checked: sign ``user`` in and mark the session verified."""
    if request.user.is_authenticated:
        # More rights from here on: a new session id, as auth.login gives on the other path.
        request.session.cycle_key()
    else:
        auth.login(request, user, backend=getattr(user, "backend", None))
    django_otp.login(request, device)
    request.session.pop(PENDING_KEY, None)


def sign_out(request) -> None:
    """End the session entirely: sign-in, second factor and anything pending."""
    auth.logout(request)
