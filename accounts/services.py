"""Enrollee accounts: sign up, confirm the e-mail address, and the e-mails that go with them.

Signing up never tells a stranger whether an address already has an account: the page says
"check your e-mail" either way, and the e-mail says what applies (confirm, or sign in / reset).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User
from accounts.tokens import email_verification_token

logger = logging.getLogger(__name__)


def enrollee_sign_up(*, email: str, full_name: str, password: str, language: str, next_url: str = "") -> User | None:
    """Create an inactive enrollee account and send the confirmation link. For an address that
    already has an account, send the right e-mail instead and return None."""
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        if existing.is_enrollee and not existing.is_active and existing.last_login is None:
            verification_email_send(user=existing, language=language, next_url=next_url)
        else:
            _send(
                existing.email,
                "accounts/email/already_registered",
                {
                    "sign_in_url": _absolute("accounts:sign-in", language),
                    "reset_url": _absolute("accounts:password-reset", language),
                },
                language,
            )
        return None
    with transaction.atomic():
        user = User.objects.create_user(
            email,
            password,
            full_name=full_name,
            kind=User.Kind.ENROLLEE,
            is_active=False,
            preferred_language=language if language in User.Language.values else User.Language.ENGLISH,
        )
    verification_email_send(user=user, language=language, next_url=next_url)
    return user


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


def verification_email_send(*, user: User, language: str, next_url: str = "") -> None:
    _send(
        user.email,
        "accounts/email/verify",
        {"link": verification_link(user=user, language=language, next_url=next_url), "name": user.full_name},
        language,
    )


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


def _absolute(name: str, language: str) -> str:
    with translation.override(language):
        return settings.PORTAL_BASE_URL + reverse(name)


def _send(to: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        context = {**context, "help_center": settings.HELP_CENTER_CONTACT}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
