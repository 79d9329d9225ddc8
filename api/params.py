"""The API's query parameters: the search page's filters, checked strictly.

The page's form (imr.forms) and this serializer both end in imr.selectors.DecisionFilters, so the
API and the pages run the same queries. The API refuses what it cannot serve, with a message per
parameter: an unknown parameter, a category the data does not have, a year outside the published
years' possible range, words to search when no decision has findings text.
"""

from django.utils import timezone
from rest_framework import serializers

from imr.models import CLASSIFICATION_FIELDS, FIRST_REPORT_YEAR, AgeRange, DecisionType, Determination, Gender, ImrType
from imr.selectors import DECISION_ORDERS, NEWEST_FIRST, DecisionFacets, DecisionFilters

MAX_TEXT_LENGTH = 200
LAST_POSSIBLE_YEAR = 2100


class DecisionFilterParams(serializers.Serializer):
    """Every filter of /decisions/ (and /decisions/stats/), under the same names."""

    year_from = serializers.IntegerField(
        required=False,
        min_value=FIRST_REPORT_YEAR,
        max_value=LAST_POSSIBLE_YEAR,
        help_text="Earliest report year (inclusive).",
    )
    year_to = serializers.IntegerField(
        required=False,
        min_value=FIRST_REPORT_YEAR,
        max_value=LAST_POSSIBLE_YEAR,
        help_text="Latest report year (inclusive).",
    )
    diagnosis_category = serializers.CharField(
        required=False, max_length=200, help_text="Exact diagnosis category, as listed by /api/v1/filters/."
    )
    diagnosis_subcategory = serializers.CharField(required=False, max_length=200, help_text="Exact subcategory.")
    treatment_category = serializers.CharField(required=False, max_length=200, help_text="Exact treatment category.")
    treatment_subcategory = serializers.CharField(required=False, max_length=200, help_text="Exact subcategory.")
    determination = serializers.ChoiceField(required=False, choices=Determination.choices)
    decision_type = serializers.ChoiceField(required=False, choices=DecisionType.choices)
    imr_type = serializers.ChoiceField(required=False, choices=ImrType.choices)
    age_range = serializers.ChoiceField(required=False, choices=AgeRange.choices)
    gender = serializers.ChoiceField(required=False, choices=Gender.choices)
    q = serializers.CharField(
        required=False,
        max_length=MAX_TEXT_LENGTH,
        help_text=(
            "Words in the reviewers' findings (PostgreSQL web search syntax: quotes for a phrase, "
            "`or`, `-word` to exclude). Refused with 400 when no published decision has findings."
        ),
    )

    def __init__(self, *args, facets: DecisionFacets | None = None, **kwargs):
        # The schema generator builds one without facets, only to read its fields.
        super().__init__(*args, **kwargs)
        self.facets = facets

    def _in_data(self, value: str, allowed, what: str) -> str:
        if value and value not in allowed:
            raise serializers.ValidationError(
                f"No published decision has the {what} {value!r}. /api/v1/filters/ lists the values there are."
            )
        return value

    def validate_diagnosis_category(self, value):
        return self._in_data(value, self.facets.diagnoses, "diagnosis category")

    def validate_treatment_category(self, value):
        return self._in_data(value, self.facets.treatments, "treatment category")

    def validate_diagnosis_subcategory(self, value):
        return self._in_data(value, {s for subs in self.facets.diagnoses.values() for s in subs}, "subcategory")

    def validate_treatment_subcategory(self, value):
        return self._in_data(value, {s for subs in self.facets.treatments.values() for s in subs}, "subcategory")

    def validate_year_to(self, value):
        this_year = timezone.localdate().year
        if value is not None and value > this_year:
            raise serializers.ValidationError(f"Ensure this value is less than or equal to {this_year}.")
        return value

    def validate_year_from(self, value):
        return self.validate_year_to(value)

    def validate_q(self, value):
        words = " ".join(value.split())
        if words and not self.facets.has_findings:
            raise serializers.ValidationError(
                "Text search is not available: none of the published decisions has findings text. "
                "Filter by category instead."
            )
        return words

    def validate(self, attrs):
        year_from, year_to = attrs.get("year_from"), attrs.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise serializers.ValidationError({"year_to": ["Must be the same as or after year_from."]})
        for prefix, groups in (("diagnosis", self.facets.diagnoses), ("treatment", self.facets.treatments)):
            category, subcategory = attrs.get(f"{prefix}_category"), attrs.get(f"{prefix}_subcategory")
            if category and subcategory and subcategory not in groups.get(category, []):
                raise serializers.ValidationError(
                    {f"{prefix}_subcategory": [f"{subcategory!r} is not a subcategory of {category!r}."]}
                )
        return attrs

    def filters(self) -> DecisionFilters:
        data = self.validated_data
        return DecisionFilters(
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            text=data.get("q", ""),
            **{name: data.get(name, "") for name in CLASSIFICATION_FIELDS},
        )


MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


class DecisionListParams(DecisionFilterParams):
    """The filters, plus the list's order, page size and cursor."""

    ordering = serializers.ChoiceField(
        required=False,
        default=NEWEST_FIRST,
        choices=list(DECISION_ORDERS),
        help_text=(
            "`-report_year` (default): newest report year first, then by reference ID. "
            "`report_year`: the exact reverse."
        ),
    )
    page_size = serializers.IntegerField(
        required=False, default=DEFAULT_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE, help_text="Decisions a page."
    )
    cursor = serializers.CharField(
        required=False, max_length=300, help_text="The opaque position from the previous page's `next` link."
    )
