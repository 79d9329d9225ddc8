"""The audit log: one row for every read, download and change of health information, and for
every sign-in, failed sign-in, lockout and sign-out.

Rows are written once and never changed. The model refuses ``save()`` on an existing row and
every delete; on PostgreSQL a trigger (migration 0002) also refuses UPDATE and DELETE of a row
from any client, raw SQL included. TRUNCATE is still possible (the test suite empties tables
with it); see docs/security.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AuditEventImmutable(Exception):
    """An audit row was about to be changed or deleted."""


class Action(models.TextChoices):
    VIEW = "VIEW", "Viewed"
    DOWNLOAD = "DOWNLOAD", "Downloaded a file"
    CHANGE = "CHANGE", "Changed or added"
    EXPORT = "EXPORT", "Exported the audit log"
    SIGN_IN = "SIGN_IN", "Signed in"
    SIGN_IN_FAILED = "SIGN_IN_FAILED", "Sign-in failed"
    SECOND_FACTOR_FAILED = "SECOND_FACTOR_FAILED", "Second factor refused"
    LOCKED_OUT = "LOCKED_OUT", "Locked out after repeated failures"
    SIGN_OUT = "SIGN_OUT", "Signed out"
    SESSION_ENDED = "SESSION_ENDED", "Session ended (inactive, or too long)"


class Outcome(models.TextChoices):
    SUCCESS = "SUCCESS", "Succeeded"
    REFUSED = "REFUSED", "Refused: the request was not valid"
    DENIED = "DENIED", "Denied: not allowed, not found, or not signed in"
    FAILED = "FAILED", "Failed: wrong password or code"
    ERROR = "ERROR", "Server error"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events are never changed.")

    def delete(self):
        raise AuditEventImmutable("Audit events are never deleted.")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField()
    action = models.CharField(max_length=24, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account that acted, or whose e-mail a failed sign-in typed. Empty: nobody known.",
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="The account's e-mail at the time, or the e-mail typed at a sign-in."
    )
    actor_kind = models.CharField(max_length=10, blank=True, help_text="ENROLLEE, PLAN or STAFF at the time.")
    case_number = models.CharField(max_length=20, blank=True)
    object_kind = models.CharField(max_length=30, blank=True, help_text="case, document, letter, draft, ...")
    object_id = models.CharField(max_length=64, blank=True)
    route = models.CharField(max_length=100, blank=True, help_text="The page's URL name.")
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=300, blank=True, help_text="The address, without its query string.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="A short note; never health information.")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_occurred"),
            models.Index(fields=["case_number", "occurred_at"], name="audit_case_occurred"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_occurred"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=Action.values), name="audit_action_known"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="audit_outcome_known"),
        ]

    def __str__(self) -> str:
        who = self.actor_label or "someone"
        case = f" {self.case_number}" if self.case_number else ""
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {who} {self.action}{case} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events are never deleted.")
