"""Copies of documents on a case, and the written responses of its plan."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.models.case import Case
from complaints.uploads import active_content_codes_valid, active_content_words


def _document_path(instance: "Document", filename: str) -> str:
    # A random name: nothing about the person or the original file name reaches the storage path.
    return f"cases/{instance.case.number}/{uuid.uuid4().hex}"


class Document(models.Model):
    class Kind(models.TextChoices):
        DENIAL_LETTER = "DENIAL_LETTER", "Plan's denial letter"
        GRIEVANCE_DECISION = "GRIEVANCE_DECISION", "Plan's grievance decision"
        MEDICAL_RECORDS = "MEDICAL_RECORDS", "Medical records"
        BILL = "BILL", "Bill"
        POWER_OF_ATTORNEY = "POWER_OF_ATTORNEY", "Power of attorney"
        PLAN_RESPONSE = "PLAN_RESPONSE", "Plan's written response or records"
        PROOF_OF_IMPLEMENTATION = "PROOF_OF_IMPLEMENTATION", "Proof the plan carried out the decision"
        OTHER = "OTHER", "Other"

    class Source(models.TextChoices):
        ENROLLEE = "ENROLLEE", "Enrollee"
        PLAN = "PLAN", "Health plan"
        STAFF = "STAFF", "Help Center staff"

    class ScanState(models.TextChoices):
        """The virus scan (complaints.scanning). With no scanner configured a file is NOT_SCANNED
        and opens at once; with one, it opens only once the scan found it CLEAN."""

        NOT_SCANNED = "NOT_SCANNED", "Not scanned (no scanner configured)"
        PENDING = "PENDING", "Waiting for the virus scan"
        CLEAN = "CLEAN", "Scanned: clean"
        INFECTED = "INFECTED", "Scanned: harmful content found"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    plan_response = models.ForeignKey(
        "PlanResponse", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(max_length=10, choices=Source.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    uploaded_at = models.DateTimeField()
    file = models.FileField(upload_to=_document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    shared_with_plan = models.BooleanField(default=True)
    scan_state = models.CharField(max_length=12, choices=ScanState.choices, default=ScanState.NOT_SCANNED)
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_result = models.CharField(max_length=200, blank=True, help_text="What the scanner reported, if not clean.")
    active_content_removed = models.JSONField(
        default=list,
        blank=True,
        validators=[active_content_codes_valid],
        help_text="What was removed from the file before it was stored (complaints.uploads): empty for none.",
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=Q(scan_state__in=["NOT_SCANNED", "PENDING"])
                | Q(scan_state__in=["CLEAN", "INFECTED"], scanned_at__isnull=False),
                name="document_scan_state_known_and_dated",
            ),
        ]
        indexes = [
            # The scan worker reads only documents still waiting for their scan.
            models.Index(fields=["uploaded_at"], name="document_scan_pending", condition=Q(scan_state="PENDING")),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.case.number})"

    @property
    def active_content_words(self) -> str:
        """What was removed, in words for staff ("" for nothing)."""
        return active_content_words(self.active_content_removed)


class PlanResponse(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_responses")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    submitted_at = models.DateTimeField()
    statement = models.TextField()

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Plan response to {self.case.number} at {self.submitted_at:%Y-%m-%d %H:%M}"
