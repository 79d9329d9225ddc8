"""Publishing the IMR decisions issued in the portal, in the same shape as DMHC's file, with the
reviewers' findings once a supervisor has approved them de-identified.

1. Once a case's IMR decision is issued, beat's task (``findings_reviews_open``, every minute)
   opens a ``FindingsReview``: the findings as written, and beside them the text the code made
   by taking identifiers out (``imr.deidentify``). Nothing is public yet.
2. A supervisor compares the two in the admin, may edit the de-identified text, and approves it
   (``findings_approve``). Only then is the decision published: the year (not the date), the age
   range (not the birth date), gender, the type, the determination and the approved findings.
   ``decision_publish`` checks the text once more and refuses it, with the reason, if it still
   carries a known identifier or anything shaped like a date, phone number, e-mail or long
   number; then nothing is published and the review stays open.

Each case is published once (``PortalPublication``), in the same transaction as the approval.
"""

import hashlib
import hmac
import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints.clocks import LOCAL_TZ, ClockName
from complaints.errors import CaseError, NotPermitted
from complaints.models import Case, Outcome, Track
from complaints.workflow import Role, actor_roles
from imr.deidentify import case_identifiers, deidentify
from imr.models import DECISION_TYPE_FOR_REASON, DecisionType, FindingsReview, ImrType, PortalPublication
from imr.services import DecisionNotPublishable, age_range_for, decision_publish

logger = logging.getLogger(__name__)

# The reference ID's prefix for each type of review, as in DMHC's file.
_PREFIXES = {
    DecisionType.MEDICAL_NECESSITY: "MN",
    DecisionType.EXPERIMENTAL_INVESTIGATIONAL: "EI",
    DecisionType.URGENT_CARE: "UR",
}


def cases_to_publish():
    """Decided IMR cases not yet published."""
    return (
        Case.objects.filter(track=Track.IMR, outcome__in=[Outcome.OVERTURNED, Outcome.UPHELD], decided_at__isnull=False)
        .exclude(pk__in=PortalPublication.objects.values("case_id"))
        .select_related("patient")
        .order_by("decided_at", "id")
    )


def portal_reference_id(case: Case, prefix: str, year: int) -> str:
    """DMHC's shape (type prefix, two-digit year) with an opaque code that reveals nothing about
    the case number or the order of filings: 10 letters (40 bits) of a keyed hash of the case."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"imr-publication:{case.pk}".encode(), hashlib.sha256)
    code = digest.hexdigest()[:10].translate(str.maketrans("0123456789abcdef", "ABCDEFGHJKLMNPQR"))
    return f"{prefix}{year % 100:02d}-P{code}"


def findings_review_open(*, case: Case) -> FindingsReview:
    """The findings review of a decided IMR case, opened with the code's de-identified text if
    there is none yet (a second call returns the same row)."""
    review, _created = FindingsReview.objects.get_or_create(
        case=case,
        defaults={
            "original": case.outcome_reasons,
            "proposed": deidentify(case.outcome_reasons, case_identifiers(case)),
            "created_at": timezone.now(),
        },
    )
    return review


def findings_reviews_open(*, limit: int = 500) -> int:
    """Beat: open a findings review for every decided IMR case that has none; returns how many.
    Publishes nothing: publication waits for a supervisor's approval."""
    cases = (
        cases_to_publish()
        .exclude(pk__in=FindingsReview.objects.values("case_id"))
        .select_related("patient", "representative")[:limit]
    )
    opened = 0
    for case in cases:
        with transaction.atomic():
            findings_review_open(case=case)
        opened += 1
    return opened


def findings_approve(*, review_id: int, text: str, approved_by) -> PortalPublication:
    """Approve ``text`` as the public findings of the review's case, and publish the decision.

    Requires a supervisor (NotPermitted otherwise) and a review still waiting (CaseError).
    Raises DecisionNotPublishable, with a message per field (``findings`` for the text), if the
    text is empty while the reviewers wrote findings, or if it could still identify someone, or
    if the decision cannot be published; nothing changes then.
    """
    with transaction.atomic():
        review = FindingsReview.objects.select_for_update().select_related("case").get(pk=review_id)
        case = Case.objects.select_related("patient", "representative").get(pk=review.case_id)
        if Role.SUPERVISOR not in actor_roles(approved_by, case):
            raise NotPermitted("Only a supervisor may approve findings for publication.")
        if review.state != FindingsReview.State.PENDING:
            raise CaseError("These findings were approved already.")
        text = text.strip()
        if not text and review.original.strip():
            raise DecisionNotPublishable({"findings": ["Write the findings to publish; they may not be empty."]})
        publication = _publish(case=case, findings=text)
        review.state = FindingsReview.State.APPROVED
        review.approved_text = text
        review.approved_at = publication.published_at
        review.approved_by = approved_by
        review.full_clean()
        review.save(update_fields=["state", "approved_text", "approved_at", "approved_by"])
    return publication


def _publish(*, case: Case, findings: str) -> PortalPublication:
    decision_type = DECISION_TYPE_FOR_REASON.get(case.denial_reason)
    if decision_type is None:
        raise DecisionNotPublishable({"decision_type": [f"an IMR for the reason {case.denial_reason} has no type"]})
    if PortalPublication.objects.filter(case=case).exists():
        raise CaseError("This decision is published already.")
    decided = case.decided_at.astimezone(LOCAL_TZ)
    patient = case.patient
    clock = case.clocks.filter(name=ClockName.IMR_DECISION).first()
    reference_id = portal_reference_id(case, _PREFIXES[decision_type], decided.year)
    decision_publish(
        reference_id=reference_id,
        report_year=decided.year,
        determination=case.outcome,
        decision_type=decision_type,
        age_range=age_range_for(_age(patient.birth_date, decided.date())),
        gender=patient.gender,
        imr_type=ImrType.EXPEDITED if case.urgent else ImrType.STANDARD,
        days_to_review=(decided.date() - clock.started_at.astimezone(LOCAL_TZ).date()).days if clock else None,
        findings=findings,
        findings_reviewed=True,
        identifiers=case_identifiers(case).must_not_appear(),
    )
    return PortalPublication.objects.create(case=case, reference_id=reference_id, published_at=timezone.now())


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
