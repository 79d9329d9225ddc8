"""The case itself, and the yearly sequence its number comes from.

A case's ``status`` is written only by ``complaints.services.moves.case_move`` (and set to FILED
once, when the case is created). The workflow table in ``complaints.workflow`` says which moves
exist; this module only says what is stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from accounts.models import HealthPlan
from complaints.clocks import ClockName
from complaints.models.choices import (
    ENROLLEE_WINS,
    TERMINAL_STATUSES,
    Channel,
    DenialReason,
    FilerRelationship,
    Outcome,
    ProblemCategory,
    ReviewUnit,
    Status,
    Track,
)


class CaseNumberSequence(models.Model):
    """The last case number used in a year: numbers are HC-<year>-<six digits>, never reused."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class Case(models.Model):
    number = models.CharField(max_length=20, unique=True, editable=False)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.FILED, editable=False)
    track = models.CharField(max_length=10, choices=Track.choices, default=Track.UNDECIDED, editable=False)
    urgent = models.BooleanField(default=False)
    urgent_reason = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    received_at = models.DateTimeField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filed_cases",
        help_text="The account that filed online. Empty for a case staff entered from a call, letter or fax.",
    )
    filer_relationship = models.CharField(
        max_length=25, choices=FilerRelationship.choices, default=FilerRelationship.PATIENT
    )

    # The plan
    health_plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    plan_name_not_listed = models.CharField(max_length=200, blank=True)
    member_id = models.CharField(max_length=50, blank=True)
    medical_group = models.CharField(max_length=200, blank=True)
    employer = models.CharField(max_length=200, blank=True)
    medi_cal_id = models.CharField(max_length=50, blank=True)
    medicare_id = models.CharField(max_length=50, blank=True)

    # The plan grievance
    grievance_filed = models.BooleanField(default=False)
    grievance_filed_date = models.DateField(null=True, blank=True)
    plan_decided = models.BooleanField(default=False)
    plan_decision_date = models.DateField(null=True, blank=True, help_text="Date of the plan's written decision.")

    # The problem
    category = models.CharField(max_length=20, choices=ProblemCategory.choices)
    denial_reason = models.CharField(max_length=20, choices=DenialReason.choices)
    treatment_in_dispute = models.CharField(max_length=500)
    what_happened = models.TextField()
    desired_outcome = models.TextField()
    treating_provider = models.CharField(max_length=200, blank=True)
    state_fair_hearing = models.BooleanField(default=False)
    late_filing_reason = models.TextField(blank=True)
    late_filing_accepted = models.BooleanField(null=True, blank=True)

    # Signature and authorization
    records_authorized = models.BooleanField(default=False)
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()

    # Review
    review_unit = models.CharField(max_length=10, choices=ReviewUnit.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_cases"
    )
    converted_from_imr = models.BooleanField(default=False, help_text="An IMR request reviewed as a complaint.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reasons = models.TextField(blank=True, help_text="The IMR findings, or staff's reasons.")
    decided_at = models.DateTimeField(null=True, blank=True)
    carry_out_by_date = models.DateField(
        null=True, blank=True, help_text="A complaint decided for the enrollee: when the plan must have carried it out."
    )
    carried_out_date = models.DateField(null=True, blank=True)
    closure_reason = models.TextField(blank=True)
    referral_to = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # The running clock due first (history clocks aside), kept by the clock services so the work
    # queue can sort and filter by it through an index.
    next_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_clock_name = models.CharField(max_length=30, choices=ClockName.choices, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The queue's sort, for open cases and for "All cases". Ascending b-tree order puts
            # empty due times last, as the queue sorts them; SQLite takes no NULLS LAST in an
            # index, and PostgreSQL needs none. The key comes last so that a search can match the
            # cases it found against the queue from the index alone, without reading the table.
            models.Index(
                fields=["next_due_at", "received_at", "id"],
                name="case_queue_open",
                condition=~Q(status__in=sorted(TERMINAL_STATUSES)),
            ),
            models.Index(fields=["next_due_at", "received_at", "id"], name="case_queue_all"),
            models.Index(fields=["status", "received_at"], name="case_status_received"),
            models.Index(fields=["health_plan", "status"], name="case_plan_status"),
            # The queue's search: a member ID ignoring case (complaints/admin/queue.py, search_q).
            models.Index(Upper("member_id"), name="case_member_id_upper"),
            models.Index(fields=["filed_by", "received_at"], name="case_filer_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(health_plan__isnull=False) | ~Q(plan_name_not_listed=""),
                name="case_names_a_plan",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["DECISION_ISSUED", "CARRIED_OUT"]) | ~Q(outcome=""),
                name="case_decided_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(grievance_filed=True) | Q(grievance_filed_date__isnull=True),
                name="case_grievance_date_only_if_filed",
            ),
            models.CheckConstraint(condition=~Q(signed_name=""), name="case_is_signed"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES

    @property
    def plan_display_name(self) -> str:
        return self.health_plan.name if self.health_plan_id else self.plan_name_not_listed

    @property
    def enrollee_won(self) -> bool:
        return self.outcome in ENROLLEE_WINS
