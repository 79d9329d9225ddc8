"""Who uses the portal, and the health plans some of them work for."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class HealthPlan(models.Model):
    """A health plan enrollees can name. Most are licensed by DMHC; those that are not are kept so
    that intake can close the case and refer the enrollee to the plan's real regulator."""

    name = models.CharField(max_length=200, unique=True)
    regulated_by_dmhc = models.BooleanField(
        default=True, help_text="Unticked: cases against this plan are closed and referred elsewhere."
    )
    regulator_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a plan DMHC does not regulate: who does, named in the referral letter.",
    )
    notice_email = models.EmailField(blank=True, help_text="Where notices for this plan's compliance team go.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(regulated_by_dmhc=True) | ~models.Q(regulator_name=""),
                name="healthplan_unregulated_names_regulator",
            )
        ]

    def __str__(self) -> str:
        return self.name


class StaffGroup(models.TextChoices):
    """The Help Center units. Group names in django.contrib.auth are these values."""

    INTAKE = "intake", "Intake"
    CLINICAL = "clinical", "Clinical"
    LEGAL = "legal", "Legal"
    SUPERVISOR = "supervisor", "Supervisor"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(kind=User.Kind.STAFF, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. E-mail is the login."""

    class Kind(models.TextChoices):
        ENROLLEE = "ENROLLEE", "Enrollee or someone filing for them"
        PLAN = "PLAN", "Health plan staff"
        STAFF = "STAFF", "Help Center staff"
        REVIEWER = "REVIEWER", "Independent review organization (reviewer or coordinator)"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Español"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ENROLLEE)
    health_plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    preferred_language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the staff admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
            # A plan user belongs to exactly one plan; nobody else belongs to a plan.
            models.CheckConstraint(
                condition=(models.Q(kind="PLAN") & models.Q(health_plan__isnull=False))
                | (~models.Q(kind="PLAN") & models.Q(health_plan__isnull=True)),
                name="user_plan_iff_plan_kind",
            ),
            # Only Help Center staff may enter the admin.
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(kind="STAFF"),
                name="user_admin_only_for_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).strip()

    @property
    def is_enrollee(self) -> bool:
        return self.kind == self.Kind.ENROLLEE

    @property
    def is_plan_user(self) -> bool:
        return self.kind == self.Kind.PLAN

    @property
    def is_reviewer(self) -> bool:
        """A physician reviewer or coordinator of an independent review organization (review app)."""
        return self.kind == self.Kind.REVIEWER

    @property
    def is_help_center_staff(self) -> bool:
        return self.kind == self.Kind.STAFF and self.is_staff


class AccountEmail(models.Model):
    """One account e-mail to send (the worker's outbox): made in the transaction of the request
    that asked for it, sent by the worker after commit, and by the sweep if that task was lost or
    the mail server failed. The row holds no token, link or text: the worker writes the message
    when it sends it, from PORTAL_BASE_URL and the account as it is then."""

    class Kind(models.TextChoices):
        VERIFY = "verify", "Confirm the e-mail address"
        ALREADY_REGISTERED = "already_registered", "Someone tried to sign up with this address"
        PASSWORD_RESET = "password_reset", "Choose a new password"

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting to be sent"
        SENT = "SENT", "Sent"
        NOT_NEEDED = "NOT_NEEDED", "Not sent: the account no longer needs it"
        GAVE_UP = "GAVE_UP", "Not sent: the mail server failed every attempt"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=5, choices=User.Language.choices)
    # Where the confirmation link leads after sign-in (a path in the portal); cleared once done.
    next_url = models.CharField(max_length=1000, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField()
    # When the sweep may next queue it: after the grace period for a new one, after the backoff
    # for one that failed, after the claim for one the sweep has just queued.
    next_attempt_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="account_email_due", condition=models.Q(state="PENDING")),
            models.Index(fields=["finished_at"], name="account_email_finished", condition=~models.Q(state="PENDING")),
        ]
        constraints = [
            # A row is finished exactly when it is no longer pending.
            models.CheckConstraint(
                condition=(models.Q(state="PENDING") & models.Q(finished_at__isnull=True))
                | (~models.Q(state="PENDING") & models.Q(finished_at__isnull=False)),
                name="account_email_finished_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"
