"""What happened to a case (its events), the letters it needs, and the e-mails sent about it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.models.case import Case
from complaints.models.choices import Status
from letters.kinds import LetterKind, Recipient


class CaseEvent(models.Model):
    """One thing that happened to a case. Events are written once and never changed."""

    class Kind(models.TextChoices):
        FILED = "FILED", "Filed"
        MOVE = "MOVE", "Status changed"
        CLOCK_STARTED = "CLOCK_STARTED", "Clock started"
        CLOCK_MET = "CLOCK_MET", "Clock met"
        CLOCK_STOPPED = "CLOCK_STOPPED", "Clock stopped"
        CLOCK_EXTENDED = "CLOCK_EXTENDED", "Clock extended"
        DOCUMENT_ADDED = "DOCUMENT_ADDED", "Document added"
        PLAN_RESPONSE = "PLAN_RESPONSE", "Plan response received"
        LETTER_ISSUED = "LETTER_ISSUED", "Letter issued"
        NOTICE_SENT = "NOTICE_SENT", "Notice sent"
        LATE_FILING = "LATE_FILING", "Late filing decided"
        REVIEW = "REVIEW", "Independent review (assignment, attestation)"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, help_text="Empty: the system."
    )
    actor_role = models.CharField(max_length=20, help_text="The role the actor acted in, e.g. INTAKE, PLAN, SYSTEM.")
    move = models.CharField(max_length=40, blank=True)
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="event_case_time")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.occurred_at:%Y-%m-%d %H:%M}: {self.summary}"


class Letter(models.Model):
    """A letter the case needs, and once rendered, the PDF as issued: stored once, never rewritten."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting to be rendered"
        ISSUED = "ISSUED", "Issued"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    language = models.CharField(max_length=5, default="en")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField()
    requested_by_move = models.CharField(max_length=40)
    issued_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="letters/", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    template_version = models.CharField(max_length=64, blank=True)
    render_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            # Every letter kind is sent once per recipient per case.
            models.UniqueConstraint(fields=["case", "kind", "recipient"], name="letter_once_per_kind_recipient"),
            models.CheckConstraint(
                condition=Q(state="PENDING") | (~Q(sha256="") & Q(issued_at__isnull=False) & ~Q(pdf="")),
                name="letter_issued_has_pdf",
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"], name="letter_state_requested")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.get_recipient_display()} for {self.case.number}"


class Notice(models.Model):
    """An e-mail the portal sent (or is sending) about a case. The key makes each notice unique:
    a reminder for one clock, or the news that one letter is waiting, is sent once."""

    class Kind(models.TextChoices):
        LETTER_WAITING = "LETTER_WAITING", "A letter is waiting"
        PLAN_REMINDER = "PLAN_REMINDER", "Reminder: the plan's response is due soon"
        PLAN_LATE = "PLAN_LATE", "The plan's response is late"
        CLOCK_OVERDUE = "CLOCK_OVERDUE", "A clock is overdue (to supervisors)"
        REVIEW_REMINDER = "REVIEW_REMINDER", "Reminder: the IMR organization's determination is due soon"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], name="notice_unsent", condition=Q(sent_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case.number}"
