"""The choices a case is described with: its status, track, channel, who filed, the plan's reason,
the problem, the outcome and the reviewing unit, and the sets of them that rules read."""

from django.db import models


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
