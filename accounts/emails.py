"""The account e-mails' outbox: sign-up confirmation links, the note to an address's owner that
someone tried to sign up with it, and password-reset links.

The database is the source of truth, as for every piece of work in the portal:

- ``account_email_queue`` makes one ``AccountEmail`` row in the caller's transaction and queues
  its delivery after commit. A broker outage loses nothing: the row waits.
- ``account_email_deliver`` sends a row's e-mail once. A delivery names the row and the attempt
  it was queued for; the row is locked (a second run at the same moment skips it) and acts only
  if that attempt has not been made yet, so a task that runs twice sends nothing the second time.
  A failure (the mail server's, or one writing the message) counts the attempt, keeps the error,
  is logged with its traceback, and sets the next try after a doubling wait (1, 2, 4 … minutes,
  at most an hour); after ``MAX_ATTEMPTS`` the row gives up.
- ``account_emails_due_queue`` (run by the clock sweep every minute) queues the rows whose
  task was lost or whose wait is over, and claims them for ``CLAIM`` so that a slow queue does
  not receive them again every minute.
- ``account_emails_prune`` removes finished rows after ``KEEP_FINISHED``.

The message is written when it is sent, in the row's language, from ``PORTAL_BASE_URL`` and the
account as it is then: the row holds no token, no link and no text. E-mails carry no health
information, only what the account needs (a link, or where to sign in).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from accounts.models import AccountEmail, User
from accounts.tokens import email_verification_token
from ops.queue import enqueue_now, enqueue_on_commit

logger = logging.getLogger(__name__)

SEND_TASK = "accounts.account_emails_send"
MAX_ATTEMPTS = 8
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
CLAIM = timedelta(minutes=10)
KEEP_FINISHED = timedelta(days=30)
BATCH = 1000
# Checked when the row is made; a delivery checks only what it writes (a row it cannot write a
# message for must still be able to record the failure).
UNCHANGED_AFTER_QUEUEING = ["user", "kind", "language", "created_at"]
# Where each kind of account signs in (only enrollees sign in, and reset a password, on the
# public pages; the others sign in with a second factor on their own page).
SIGN_IN_PAGE = {
    User.Kind.ENROLLEE: "accounts:sign-in",
    User.Kind.PLAN: "plan-login",
    User.Kind.REVIEWER: "review-login",
    User.Kind.STAFF: "admin:login",
}


def account_email_queue(*, kind: str, user: User, language: str, next_url: str = "") -> AccountEmail:
    """Make one account e-mail in the current transaction (or one of its own) and queue its
    delivery after commit."""
    now = timezone.now()
    language = language if language in User.Language.values else User.Language.ENGLISH
    field = AccountEmail._meta.get_field("next_url")
    if len(next_url) > field.max_length:
        next_url = ""  # the link works without it: it only says where to go after signing in
    email = AccountEmail(
        user=user,
        kind=kind,
        language=language,
        next_url=next_url,
        created_at=now,
        # The task queued below sends it; the sweep steps in only after the grace period.
        next_attempt_at=now + timedelta(seconds=settings.SWEEP_GRACE_SECONDS),
    )
    email.full_clean()
    with transaction.atomic():
        email.save()
        enqueue_on_commit(SEND_TASK, deliveries=[[email.pk, 0]])
    return email


def account_email_deliver(*, email_id: int, attempt: int) -> AccountEmail | None:
    """Make attempt number ``attempt`` (counted from 0) at sending this e-mail, unless it was made
    already, the e-mail is finished, or another process is sending it right now; returns the row
    when this call acted on it. A failure to write or send is recorded on the row, not raised: the
    limit on attempts stops a message that can never be written from being retried forever."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            AccountEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=email_id, state=AccountEmail.State.PENDING, attempts=attempt)
            .first()
        )
        if email is None:
            return None
        try:
            message = compose(email)
            if message is None:
                _finish(email, AccountEmail.State.NOT_NEEDED, now)
                return email
            subject, body = message
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email.user.email], fail_silently=False)
        except Exception as error:  # any backend's failure (SMTP, a refused connection, a timeout) or our own
            _failed(email, error, now)
            return email
        email.attempts += 1
        _finish(email, AccountEmail.State.SENT, now)
    return email


