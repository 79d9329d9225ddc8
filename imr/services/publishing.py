"""Publishing (or correcting) one IMR decision issued through the portal, de-identified."""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from imr.deidentify import identifying_problems
from imr.importer import REFERENCE_ID
from imr.models import (
    DECISION_FIELDS,
    FIRST_REPORT_YEAR,
    MAX_CATEGORY_LENGTH,
    AgeRange,
    DecisionSource,
    DecisionType,
    Determination,
    Gender,
    ImrType,
    PublishedDecision,
)
from imr.services.tallies import decision_count, filter_options_refresh, search_entries_write


class DecisionNotPublishable(ValidationError):
    """The decision carries something that could identify the patient, or is incomplete."""


TEXT_FIELDS = ("diagnosis_category", "diagnosis_subcategory", "treatment_category", "treatment_subcategory", "findings")


def age_range_for(age_in_years: int) -> AgeRange:
    """The published age range for a patient's age in whole years."""
    for upper, age_range in (
        (10, AgeRange.AGE_0_10),
        (20, AgeRange.AGE_11_20),
        (30, AgeRange.AGE_21_30),
        (40, AgeRange.AGE_31_40),
        (50, AgeRange.AGE_41_50),
        (64, AgeRange.AGE_51_64),
    ):
        if age_in_years <= upper:
            return age_range
    return AgeRange.AGE_65_PLUS


def _publish_errors(values: dict, *, findings_reviewed: bool, identifiers: Sequence[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    year = values["report_year"]
    if isinstance(year, datetime.date) or type(year) is not int:
        errors["report_year"] = ["give the year only (a whole number), never a date"]
    elif not FIRST_REPORT_YEAR <= year <= timezone.localdate().year:
        errors["report_year"] = [f"must be a year from {FIRST_REPORT_YEAR} to this year"]
    for name, choices, blank in (
        ("determination", Determination, False),
        ("decision_type", DecisionType, False),
        ("age_range", AgeRange, True),
        ("gender", Gender, True),
        ("imr_type", ImrType, True),
    ):
        if values[name] not in choices.values and not (blank and values[name] == ""):
            errors[name] = [f"must be one of {', '.join(choices.values)}{' or empty' if blank else ''}"]
    for name in ("days_to_review", "days_to_adopt"):
        if values[name] is not None and (type(values[name]) is not int or values[name] < 0):
            errors[name] = ["must be a whole number of days, or None"]
    if not isinstance(values["reference_id"], str) or not REFERENCE_ID.fullmatch(values["reference_id"]):
        errors["reference_id"] = ["must be letters, digits and hyphens (at most 32)"]
    for name in ("reference_id", *TEXT_FIELDS):
        text = values[name]
        if not isinstance(text, str):
            errors[name] = ["must be text"]
            continue
        if name != "findings" and len(text) > MAX_CATEGORY_LENGTH:
            errors.setdefault(name, []).append(f"must be at most {MAX_CATEGORY_LENGTH} characters")
        problems = identifying_problems(text, identifiers)
        if problems:
            errors.setdefault(name, []).extend(problems)
    if values["findings"] and not findings_reviewed:
        errors.setdefault("findings", []).append("only findings that staff reviewed for publication may be published")
    return errors


def _squash(text):
    return " ".join(text.split()) if isinstance(text, str) else text


@transaction.atomic
def decision_publish(
    *,
    reference_id: str,
    report_year: int,
    determination: str,
    decision_type: str,
    diagnosis_category: str = "",
    diagnosis_subcategory: str = "",
    treatment_category: str = "",
    treatment_subcategory: str = "",
    age_range: str = "",
    gender: str = "",
    imr_type: str = "",
    days_to_review: int | None = None,
    days_to_adopt: int | None = None,
    findings: str = "",
    findings_reviewed: bool = False,
    identifiers: Iterable[str] = (),
) -> PublishedDecision:
    """Publish (or correct) one IMR decision issued through the portal, de-identified.

    Takes only de-identified facts: the year (never a date), the age range (see age_range_for),
    the categories, and findings that staff reviewed for publication (``findings_reviewed``).
    ``identifiers`` are the patient's names, member IDs and the like, known to the caller: no text
    that contains one is stored. Raises DecisionNotPublishable (a ValidationError, with a message
    per field) if anything could identify the patient or a value is not allowed; nothing is
    stored then. A second call with the same reference ID updates the decision. Refuses a
    reference ID that belongs to a decision imported from DMHC's file.
    """
    values = {
        "reference_id": reference_id,
        "report_year": report_year,
        "diagnosis_category": _squash(diagnosis_category),
        "diagnosis_subcategory": _squash(diagnosis_subcategory),
        "treatment_category": _squash(treatment_category),
        "treatment_subcategory": _squash(treatment_subcategory),
        "determination": determination,
        "decision_type": decision_type,
        "age_range": age_range,
        "gender": gender,
        "imr_type": imr_type,
        "days_to_review": days_to_review,
        "days_to_adopt": days_to_adopt,
        "findings": findings.strip() if isinstance(findings, str) else findings,
    }
    errors = _publish_errors(values, findings_reviewed=findings_reviewed, identifiers=list(identifiers))
    if errors:
        raise DecisionNotPublishable(errors)
    decision = PublishedDecision.objects.select_for_update().filter(reference_id=reference_id).first()
    if decision is not None and decision.source != DecisionSource.PORTAL:
        raise DecisionNotPublishable({"reference_id": ["belongs to a decision from DMHC's published file"]})
    if decision is not None:
        if all(getattr(decision, name) == values[name] for name in DECISION_FIELDS):
            return decision
        decision_count(decision, -1)
    else:
        decision = PublishedDecision(reference_id=reference_id, source=DecisionSource.PORTAL)
    for name in DECISION_FIELDS:
        setattr(decision, name, values[name])
    decision.changed_at = timezone.now()
    decision.full_clean()
    decision.save()
    search_entries_write([decision])
    decision_count(decision, +1)
    filter_options_refresh()
    return decision
