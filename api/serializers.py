"""What leaves through the API: only the published, de-identified facts of a decision.

The decision's fields are listed one by one (never ``fields = "__all__"``), so that a field added
to PublishedDecision later stays inside until someone decides to publish it; ``changed_at`` (an
internal time) is not among them. api/tests/test_nothing_private.py holds the list to this.
"""

from rest_framework import serializers

from imr.models import AgeRange, DecisionSource, DecisionType, Determination, Gender, ImrType

PUBLIC_DECISION_FIELDS = (
    "reference_id",
    "report_year",
    "diagnosis_category",
    "diagnosis_subcategory",
    "treatment_category",
    "treatment_subcategory",
    "determination",
    "decision_type",
    "imr_type",
    "age_range",
    "gender",
    "days_to_review",
    "days_to_adopt",
    "findings",
    "source",
)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice the data may not record: the stored empty string goes out as null."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class DecisionSerializer(serializers.Serializer):
    reference_id = serializers.CharField(read_only=True, help_text="DMHC's reference ID, e.g. MN16-22639.")
    report_year = serializers.IntegerField(read_only=True)
    diagnosis_category = serializers.CharField(read_only=True, help_text="Empty when not recorded.")
    diagnosis_subcategory = serializers.CharField(read_only=True)
    treatment_category = serializers.CharField(read_only=True)
    treatment_subcategory = serializers.CharField(read_only=True)
    determination = serializers.ChoiceField(
        read_only=True, choices=Determination.choices, help_text="OVERTURNED: the plan's decision was overturned."
    )
    decision_type = serializers.ChoiceField(read_only=True, choices=DecisionType.choices)
    imr_type = BlankAsNullChoiceField(choices=ImrType.choices)
    age_range = BlankAsNullChoiceField(choices=AgeRange.choices)
    gender = BlankAsNullChoiceField(choices=Gender.choices)
    days_to_review = serializers.IntegerField(read_only=True, allow_null=True)
    days_to_adopt = serializers.IntegerField(read_only=True, allow_null=True)
    findings = serializers.CharField(read_only=True, help_text="The reviewers' findings; empty when not published.")
    source = serializers.ChoiceField(
        read_only=True,
        choices=DecisionSource.choices,
        help_text="IMPORTED: from DMHC's published file. PORTAL: issued through this portal.",
    )


class DecisionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Decisions that match (see count_exact).")
    count_exact = serializers.BooleanField(
        help_text="False for a text search with more than 1,000 matches: count is then 1,000, a lower bound."
    )
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last page.")
    results = DecisionSerializer(many=True)


class StatRowSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, help_text='The stored value grouped by ("" if not recorded).')
    label = serializers.CharField(help_text="The value in plain English.")
    decisions = serializers.IntegerField()
    overturned = serializers.IntegerField()
    upheld = serializers.IntegerField()
    overturned_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, help_text="Overturned as a percentage, two decimals."
    )

    def to_representation(self, instance):
        return {
            "value": None if instance.value is None else str(instance.value),
            "label": instance.label,
            "decisions": instance.decisions,
            "overturned": instance.overturned,
            "upheld": instance.upheld,
            "overturned_share": float(instance.share),
        }


class MedianSerializer(serializers.Serializer):
    median = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        help_text="Null: no decision records it.",
    )
    decisions = serializers.IntegerField(help_text="How many of the matching decisions record these days.")


class MedianDaysSerializer(serializers.Serializer):
    review = MedianSerializer(source="REVIEW", help_text="Median days to review.")
    adopt = MedianSerializer(source="ADOPT", help_text="Median days to adopt.")


class StatisticsSerializer(serializers.Serializer):
    overall = StatRowSerializer()
    by_year = StatRowSerializer(many=True)
    by_type = StatRowSerializer(many=True)
    by_imr_type = StatRowSerializer(many=True)
    by_diagnosis = StatRowSerializer(many=True)
    by_treatment = StatRowSerializer(many=True)
    median_days = MedianDaysSerializer(
        allow_null=True, help_text="Null for a search with `q` (the days are counted per category, not per word)."
    )


class CategoryOptionsSerializer(serializers.Serializer):
    category = serializers.CharField()
    subcategories = serializers.ListField(child=serializers.CharField())


class FilterOptionsSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    diagnoses = CategoryOptionsSerializer(many=True)
    treatments = CategoryOptionsSerializer(many=True)
    determinations = serializers.ListField(child=serializers.ChoiceField(choices=Determination.choices))
    decision_types = serializers.ListField(child=serializers.ChoiceField(choices=DecisionType.choices))
    imr_types = serializers.ListField(child=serializers.ChoiceField(choices=ImrType.choices))
    age_ranges = serializers.ListField(child=serializers.ChoiceField(choices=AgeRange.choices))
    genders = serializers.ListField(child=serializers.ChoiceField(choices=Gender.choices))
    text_search = serializers.BooleanField(help_text="Whether `q` may be used: some decision has findings text.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in plain words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a bad query parameter: its name and what is wrong with it.",
    )