def account_emails_due_queue(*, now: datetime) -> list[int]:
    """Queue every pending e-mail whose time has come (its task lost, or its wait after a failure
    over), in one task, and claim them for ``CLAIM``. Returns the ids queued."""
    with transaction.atomic():
        due = list(
            AccountEmail.objects.select_for_update(skip_locked=True)
            .filter(state=AccountEmail.State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", "attempts")[:BATCH]
        )
        if not due:
            return []
        ids = [email_id for email_id, _ in due]
        claimed_until = now + CLAIM
        AccountEmail.objects.filter(pk__in=ids).update(next_attempt_at=claimed_until)
    if not enqueue_now(SEND_TASK, deliveries=[list(pair) for pair in due]):
        # Not queued: due again at the next sweep, not only after the claim.
        AccountEmail.objects.filter(pk__in=ids, next_attempt_at=claimed_until).update(next_attempt_at=now)
        return []
    return ids


def account_emails_prune(*, now: datetime) -> int:
    """Remove finished e-mails older than ``KEEP_FINISHED``; returns how many."""
    old = AccountEmail.objects.exclude(state=AccountEmail.State.PENDING).filter(finished_at__lt=now - KEEP_FINISHED)
    deleted, _ = AccountEmail.objects.filter(pk__in=list(old.values_list("id", flat=True)[:BATCH])).delete()
    return deleted


def retry_wait(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


def compose(email: AccountEmail) -> tuple[str, str] | None:
    """The subject and body of this e-mail as of now, or None when the account no longer needs it
    (confirmed since, or no longer allowed a reset)."""
    user, language = email.user, email.language
    if email.kind == AccountEmail.Kind.VERIFY:
        if not never_confirmed(user):
            return None
        link = verification_link(user=user, language=language, next_url=email.next_url)
        context = {"link": link, "name": user.full_name}
    elif email.kind == AccountEmail.Kind.ALREADY_REGISTERED:
        context = {
            "enrollee": user.is_enrollee,
            "sign_in_url": _absolute(SIGN_IN_PAGE[user.kind], language),
            "reset_url": _absolute("accounts:password-reset", language),
        }
    elif email.kind == AccountEmail.Kind.PASSWORD_RESET:
        if not (user.is_active and user.is_enrollee and user.has_usable_password()):
            return None
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
        raise ValueError(f"Unknown account e-mail: {email.kind!r}")
    template = f"accounts/email/{email.kind}"
    with translation.override(language):
        context = {**context, "help_center": settings.HELP_CENTER_CONTACT}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    return subject, body


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


def never_confirmed(user: User) -> bool:
    return user.is_enrollee and not user.is_active and user.last_login is None


def _absolute(name: str, language: str) -> str:
    with translation.override(language):
        return settings.PORTAL_BASE_URL + reverse(name)


def _finish(email: AccountEmail, state: str, now: datetime) -> None:
    email.state = state
    email.finished_at = now
    email.next_url = ""  # no longer needed
    email.full_clean(exclude=UNCHANGED_AFTER_QUEUEING)
    email.save(update_fields=["state", "finished_at", "next_url", "attempts", "last_error"])


def _failed(email: AccountEmail, error: Exception, now: datetime) -> None:
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[: AccountEmail._meta.get_field("last_error").max_length]
    if email.attempts >= MAX_ATTEMPTS:
        logger.error(
            "Account e-mail %s not sent after %s attempts; giving up (%s).",
            email.pk, email.attempts, error, exc_info=True,
        )  # fmt: skip
        _finish(email, AccountEmail.State.GAVE_UP, now)
        return
    email.next_attempt_at = now + retry_wait(email.attempts)
    logger.warning(
        "Account e-mail %s not sent (attempt %s, %s); the sweep tries again after %s.",
        email.pk, email.attempts, error, email.next_attempt_at, exc_info=True,
    )  # fmt: skip
    email.full_clean(exclude=UNCHANGED_AFTER_QUEUEING)
    email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
