"""The filter options (the values the published decisions really have) and the time the data
last changed, both from the one row imr.services keeps (DecisionFilterOptions)."""

from dataclasses import dataclass

from django.db.models import Sum

from imr.models import AgeRange, DecisionFilterOptions, DecisionTally, Gender, ImrType


def decisions_version():
    """When the published decisions last changed (None before any import): the statistics'
    cache key, and the API's ETag and Last-Modified."""
    return DecisionFilterOptions.objects.filter(pk=1).values_list("changed_at", flat=True).first()


@dataclass(frozen=True)
class DecisionFacets:
    years: list[int]
    diagnoses: dict[str, list[str]]  # category -> its subcategories
    treatments: dict[str, list[str]]
    age_ranges: list[str]
    genders: list[str]
    imr_types: list[str]
    has_findings: bool


def _grouped(pairs) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for category, subcategory in pairs:
        if category:
            grouped.setdefault(category, [])
            if subcategory:
                grouped[category].append(subcategory)
    return grouped


def _present(values, choices) -> list[str]:
    values = set(values)
    return [value for value in choices.values if value in values]


def decision_facets_compute() -> DecisionFacets:
    """The filter options, counted from the tallies (imr.services stores them; see decision_facets)."""
    tallies = DecisionTally.objects.order_by()
    findings = tallies.aggregate(findings=Sum("with_findings"))["findings"]
    # Only the years that have decisions (a gap year would offer a choice that finds nothing).
    years = list(tallies.values_list("report_year", flat=True).distinct().order_by("report_year"))
    return DecisionFacets(
        years=years,
        diagnoses=_grouped(
            tallies.values_list("diagnosis_category", "diagnosis_subcategory")
            .distinct()
            .order_by("diagnosis_category", "diagnosis_subcategory")
        ),
        treatments=_grouped(
            tallies.values_list("treatment_category", "treatment_subcategory")
            .distinct()
            .order_by("treatment_category", "treatment_subcategory")
        ),
        age_ranges=_present(tallies.values_list("age_range", flat=True).distinct(), AgeRange),
        genders=_present(tallies.values_list("gender", flat=True).distinct(), Gender),
        imr_types=_present(tallies.values_list("imr_type", flat=True).distinct(), ImrType),
        has_findings=bool(findings),
    )


def facets_as_json(facets: DecisionFacets) -> dict:
    # Lists of pairs, not objects: PostgreSQL's jsonb does not keep the order of an object's keys.
    return {
        "years": facets.years,
        "diagnoses": list(facets.diagnoses.items()),
        "treatments": list(facets.treatments.items()),
        "age_ranges": facets.age_ranges,
        "genders": facets.genders,
        "imr_types": facets.imr_types,
        "has_findings": facets.has_findings,
    }


def decision_facets() -> DecisionFacets:
    """The filter options: the values the published decisions really have, from one stored row."""
    stored = DecisionFilterOptions.objects.filter(pk=1).values_list("options", flat=True).first()
    if stored is None:
        return decision_facets_compute()
    return DecisionFacets(
        years=stored["years"],
        diagnoses=dict(stored["diagnoses"]),
        treatments=dict(stored["treatments"]),
        age_ranges=stored["age_ranges"],
        genders=stored["genders"],
        imr_types=stored["imr_types"],
        has_findings=stored["has_findings"],
    )
