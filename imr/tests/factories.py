"""Factories and helpers for the public IMR decisions tests."""

import csv
from pathlib import Path

import factory
from django.utils import timezone

from imr.models import DecisionSource, DecisionType, Determination, PublishedDecision
from imr.services import decision_tallies_rebuild

OLD_HEADER = [
    "Reference ID",
    "Report Year",
    "Diagnosis Category",
    "Diagnosis Sub Category",
    "Treatment Category",
    "Treatment Sub Category",
    "Determination",
    "Type",
    "Age Range",
    "Patient Gender",
]
# DMHC's newer release (CHHS open data portal), header order as published.
NEW_HEADER = [
    "ReferenceID",
    "ReportYear",
    "DiagnosisCategory",
    "DiagnosisSubCategory",
    "TreatmentCategory",
    "TreatmentSubCategory",
    "Determination",
    "Type",
    "AgeRange",
    "PatientGender",
    "IMRType",
    "DaysToReview",
    "DaysToAdopt",
    "Findings",
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


class PublishedDecisionFactory(factory.django.DjangoModelFactory):
    """Straight into the table (as a finished import leaves it); call tallies_rebuild() after."""

    class Meta:
        model = PublishedDecision

    reference_id = factory.Sequence(lambda n: f"MN16-{90000 + n}")
    report_year = 2016
    diagnosis_category = "Orthopedic"
    diagnosis_subcategory = "Knee"
    treatment_category = "Rehabilitation"
    treatment_subcategory = "Physical Therapy"
    determination = Determination.UPHELD
    decision_type = DecisionType.MEDICAL_NECESSITY
    source = DecisionSource.IMPORTED
    changed_at = factory.LazyFunction(timezone.now)


def tallies_rebuild() -> None:
    decision_tallies_rebuild()
