"""The independent review organization's side of an IMR: organizations, their reviewers and
coordinators, the case sent to an organization, the reviewers assigned to it, each reviewer's
conflict-of-interest attestation (or refusal), and each reviewer's determination.

The case itself, its status and its clocks stay in ``complaints``; this app only adds rows that
point at it and moves it through ``complaints.services.moves.case_move``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from complaints.models import Case


class ReviewOrganization(models.Model):
    """An independent review organization under contract with DMHC. Several may exist."""

    name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(help_text="Where the portal's reminders for this organization go.")
    contact_phone = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True, help_text="Unticked: no new case is sent to it.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="review_org_name_unique")]

    def __str__(self) -> str:
        return self.name


class Reviewer(models.Model):
    """A person of one organization: a physician reviewer, its coordinator, or both. The account
    (``accounts.User`` of kind REVIEWER) signs in at /review/ with a password and a second factor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviewer_profile",
        limit_choices_to={"kind": "REVIEWER"},
    )
    organization = models.ForeignKey(ReviewOrganization, on_delete=models.PROTECT, related_name="people")
    specialty = models.CharField(
        max_length=100, blank=True, help_text="Clinical specialty, e.g. Oncology. Needed for a reviewer."
    )
    reviews_cases = models.BooleanField(default=True, help_text="Can be assigned cases to review.")
    is_coordinator = models.BooleanField(default=False, help_text="Assigns the organization's cases to reviewers.")

    class Meta:
        ordering = ["organization__name", "user__full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviews_cases=True) | Q(is_coordinator=True), name="reviewer_has_a_role"
            ),
            models.CheckConstraint(
                condition=Q(reviews_cases=False) | ~Q(specialty=""), name="reviewer_names_specialty"
            ),
        ]

    def __str__(self) -> str:
        roles = [
            label for flag, label in ((self.reviews_cases, "reviewer"), (self.is_coordinator, "coordinator")) if flag
        ]
        return f"{self.user.full_name or self.user.email} ({' and '.join(roles)}, {self.organization.name})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.user_id and not self.user.is_reviewer:
            raise ValidationError({"user": "Choose an account of the kind “Independent review organization”."})
        if self.reviews_cases and not self.specialty.strip():
            raise ValidationError({"specialty": "A reviewer needs a clinical specialty."})


class Referral(models.Model):
    """A case sent to an organization (the workflow move ``send_to_imr``), once per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="imr_referral")
    organization = models.ForeignKey(ReviewOrganization, on_delete=models.PROTECT, related_name="referrals")
    specialty_needed = models.CharField(max_length=100, blank=True)
    reviewers_needed = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewers_needed__gte=1, reviewers_needed__lte=3), name="referral_one_to_three_reviewers"
            ),
        ]
        indexes = [models.Index(fields=["organization", "sent_at"], name="referral_org_sent")]

    def __str__(self) -> str:
        return f"{self.case.number} sent to {self.organization.name}"


class Assignment(models.Model):
    """One reviewer on one case. The reviewer attests to no conflict of interest before anything
    of the case is shown, or declines (the coordinator then assigns someone else)."""

    ATTESTATION = (
        "I have no material professional, family or financial relationship with the health plan, "
        "any officer, director or management employee of the plan, the enrollee, the enrollee's "
        "treating physicians or other providers, the facility where the care would be given, or "
        "the maker of any drug, device or treatment under review."
    )

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attested_at = models.DateTimeField(null=True, blank=True)
    attestation_text = models.TextField(blank=True, help_text="The statement exactly as the reviewer signed it.")
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            # A reviewer is assigned to a case once: one who declined is not asked again.
            models.UniqueConstraint(fields=["referral", "reviewer"], name="assignment_once_per_reviewer"),
            models.CheckConstraint(
                condition=Q(attested_at__isnull=True) | Q(declined_at__isnull=True),
                name="assignment_attested_or_declined",
            ),
            models.CheckConstraint(
                condition=Q(attested_at__isnull=True) | ~Q(attestation_text=""), name="assignment_attestation_kept"
            ),
            models.CheckConstraint(
                condition=Q(declined_at__isnull=True) | ~Q(decline_reason=""), name="assignment_decline_has_reason"
            ),
        ]
        indexes = [
            models.Index(
                fields=["reviewer", "assigned_at"], name="assignment_live", condition=Q(declined_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral.case.number}: {self.reviewer}"

    @property
    def is_attested(self) -> bool:
        return self.attested_at is not None


class Determination(models.Model):
    """One reviewer's determination: a draft until submitted, then never changed."""

    class Outcome(models.TextChoices):
        OVERTURNED = "OVERTURNED", "Overturned: the plan must provide the service"
        OVERTURNED_IN_PART = "OVERTURNED_IN_PART", "Overturned in part: the plan must provide the part named"
        UPHELD = "UPHELD", "Upheld: the plan's denial stands"

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="determination")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    part_granted = models.TextField(blank=True, help_text="Overturned in part: which part the plan must provide.")
    reviewer_specialty = models.CharField(max_length=200, blank=True)
    board_certification = models.CharField(max_length=300, blank=True)
    question = models.TextField(blank=True)
    reasons = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="Medical evidence and literature cited.")
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["updated_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | (~Q(outcome="") & ~Q(question="") & ~Q(reasons="") & ~Q(evidence="")),
                name="determination_submitted_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="OVERTURNED_IN_PART") | ~Q(part_granted="") | Q(submitted_at__isnull=True),
                name="determination_part_named",
            ),
        ]

    def __str__(self) -> str:
        state = "submitted" if self.submitted_at else "draft"
        return f"{self.assignment}: {state}"

    @property
    def favours_enrollee(self) -> bool:
        return self.outcome in (self.Outcome.OVERTURNED, self.Outcome.OVERTURNED_IN_PART)
