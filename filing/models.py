"""An application someone is still filling in online, and the files they attached to it.

A draft belongs to one account and keeps the answers of each step as JSON, so that it can be
resumed on any device after signing in. Submitting turns it into exactly one case: the
``submitted_case`` link is unique, and the submit service sets it under a row lock.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.models import Case, Document
from complaints.uploads import active_content_codes_valid


class FilingDraft(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="filing_drafts")
    answers = models.JSONField(default=dict, blank=True, help_text="The answers of each step, by step name.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="filing_draft"
    )

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [models.Index(fields=["owner", "updated_at"], name="draft_owner_updated")]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_case__isnull=True, submitted_at__isnull=True)
                | Q(submitted_case__isnull=False, submitted_at__isnull=False),
                name="draft_submitted_has_case_and_time",
            ),
        ]

    def __str__(self) -> str:
        state = f"submitted as {self.submitted_case}" if self.submitted_case_id else "not sent"
        return f"Draft {self.public_id} of {self.owner} ({state})"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_case_id is not None


def _draft_document_path(instance: "DraftDocument", filename: str) -> str:
    # A random name: nothing about the person or the original file name reaches the storage path.
    return f"drafts/{uuid.uuid4().hex}"


class DraftDocument(models.Model):
    """A file attached to a draft. It moves onto the case when the draft is submitted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draft = models.ForeignKey(FilingDraft, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Document.Kind.choices, default=Document.Kind.OTHER)
    file = models.FileField(upload_to=_draft_document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField()
    active_content_removed = models.JSONField(
        default=list,
        blank=True,
        validators=[active_content_codes_valid],
        help_text="What was removed from the file before it was kept (complaints.uploads); it moves to the case.",
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(size_bytes__gt=0), name="draft_document_not_empty")]

    def __str__(self) -> str:
        return f"{self.original_name} (draft {self.draft.public_id})"
