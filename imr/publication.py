"""Publishing the IMR decisions issued in the portal, in the same shape as DMHC's file.

Once a case's IMR decision letters are issued, its decision is published with nothing that could
identify the patient: the year (not the date), the age range (not the birth date), gender, the
type and the determination. Findings are not published, because no reviewer has cleared them for
publication (``decision_publish`` refuses unreviewed text). A beat task runs this every minute;
each case is published once (``PortalPublication``).
"""

import hashlib
import hmac
import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import Case, DenialReason, Outcome, Track
from imr.models import DecisionType, ImrType, PortalPublication
from imr.services import DecisionNotPublishable, age_range_for, decision_publish

logger = logging.getLogger(__name__)

_TYPES = {
    DenialReason.MEDICAL_NECESSITY: (DecisionType.MEDICAL_NECESSITY, "MN"),
    DenialReason.EXPERIMENTAL: (DecisionType.EXPERIMENTAL_INVESTIGATIONAL, "EI"),
    DenialReason.EMERGENCY_PAYMENT: (DecisionType.URGENT_CARE, "UR"),
}


def cases_to_publish():
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


def case_decision_publish(*, case: Case) -> PortalPublication | None:
    """Publish one decided IMR case; None (and a log line) if it cannot be published."""
    decision_type, prefix = _TYPES.get(case.denial_reason, (None, ""))
    if decision_type is None:
        logger.warning("Case %s went to IMR with reason %s; not published.", case.pk, case.denial_reason)
        return None
    decided = case.decided_at.astimezone(LOCAL_TZ)
    patient = case.patient
    clock = case.clocks.filter(name=ClockName.IMR_DECISION).first()
    reference_id = portal_reference_id(case, prefix, decided.year)
    try:
        with transaction.atomic():
            decision_publish(
                reference_id=reference_id,
                report_year=decided.year,
                determination=case.outcome,
                decision_type=decision_type,
                age_range=age_range_for(_age(patient.birth_date, decided.date())),
                gender=patient.gender,
                imr_type=ImrType.EXPEDITED if case.urgent else ImrType.STANDARD,
                days_to_review=(decided.date() - clock.started_at.astimezone(LOCAL_TZ).date()).days if clock else None,
                identifiers=[patient.first_name, patient.last_name, case.member_id, case.number],
            )
            return PortalPublication.objects.create(case=case, reference_id=reference_id, published_at=timezone.now())
    except DecisionNotPublishable as refused:
        logger.warning("Case %s's decision was not published: %s", case.pk, refused.messages)
        return None


def portal_decisions_publish(*, limit: int = 500) -> int:
    """Publish every decided IMR case not yet published; returns how many were."""
    return sum(case_decision_publish(case=case) is not None for case in cases_to_publish()[:limit])


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
