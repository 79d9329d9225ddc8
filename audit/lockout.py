"""The sign-in rule beside django-axes' own count: who may try a password now.

Three limits, each chosen so that someone without the password cannot keep the real person out:

1. **The account-and-address pair** (django-axes, ``AXES_LOCKOUT_PARAMETERS``): after
   ``AXES_FAILURE_LIMIT`` failures for one account from one address, that pair is refused for
   ``AXES_COOLOFF_TIME``. The attacker's own address is stopped; the real person, elsewhere, is not.
2. **The address** (here): after ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` failures from one address,
   whatever the accounts, that address is refused for the cool-off. One address trying a password
   on many accounts is stopped; only people sharing that address with the attacker wait.
3. **The account, slowed, never locked** (here): from the ``SIGN_IN_DELAY_AFTER``-th failure for
   an account within the cool-off, from any address, the next try must wait a delay that doubles
   with each failure (1 s, 2 s, 4 s ... at most ``SIGN_IN_DELAY_MAX_SECONDS``) after the last one.
   Tries during the wait are refused without looking at the password and are not counted, so a
   wait always ends within that maximum. Many addresses together can guess at most about once
   per delay. An address this account signed in from before (in the last
   ``SIGN_IN_KNOWN_ADDRESS_DAYS``, from the audit log) is not slowed, so an attacker elsewhere who
   keeps the delay running still does not keep its owner out at home or at the office.

Failures are django-axes' own rows (``AccessAttempt``: account, address, count, last time), so
every rule reads one record.
"""

from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.utils import timezone

from audit.models import Action, AuditEvent, Outcome


@dataclass(frozen=True)
class Refusal:
    slowed: bool  # True: the account's short wait; False: the address's cool-off
    reason: str
    wait_seconds: int  # how long until a try can count again (at most)


def failure_delay_seconds(failures: int) -> int:
    """How long the next try must wait after ``failures`` recent failures for one account."""
    if failures < settings.SIGN_IN_DELAY_AFTER:
        return 0
    return min(2 ** (failures - settings.SIGN_IN_DELAY_AFTER), settings.SIGN_IN_DELAY_MAX_SECONDS)


def sign_in_refusal(*, username: str, ip_address: str) -> Refusal | None:
    """Why a try for ``username`` from ``ip_address`` must be refused now (limits 2 and 3 above;
    django-axes checks the pair), or None."""
    now = timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    if ip_address:
        from_address = recent.filter(ip_address=ip_address).aggregate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if (from_address["failures"] or 0) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            ends = from_address["last"] + settings.AXES_COOLOFF_TIME
            return Refusal(False, "too many failures from this address", _seconds_until(ends, now))
    if not username:
        return None
    for_account = recent.filter(username=username).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    delay = failure_delay_seconds(for_account["failures"] or 0)
    if not delay:
        return None
    ends = for_account["last"] + timedelta(seconds=delay)
    if now >= ends or _known_address(username=username, ip_address=ip_address, now=now):
        return None
    reason = f"account slowed: wait {delay} s after {for_account['failures']} failures"
    return Refusal(True, reason, _seconds_until(ends, now))


def _known_address(*, username: str, ip_address: str, now) -> bool:
    if not ip_address:
        return False
    account = get_user_model().objects.filter(email__iexact=username).values_list("id", flat=True).first()
    if account is None:
        return False
    return AuditEvent.objects.filter(
        actor_id=account,
        action=Action.SIGN_IN,
        outcome=Outcome.SUCCESS,
        ip_address=ip_address,
        occurred_at__gte=now - timedelta(days=settings.SIGN_IN_KNOWN_ADDRESS_DAYS),
    ).exists()


def _seconds_until(moment, now) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))
