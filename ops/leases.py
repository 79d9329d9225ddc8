"""Expiring named locks in the database, so they hold across hosts and survive no crash.

A holder that dies simply lets its lease run out; nobody has to clean up.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ops.models import Lease


def lease_acquire(*, name: str, holder: str, seconds: int) -> bool:
    """Take the lease ``name`` for ``seconds`` unless someone else holds an unexpired one."""
    now = timezone.now()
    expires_at = now + timedelta(seconds=seconds)
    # One conditional UPDATE is atomic on every database: only one of two racers matches.
    taken = Lease.objects.filter(Q(name=name) & (Q(expires_at__lte=now) | Q(holder=holder))).update(
        holder=holder, expires_at=expires_at
    )
    if taken:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=expires_at)
    except IntegrityError:
        return False  # it exists and someone else holds it
    return True


def lease_release(*, name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()


def leases_expired_delete(*, older_than: timedelta) -> int:
    """Remove leases that ran out more than ``older_than`` ago (one-time tokens leave many)."""
    deleted, _ = Lease.objects.filter(expires_at__lt=timezone.now() - older_than).delete()
    return deleted
