"""Enrollee accounts: sign up, confirm the e-mail address, ask for a new password, and the e-mails
that go with them.

Signing up never tells a stranger whether an address already has an account, neither by the page
nor by its speed: both paths hash the password once and queue one e-mail to the worker (a
confirmation link for a new address; for an address with an account, a note to its owner, in the
owner's language, that someone tried to sign up with it). Every link in an e-mail starts with
``PORTAL_BASE_URL``, never with the Host a request named. Staff and plan accounts have a second
factor and their own way back in (a supervisor sets a new password): the enrollees' public reset
page treats their addresses as unknown.
"""

import logging
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User
from accounts.tokens import email_verification_token
from ops.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

EMAIL_TASK = "accounts.account_email_send"


class AccountEmail(StrEnum):
    VERIFY = "verify"
    ALREADY_REGISTERED = "already_registered"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an e-mail template's name, not a password)


def enrollee_sign_up(*, email: str, full_name: str, password: str, language: str, next_url: str = "") -> User | None:
    """Create an inactive enrollee account and queue its confirmation link; for an address that
    already has an account, queue the e-mail that fits (a new link for a never-confirmed enrollee,
    else a note that someone tried) and return None. Either way the password is hashed once and
    one e-mail is queued, sent by the worker after commit."""
    language = language if language in User.Language.values else User.Language.ENGLISH
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email.strip()).first()
        if existing is not None:
            # The same hashing as a new account's, thrown away: the answer must take as long.
            make_password(password)
            kind = AccountEmail.VERIFY if _never_confirmed(existing) else AccountEmail.ALREADY_REGISTERED
            account_email_queue(kind=kind, user=existing, language=existing.preferred_language, next_url=next_url)
            return None
        user = User.objects.create_user(
            email,
            password,
            full_name=full_name,
            kind=User.Kind.ENROLLEE,
            is_active=False,
            preferred_language=language,
        )
        account_email_queue(kind=AccountEmail.VERIFY, user=user, language=language, next_url=next_url)
    return user


def password_reset_request(*, email: str, language: str) -> None:
    """Queue a reset link for the active enrollee account with this address, if there is one.
    Staff and plan accounts get nothing here, exactly like an unknown address."""
    users = User.objects.filter(email__iexact=email.strip(), is_active=True, kind=User.Kind.ENROLLEE)
    for user in users.order_by("id"):
        if user.has_usable_password():
            account_email_queue(kind=AccountEmail.PASSWORD_RESET, user=user, language=language)


def account_email_queue(*, kind: AccountEmail, user: User, language: str, next_url: str = "") -> None:
    """Queue one account e-mail; the worker writes and sends it after commit."""
    enqueue_on_commit(EMAIL_TASK, kind=str(kind), user_id=user.pk, language=language, next_url=next_url)


def account_email_send(*, kind: str, user_id: int, language: str, next_url: str = "") -> None:
    """Write and send one account e-mail (the worker's side of ``account_email_queue``). Links are
    made now, from PORTAL_BASE_URL. Nothing is sent if the account is gone or no longer fits."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    language = language if language in User.Language.values else User.Language.ENGLISH
    if kind == AccountEmail.VERIFY:
        if not _never_confirmed(user):
            return
        context = {"link": verification_link(user=user, language=language, next_url=next_url), "name": user.full_name}
    elif kind == AccountEmail.ALREADY_REGISTERED:
        context = {
            "enrollee": user.is_enrollee,
            "sign_in_url": _absolute("accounts:sign-in", language),
            "reset_url": _absolute("accounts:password-reset", language),
        }
    elif kind == AccountEmail.PASSWORD_RESET:
        if not (user.is_active and user.is_enrollee and user.has_usable_password()):
            return
        with translation.override(language):
            path = reverse(
                "accounts:password-reset-confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        context = {"link": f"{settings.PORTAL_BASE_URL}{path}"}
    else:
        raise ValueError(f"Unknown account e-mail: {kind!r}")
    _send(user.email, f"accounts/email/{kind}", context, language)


def verification_link(*, user: User, language: str, next_url: str = "") -> str:
    with translation.override(language):
        path = reverse(
            "accounts:verify",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": email_verification_token.make_token(user),
            },
        )
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return f"{settings.PORTAL_BASE_URL}{path}{query}"


def verification_email_queue(*, user: User, language: str, next_url: str = "") -> None:
    account_email_queue(kind=AccountEmail.VERIFY, user=user, language=language, next_url=next_url)


def enrollee_verify(*, uidb64: str, token: str) -> tuple[User | None, bool]:
    """Activate the account the link names. Returns (user, activated_now); (None, False) for a
    link that is broken, expired or already used on an inactive account."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), kind=User.Kind.ENROLLEE)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None, False
    if user.is_active:
        return user, False
    if not email_verification_token.check_token(user, token):
        return None, False
    user.is_active = True
    user.full_clean(exclude=["password"])
    user.save(update_fields=["is_active"])
    return user, True


def _never_confirmed(user: User) -> bool:
    return user.is_enrollee and not user.is_active and user.last_login is None


def _absolute(name: str, language: str) -> str:
    with translation.override(language):
        return settings.PORTAL_BASE_URL + reverse(name)


def _send(to: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        context = {**context, "help_center": settings.HELP_CENTER_CONTACT}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
