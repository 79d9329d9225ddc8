"""The case and everything that belongs to it.

A case's ``status`` is written only by ``complaints.services.moves.case_move`` (and set to FILED
once, when the case is created). The workflow table in ``complaints.workflow`` says which moves
exist; this module only says what is stored.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from accounts.models import HealthPlan
from complaints.clocks import ClockName
from complaints.indexes import PrefixSearchable
from letters.kinds import LetterKind, Recipient


class Status(models.TextChoices):
    FILED = "FILED", "Filed"
    ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged"
    RESPONSE_REQUESTED = "RESPONSE_REQUESTED", "Plan response requested"
    RESPONSE_RECEIVED = "RESPONSE_RECEIVED", "Plan response received"
    TRIAGED_IMR = "TRIAGED_IMR", "Qualified for IMR"
    TRIAGED_COMPLAINT = "TRIAGED_COMPLAINT", "Consumer Complaint"
    IN_IMR_REVIEW = "IN_IMR_REVIEW", "With the IMR organization"
    DETERMINATION_RECEIVED = "DETERMINATION_RECEIVED", "IMR determination received"
    IN_COMPLAINT_REVIEW = "IN_COMPLAINT_REVIEW", "In complaint review"
    DECISION_ISSUED = "DECISION_ISSUED", "Decision issued"
    CARRIED_OUT = "CARRIED_OUT", "Carried out by the plan"
    CLOSED = "CLOSED", "Closed"
    REFERRED = "REFERRED", "Closed: referred to another regulator"
    GRIEVANCE_FIRST = "GRIEVANCE_FIRST", "Closed: plan grievance first"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    PLAN_REVERSED = "PLAN_REVERSED", "Closed: plan reversed its decision"


TERMINAL_STATUSES = frozenset(
    {Status.CLOSED, Status.REFERRED, Status.GRIEVANCE_FIRST, Status.WITHDRAWN, Status.PLAN_REVERSED}
)


class Track(models.TextChoices):
    UNDECIDED = "UNDECIDED", "Not yet decided"
    IMR = "IMR", "Independent Medical Review"
    COMPLAINT = "COMPLAINT", "Consumer Complaint"


class Channel(models.TextChoices):
    ONLINE = "ONLINE", "Online form"
    PHONE = "PHONE", "Phone call"
    MAIL = "MAIL", "Mail"
    FAX = "FAX", "Fax"


class FilerRelationship(models.TextChoices):
    PATIENT = "PATIENT", "The patient"
    PARENT_GUARDIAN = "PARENT_GUARDIAN", "Parent or guardian of a minor"
    AUTHORIZED_ASSISTANT = "AUTHORIZED_ASSISTANT", "Authorized assistant"


class DenialReason(models.TextChoices):
    """The reason the plan gave. The first three can go to IMR; coverage disputes never do."""

    MEDICAL_NECESSITY = "MEDICAL_NECESSITY", "Not medically necessary"
    EXPERIMENTAL = "EXPERIMENTAL", "Experimental or investigational"
    EMERGENCY_PAYMENT = "EMERGENCY_PAYMENT", "Emergency or urgent care not paid"
    COVERAGE_BILLING = "COVERAGE_BILLING", "Not covered, or a billing problem"
    OTHER = "OTHER", "Other"


IMR_ELIGIBLE_REASONS = frozenset(
    {DenialReason.MEDICAL_NECESSITY, DenialReason.EXPERIMENTAL, DenialReason.EMERGENCY_PAYMENT}
)


class ProblemCategory(models.TextChoices):
    WAITING = "WAITING", "Waiting too long for a referral, authorization, test or appointment"
    TREATMENT_DENIED = "TREATMENT_DENIED", "Can't get a medicine or treatment"
    DISCHARGED_EARLY = "DISCHARGED_EARLY", "Sent home from the hospital too soon"
    COVERAGE_ENDED = "COVERAGE_ENDED", "Coverage ended or cancelled"
    BILL = "BILL", "A bill, claim or copay problem"
    EMERGENCY_BILL = "EMERGENCY_BILL", "A bill for emergency or urgent care"
    LANGUAGE = "LANGUAGE", "Can't get services in my language"
    PROVIDER_LEFT = "PROVIDER_LEFT", "My doctor or hospital left the plan"
    OTHER = "OTHER", "Something else"


class Outcome(models.TextChoices):
    OVERTURNED = "OVERTURNED", "IMR: plan's decision overturned"
    UPHELD = "UPHELD", "IMR: plan's decision upheld"
    IN_FAVOUR = "IN_FAVOUR", "Complaint: resolved in the enrollee's favour"
    NOT_IN_FAVOUR = "NOT_IN_FAVOUR", "Complaint: not resolved in the enrollee's favour"
    PLAN_REVERSED = "PLAN_REVERSED", "Plan reversed its own decision"


ENROLLEE_WINS = frozenset({Outcome.OVERTURNED, Outcome.IN_FAVOUR, Outcome.PLAN_REVERSED})


class ReviewUnit(models.TextChoices):
    CLINICAL = "CLINICAL", "Clinical"
    LEGAL = "LEGAL", "Legal"


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


class Patient(models.Model):
    class Gender(models.TextChoices):
        MALE = "MALE", "Male"
        FEMALE = "FEMALE", "Female"
        OTHER = "OTHER", "Other"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="patient")
    first_name = models.CharField(max_length=100)
    middle_initial = models.CharField(max_length=1, blank=True)
    last_name = models.CharField(max_length=100)
    gender = models.CharField(max_length=10, choices=Gender.choices)
    birth_date = models.DateField()
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, default="CA")
    zip_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=30)
    phone_secondary = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    contact_by_email = models.BooleanField(default=False)
    primary_language = models.CharField(max_length=50, blank=True)
    correspond_in_language = models.BooleanField(default=False)
    letter_language = models.CharField(max_length=5, default="en", help_text="en or es: the language of letters.")
    race_ethnicity = models.CharField(max_length=100, blank=True, help_text="Optional, for statistics only.")

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # The queue's search: the start of a name, ignoring case (complaints/admin/queue.py).
            # The case and the name itself ride along, so PostgreSQL answers from the index alone
            # (it rechecks LIKE against the column, and a common surname is thousands of rows).
            models.Index(
                PrefixSearchable(Upper("last_name")), F("case"), F("last_name"), name="patient_last_name_upper"
            ),
            models.Index(
                PrefixSearchable(Upper("first_name")), F("case"), F("first_name"), name="patient_first_name_upper"
            ),
            models.Index(Upper("email"), name="patient_email_upper"),  # an e-mail address, any case
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.case.number})"

    @property
    def full_name(self) -> str:
        middle = f" {self.middle_initial}." if self.middle_initial else ""
        return f"{self.first_name}{middle} {self.last_name}"


class Representative(models.Model):
    """A parent or guardian of a minor, or an authorized assistant, filing for the patient.

    An authorized assistant needs the designation signed by both the patient and the assistant;
    a legal representative attaches a power of attorney instead of the patient's signature.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="representative")
    relationship = models.CharField(max_length=25, choices=FilerRelationship.choices)
    full_name = models.CharField(max_length=200)
    relationship_to_patient = models.CharField(max_length=100, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30)
    email = models.EmailField(blank=True)
    patient_signed_name = models.CharField(max_length=200, blank=True)
    patient_signed_date = models.DateField(null=True, blank=True)
    assistant_signed_name = models.CharField(max_length=200, blank=True)
    assistant_signed_date = models.DateField(null=True, blank=True)
    has_power_of_attorney = models.BooleanField(default=False)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(condition=~Q(relationship="PATIENT"), name="representative_is_not_the_patient"),
            # HSC designation: both parts signed, unless a power of attorney stands for the patient's.
            models.CheckConstraint(
                condition=~Q(relationship="AUTHORIZED_ASSISTANT")
                | (
                    ~Q(assistant_signed_name="")
                    & Q(assistant_signed_date__isnull=False)
                    & (
                        (~Q(patient_signed_name="") & Q(patient_signed_date__isnull=False))
                        | Q(has_power_of_attorney=True)
                    )
                ),
                name="representative_assistant_designation_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} for {self.case.number}"


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


class PlanResponse(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_responses")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    submitted_at = models.DateTimeField()
    statement = models.TextField()

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Plan response to {self.case.number} at {self.submitted_at:%Y-%m-%d %H:%M}"


class Clock(models.Model):
    """One legal clock of one case. The database is the source of truth; workers only act on it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    name = models.CharField(max_length=30, choices=ClockName.choices)
    urgent = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the case ended before the clock was met: it no longer runs."
    )
    extension_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="clock_one_per_case_and_name"),
            models.CheckConstraint(condition=Q(due_at__gt=models.F("started_at")), name="clock_due_after_start"),
            models.CheckConstraint(
                condition=Q(met_at__isnull=True) | Q(stopped_at__isnull=True), name="clock_met_or_stopped_not_both"
            ),
        ]
        indexes = [
            # The sweep reads only running clocks, by due time.
            models.Index(
                fields=["due_at"],
                name="clock_running_due",
                condition=Q(met_at__isnull=True, stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} for {self.case.number}, due {self.due_at:%Y-%m-%d %H:%M %Z}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.stopped_at is None

    @property
    def met_on_time(self) -> bool | None:
        return None if self.met_at is None else self.met_at <= self.due_at


class ClockExtension(models.Model):
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions")
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    extended_at = models.DateTimeField()
    previous_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["extended_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_at__gt=models.F("previous_due_at")), name="extension_moves_due_later"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.clock} extended to {self.new_due_at:%Y-%m-%d %H:%M}"


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
