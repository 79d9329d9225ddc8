"""A case packet: the whole file of one case as one PDF, built by a worker for an outside reviewer.

One row per build. A build is PENDING until a worker makes the PDF (READY, with its checksum and
page count) or finds it cannot (FAILED, with a sentence saying why). ``fingerprint`` names what
went in (documents, plan responses, the application): a request for the same contents reuses a
PENDING or READY packet, so at most one such packet exists per case and fingerprint.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


def _packet_path(instance: "Packet", filename: str) -> str:
    # A random name, as for documents: nothing about the person reaches the storage path.
    return f"packets/{instance.case.number}/{uuid.uuid4().hex}.pdf"


class Packet(models.Model):
    class State(models.TextChoices):
        PENDING = "PENDING", "Being prepared"
        READY = "READY", "Ready"
        FAILED = "FAILED", "Could not be prepared"

    case = models.ForeignKey("complaints.Case", on_delete=models.PROTECT, related_name="packets")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of what the packet is made from.")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    built_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=_packet_path, max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    contents = models.JSONField(
        default=list, blank=True, help_text="What the built packet holds, in order (one entry per item)."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Two requests at once for the same contents make one build, not two.
            models.UniqueConstraint(
                fields=["case", "fingerprint"],
                condition=Q(state__in=["PENDING", "READY"]),
                name="packet_one_live_build_per_contents",
            ),
            models.CheckConstraint(
                condition=~Q(state="READY")
                | (Q(built_at__isnull=False, page_count__gt=0, size_bytes__gt=0) & ~Q(file="") & ~Q(sha256="")),
                name="packet_ready_has_file",
            ),
            models.CheckConstraint(condition=~Q(state="FAILED") | ~Q(error=""), name="packet_failed_says_why"),
        ]
        indexes = [
            models.Index(fields=["case", "requested_at"], name="packet_case_requested"),
            # The sweep reads only packets still waiting for their build.
            models.Index(fields=["requested_at"], name="packet_pending", condition=Q(state="PENDING")),
        ]

    def __str__(self) -> str:
        return f"Packet {self.pk} of {self.case.number} ({self.get_state_display().lower()})"
