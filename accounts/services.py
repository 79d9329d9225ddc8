"""Enrollee accounts: sign up, confirm the e-mail address, ask for a new password, and the e-mails
that go with them.

Signing up never tells a stranger whether an address already has an account, neither by the page
nor by its speed: both paths hash the password once and queue one e-mail to the worker (a
confirmation link for a new address; for an address with an account, a note to its owner, in the
owner's language, that someone tried to sign up with it): one row in the outbox
(``accounts.emails``) made in the request's transaction. Every link in an e-mail starts with
``PORTAL_BASE_URL``, never with the Host a request named. Staff and plan accounts have a second
factor and their own way back in (a supervisor sets a new password): the enrollees' public reset
page treats their addresses as unknown.
"""

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.emails import account_email_queue, never_confirmed
from accounts.models import AccountEmail, User
from accounts.tokens import email_verification_token


def enrollee_sign_up(*, email: str, full_name: str, password: str, language: str, next_url: str = "") -> User | None:
    """Create an inactive enrollee account and queue its confirmation link; for an address that
    already has an account, queue the e-mail that fits (a new link for a never-confirmed enrollee,
    else a note that someone tried) and return None. Either way the password is hashed once and
    one e-mail is queued, sent by the worker after commit. Two sign-ups racing on one new address
    (a double click) make one account: the one that loses is answered as a known address."""
    language = language if language in User.Language.values else User.Language.ENGLISH
    with transaction.atomic():
        existing = _account_with(email)
        if existing is None:
            try:
                with transaction.atomic():
                    user = User.objects.create_user(
                        email,
                        password,
                        full_name=full_name,
                        kind=User.Kind.ENROLLEE,
                        is_active=False,
                        preferred_language=language,
                    )
            except (IntegrityError, ValidationError):
                # Another sign-up with this address committed since the read above: the unique
                # index (or the uniqueness check, if it committed a moment earlier) says so.
                existing = _account_with(email)
                if existing is None:
                    raise
            else:
                account_email_queue(kind=AccountEmail.Kind.VERIFY, user=user, language=language, next_url=next_url)
                return user
        else:
            # The same hashing as a new account's, thrown away: the answer must take as long.
            make_password(password)
        kind = AccountEmail.Kind.VERIFY if never_confirmed(existing) else AccountEmail.Kind.ALREADY_REGISTERED
        account_email_queue(kind=kind, user=existing, language=existing.preferred_language, next_url=next_url)
    return None


def _account_with(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def password_reset_request(*, email: str, language: str) -> None:
    """Queue a reset link for the active enrollee account with this address, if there is one.
    Staff and plan accounts get nothing here, exactly like an unknown address."""
    users = User.objects.filter(email__iexact=email.strip(), is_active=True, kind=User.Kind.ENROLLEE)
    for user in users.order_by("id"):
        if user.has_usable_password():
            account_email_queue(kind=AccountEmail.Kind.PASSWORD_RESET, user=user, language=language)


def verification_email_queue(*, user: User, language: str, next_url: str = "") -> None:
    account_email_queue(kind=AccountEmail.Kind.VERIFY, user=user, language=language, next_url=next_url)


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
