"""Which letters exist, who receives each one, and in which languages.

The letters app sits below ``complaints`` and ``imr``: it knows nothing about cases. The case code
decides *when* a letter is due; this module says *what* letters there are. Values are plain
UPPER_SNAKE strings so that the case models' own choices (``Outcome``, ``Track``) can be passed in
as they are.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "ACKNOWLEDGEMENT", _("Acknowledgement")
    RESPONSE_REQUEST = "RESPONSE_REQUEST", _("Request for written response")
    IMR_ELIGIBILITY = "IMR_ELIGIBILITY", _("IMR eligibility")
    COMPLAINT_CONVERSION = "COMPLAINT_CONVERSION", _("Reviewed as a Consumer Complaint")
    IMR_DECISION = "IMR_DECISION", _("IMR decision")
    COMPLAINT_DECISION = "COMPLAINT_DECISION", _("Consumer Complaint decision")
    CLOSURE = "CLOSURE", _("Closure or referral")


class Recipient(models.TextChoices):
    ENROLLEE = "ENROLLEE", _("Enrollee")
    PLAN = "PLAN", _("Health plan")


class ConversionReason(models.TextChoices):
    """Why a case goes to the Consumer Complaint track (``LetterContext.conversion_reason``)."""

    # The enrollee asked for IMR and the request does not qualify: HSC 1374.31(b) says it is then
    # reviewed as a Consumer Complaint, never simply closed.
    IMR_NOT_QUALIFIED = "IMR_NOT_QUALIFIED", _("IMR request does not qualify")
    # Coverage disputes never go to IMR.
    COVERAGE_DISPUTE = "COVERAGE_DISPUTE", _("Coverage dispute")
    # Triage found a billing, access or service problem that staff decide.
    COMPLAINT_ISSUE = "COMPLAINT_ISSUE", _("A problem staff review as a complaint")


class ClosureReason(models.TextChoices):
    """Why a case is closed without a decision letter (``LetterContext.closure_reason``)."""

    WITHDRAWN = "WITHDRAWN", _("Withdrawn")
    PLAN_NOT_REGULATED = "PLAN_NOT_REGULATED", _("Plan not regulated by DMHC")
    GRIEVANCE_NOT_COMPLETED = "GRIEVANCE_NOT_COMPLETED", _("Plan grievance not completed")
    PLAN_REVERSED = "PLAN_REVERSED", _("Plan reversed its own decision")
    OTHER = "OTHER", _("Other")


TRACKS = frozenset({"", "IMR", "COMPLAINT"})

LETTER_RECIPIENTS: dict[LetterKind, frozenset[Recipient]] = {
    LetterKind.ACKNOWLEDGEMENT: frozenset({Recipient.ENROLLEE}),
    LetterKind.RESPONSE_REQUEST: frozenset({Recipient.PLAN}),
    LetterKind.IMR_ELIGIBILITY: frozenset({Recipient.ENROLLEE, Recipient.PLAN}),
    LetterKind.COMPLAINT_CONVERSION: frozenset({Recipient.ENROLLEE, Recipient.PLAN}),
    LetterKind.IMR_DECISION: frozenset({Recipient.ENROLLEE, Recipient.PLAN}),
    LetterKind.COMPLAINT_DECISION: frozenset({Recipient.ENROLLEE, Recipient.PLAN}),
    LetterKind.CLOSURE: frozenset({Recipient.ENROLLEE}),
}

# The outcome words a decision letter accepts; the first of each pair is the enrollee's win.
OUTCOMES_BY_KIND: dict[LetterKind, tuple[str, str]] = {
    LetterKind.IMR_DECISION: ("OVERTURNED", "UPHELD"),
    LetterKind.COMPLAINT_DECISION: ("IN_FAVOUR", "NOT_IN_FAVOUR"),
}
ENROLLEE_WINS = frozenset({"OVERTURNED", "IN_FAVOUR"})

_LANGUAGES: dict[Recipient, tuple[str, ...]] = {
    Recipient.ENROLLEE: ("en", "es"),
    Recipient.PLAN: ("en",),
}


def languages_for(recipient: Recipient | str) -> tuple[str, ...]:
    """The languages a recipient's letters exist in: enrollees English and Spanish, plans English."""
    return _LANGUAGES[Recipient(recipient)]


def letter_variants() -> list[tuple[LetterKind, Recipient, str]]:
    """Every (kind, recipient, language) a template exists for, in a stable order."""
    return [
        (kind, recipient, language)
        for kind in LetterKind
        for recipient in Recipient
        if recipient in LETTER_RECIPIENTS[kind]
        for language in languages_for(recipient)
    ]


def template_name(kind: LetterKind | str, recipient: Recipient | str, language: str) -> str:
    """Where the letter's template lives, e.g. ``letters/enrollee/imr_decision.es.html``."""
    return f"letters/{Recipient(recipient).value.lower()}/{LetterKind(kind).value.lower()}.{language}.html"
